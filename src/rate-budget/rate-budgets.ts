/**
 * The rate-budget port: the request budget of one credential, shared by everything that uses the
 * credential. A vendor counts requests per credential (a HubSpot private-app token, a Mailchimp
 * key), not per process, so every session, sync and worker holding the same credential must draw on
 * one budget.
 *
 * Two implementations:
 * - {@link createMemoryRateBudgets} (`memory-rate-budgets.ts`): one budget per credential in this
 *   process: what the in-process `run` uses;
 * - {@link createRedisRateBudgets} (`redis-rate-budgets.ts`): the budget lives in Redis, keyed by a
 *   SHA-256 of the credential, so every worker of a deployment shares it: what queue workers use.
 *
 * The shape is a rolling window (HubSpot's `TEN_SECONDLY_ROLLING`): at most `requests` in any
 * `windowMs`, where a request's slot stays taken from the moment it starts until `windowMs` after its
 * answer arrived (the server counted it somewhere in between), so the budget never overruns the
 * server's window whatever the latency.
 */
import { createHash } from 'node:crypto';

/** Which budget: a vendor limit of one credential. */
export interface BudgetSpec {
  /** The limit's name, e.g. `hubspot` (one budget per scope and credential). */
  scope: string;
  /**
   * What the vendor counts requests by (a token, plus the API base URL when one token could reach
   * two services). Only its SHA-256 is kept, logged or sent to Redis.
   */
  credential: string;
  /** Requests allowed in any rolling window. */
  requests: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

/** What a vendor's answer said about the limit (HubSpot: `X-HubSpot-RateLimit-Max`, `-Remaining`, `-Interval-Milliseconds`). */
export interface BudgetObservation {
  /** Requests the credential is allowed per window: a lower number lowers the budget. */
  max?: number;
  /** Requests left in the window when the server answered: fewer than the budget believes means someone else spends it. */
  remaining?: number;
  /** The server's window, in milliseconds (how long slots spent by others stay taken). */
  intervalMs?: number;
}

/** A rolling-window request budget. */
export interface RollingBudget {
  /** Requests currently allowed per window (after {@link lowerTo}). */
  readonly requestsPerWindow: number;
  /**
   * Runs `request` once a slot is free; the slot is held until `windowMs` after it settles.
   * @param observe - reads what the answer (or the error) said about the limit: see {@link BudgetObservation}.
   *   `max` lowers the budget; `remaining` below what the budget believes is free takes slots (requests
   *   others made with the credential) for at most `intervalMs`.
   * @throws what `request` throws; TransientError when the shared budget cannot be reached (Redis down)
   */
  run<T>(request: () => Promise<T>, observe?: (answer: { value: T } | { error: unknown }) => BudgetObservation | undefined): Promise<T>;
  /** Holds every request of the credential back for `ms` milliseconds from now (after a 429). */
  pauseFor(ms: number): void;
  /** Never allow more than `requests` per window from now on. */
  lowerTo(requests: number): void;
}

/** Where budgets live; one per scope and credential. */
export interface RateBudgets {
  /** `memory` (this process) or `redis` (every worker sharing the Redis and key prefix). */
  readonly kind: 'memory' | 'redis';
  /**
   * The budget of `spec.credential` under `spec.scope`, created on first use; asked again with a
   * lower `requests`, the budget is lowered (several destinations sharing a token share the lowest).
   * @throws RangeError when `requests` < 1 or `windowMs` ≤ 0
   */
  budgetFor(spec: BudgetSpec): RollingBudget;
}

/** The key of a budget: SHA-256 (hex) of its scope and credential. Never the credential itself. */
export function budgetKeyOf(spec: Pick<BudgetSpec, 'scope' | 'credential'>): string {
  return createHash('sha256').update(`${spec.scope}\n${spec.credential}`).digest('hex');
}

/** @throws RangeError when the spec cannot make a budget. */
export function assertBudgetSpec(spec: Pick<BudgetSpec, 'requests' | 'windowMs'>): void {
  if (!(spec.requests >= 1) || !(spec.windowMs > 0)) {
    throw new RangeError(`request budget needs requests ≥ 1 and windowMs > 0, got ${spec.requests} per ${spec.windowMs} ms`);
  }
}

/**
 * `budgetFor` of a {@link RateBudgets}: checks the spec, returns the budget already made for its
 * scope and credential (lowered to the smaller `requests`), or makes one with `create`.
 * @throws RangeError when the spec cannot make a budget
 */
export function budgetCache<Budget extends RollingBudget>(create: (spec: BudgetSpec, key: string) => Budget): (spec: BudgetSpec) => Budget {
  const budgets = new Map<string, Budget>();
  return (spec) => {
    assertBudgetSpec(spec);
    const key = budgetKeyOf(spec);
    const existing = budgets.get(key);
    if (existing) {
      existing.lowerTo(spec.requests);
      return existing;
    }
    const budget = create(spec, key);
    budgets.set(key, budget);
    return budget;
  };
}
