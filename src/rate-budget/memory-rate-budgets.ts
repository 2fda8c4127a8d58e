/**
 * The in-process implementation of the rate-budget port: one {@link MemoryRollingBudget} per scope
 * and credential in this process. What the in-process `run` uses; a queue worker uses the Redis one.
 *
 * Why not the sync engine's token bucket (`src/sync/rate-limiter.ts`): a bucket that starts full and
 * refills continuously lets through up to twice its size in the first window, which a rolling window
 * answers with 429s. Here a slot stays taken from the moment a request starts until `windowMs` after
 * its answer arrived (the server counted it before that), so the budget never overruns the server's
 * window, whatever the latency.
 */
import { assertBudgetSpec, budgetCache, type BudgetObservation, type RateBudgets, type RollingBudget } from './rate-budgets.js';

export interface MemoryRollingBudgetOptions {
  /** Requests allowed per window. */
  requests: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /** Clock, for tests. @defaultValue `Date.now` */
  now?: () => number;
}

/** A rolling-window request budget of one process; see the module comment. */
export class MemoryRollingBudget implements RollingBudget {
  private capacity: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  /** When the slots of finished requests free up (ascending), including slots others used. */
  private readonly freeAt: number[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  /** @throws RangeError when `requests` < 1 or `windowMs` ≤ 0 */
  constructor(options: MemoryRollingBudgetOptions) {
    assertBudgetSpec(options);
    this.capacity = Math.floor(options.requests);
    this.windowMs = options.windowMs;
    this.now = options.now ?? Date.now;
  }

  get requestsPerWindow(): number {
    return this.capacity;
  }

  async run<T>(request: () => Promise<T>, observe?: (answer: { value: T } | { error: unknown }) => BudgetObservation | undefined): Promise<T> {
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.drain();
    });
    let answer: { value: T } | { error: unknown };
    try {
      answer = { value: await request() };
    } catch (error) {
      answer = { error };
    }
    this.inFlight -= 1;
    this.hold(this.now() + this.windowMs);
    const observation = observe?.(answer);
    if (observation) this.observe(observation);
    this.drain();
    if ('error' in answer) throw answer.error;
    return answer.value;
  }

  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.drain();
  }

  lowerTo(requests: number): void {
    if (requests >= 1) this.capacity = Math.min(this.capacity, Math.floor(requests));
  }

  /** Learns from an answer just received (see {@link RollingBudget.run}'s `observe`). */
  observe(observation: BudgetObservation): void {
    const { max, remaining, intervalMs } = observation;
    if (max !== undefined && Number.isInteger(max) && max >= 1) this.lowerTo(max);
    if (remaining === undefined || !Number.isInteger(remaining) || remaining < 0) return;
    const holdMs = intervalMs !== undefined && intervalMs > 0 ? Math.min(intervalMs, this.windowMs) : this.windowMs;
    const now = this.now();
    this.prune(now);
    const locallyFree = this.capacity - this.freeAt.length - this.inFlight;
    for (let extra = locallyFree - remaining; extra > 0; extra -= 1) this.hold(now + holdMs);
  }

  /** Takes a slot until `until` (keeps {@link freeAt} sorted). */
  private hold(until: number): void {
    let index = this.freeAt.length;
    while (index > 0 && this.freeAt[index - 1]! > until) index -= 1;
    this.freeAt.splice(index, 0, until);
  }

  private prune(now: number): void {
    while (this.freeAt.length > 0 && this.freeAt[0]! <= now) this.freeAt.shift();
  }

  private drain(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = this.now();
    this.prune(now);
    while (this.waiters.length > 0 && now >= this.pausedUntil && this.inFlight + this.freeAt.length < this.capacity) {
      this.inFlight += 1;
      this.waiters.shift()!();
    }
    if (this.waiters.length === 0) return;
    let wakeAt: number | undefined;
    if (now < this.pausedUntil) wakeAt = this.pausedUntil;
    else if (this.freeAt.length > 0) wakeAt = this.freeAt[0]!;
    // Otherwise every slot is in flight: the next settle calls drain().
    if (wakeAt !== undefined) this.timer = setTimeout(() => this.drain(), Math.max(1, wakeAt - now));
  }
}

/**
 * Makes an in-process {@link RateBudgets}: budgets keyed by the SHA-256 of scope and credential.
 * @param now - clock, for tests. @defaultValue `Date.now`
 */
export function createMemoryRateBudgets(now?: () => number): RateBudgets {
  return {
    kind: 'memory',
    budgetFor: budgetCache((spec) => new MemoryRollingBudget({ requests: spec.requests, windowMs: spec.windowMs, ...(now ? { now } : {}) })),
  };
}

/** The budgets of this process: every session that is given no other {@link RateBudgets} shares them. */
export const processRateBudgets: RateBudgets = createMemoryRateBudgets();
