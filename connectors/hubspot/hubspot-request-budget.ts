/**
 * The request budget of one HubSpot token: at most `requests` HTTP requests in any rolling window of
 * `windowMs`, the shape of HubSpot's `TEN_SECONDLY_ROLLING` policy.
 *
 * Why not the sync engine's token bucket (`src/sync/rate-limiter.ts`): a bucket that starts full and
 * refills continuously lets through up to twice its size in the first window, which a rolling window
 * answers with 429s; and it cannot learn from HubSpot's `X-HubSpot-RateLimit-Remaining` header. Here a
 * slot stays taken from the moment a request starts until `windowMs` after its answer arrived (the server
 * counted it before that), so the budget never overruns the server's window, whatever the latency.
 */

/** Rate-limit headers of a HubSpot answer (lower-cased names, as the SDK gives them). */
export type ResponseHeaders = Record<string, string | undefined>;

export interface RequestBudgetOptions {
  /** Requests allowed per window. */
  requests: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /** Clock, for tests. @defaultValue `Date.now` */
  now?: () => number;
}

/** A rolling-window request budget; see the module comment. */
export class RequestBudget {
  private capacity: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  /** When the slots of finished requests free up (ascending), including slots HubSpot says others used. */
  private readonly freeAt: number[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RequestBudgetOptions) {
    if (!(options.requests >= 1) || !(options.windowMs > 0)) {
      throw new RangeError(`request budget needs requests ≥ 1 and windowMs > 0, got ${options.requests} per ${options.windowMs} ms`);
    }
    this.capacity = Math.floor(options.requests);
    this.windowMs = options.windowMs;
    this.now = options.now ?? Date.now;
  }

  /** Requests currently allowed per window. */
  get requestsPerWindow(): number {
    return this.capacity;
  }

  /** Runs `request` once a slot is free; the slot is held until `windowMs` after it settles. */
  async run<T>(request: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.drain();
    });
    try {
      return await request();
    } finally {
      this.inFlight -= 1;
      this.hold(this.now() + this.windowMs);
      this.drain();
    }
  }

  /** Holds every request back for `ms` milliseconds from now (after a 429). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.drain();
  }

  /** Never allow more than `requests` per window from now on (e.g. several destinations share a token). */
  lowerTo(requests: number): void {
    if (requests >= 1) this.capacity = Math.min(this.capacity, Math.floor(requests));
  }

  /**
   * Learns from an answer's `X-HubSpot-RateLimit-Max` (a lower portal limit than configured lowers the
   * budget) and `-Remaining` (requests made by others with the same token take slots, for at most
   * `-Interval-Milliseconds`). Call it right after the answer, whose request counts on both sides.
   */
  observe(headers: ResponseHeaders): void {
    const max = Number(headers['x-hubspot-ratelimit-max']);
    if (Number.isInteger(max) && max >= 1) this.lowerTo(max);
    const remaining = Number(headers['x-hubspot-ratelimit-remaining'] ?? Number.NaN);
    if (!Number.isInteger(remaining) || remaining < 0) return;
    const intervalMs = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
    const holdMs = intervalMs > 0 ? Math.min(intervalMs, this.windowMs) : this.windowMs;
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
