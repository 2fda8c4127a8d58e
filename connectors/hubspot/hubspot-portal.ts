/**
 * One SDK `Client` and one request budget per HubSpot token (a "portal" here), shared by every session
 * that uses the token, since HubSpot's limits are per app and token. The budget comes from a
 * {@link RateBudgets}: this process's (in-process `run`) or Redis's (queue workers, so every worker
 * spends one budget per token).
 */
import { createHash } from 'node:crypto';
import { Client } from '@hubspot/api-client';
import { RateLimitedError, TransientError } from '../../src/core/errors.js';
import { processRateBudgets } from '../../src/rate-budget/memory-rate-budgets.js';
import type { BudgetObservation, RateBudgets, RollingBudget } from '../../src/rate-budget/rate-budgets.js';
import { nextDailyReset, type DailyReset } from './hubspot-daily-reset.js';
import { isApiException, isDailyLimit, toHubSpotError, type HubSpotApiException } from './hubspot-error.js';
import { RATE_LIMIT_WINDOW_MS, REQUEST_TIMEOUT_MS } from './hubspot-limits.js';

/** What a `…WithHttpInfo` SDK method resolves to (only what we read). */
export interface HttpInfoLike<T> {
  headers: Record<string, string>;
  data: T;
}

/** A HubSpot client with its request budget. */
export interface HubSpotPortal {
  readonly client: Client;
  readonly budget: RollingBudget;
  /**
   * Sends one request within the budget and learns from its rate-limit headers.
   * @param action what the request is for, in words (used in error messages, e.g. `reading contacts`)
   * @param recover turns an expected HubSpot error answer into a value (`{ value }`), e.g. "not found"
   * @throws the mapped error of {@link toHubSpotError} (a QuotaExhaustedError until the portal's
   *   midnight for the DAILY limit); a TransientError after {@link REQUEST_TIMEOUT_MS}
   */
  call<T, R = never>(
    action: string,
    request: () => Promise<HttpInfoLike<T>>,
    recover?: (error: HubSpotApiException) => { value: R } | undefined,
  ): Promise<T | R>;
}

export interface PortalOptions {
  accessToken: string;
  /** @defaultValue `https://api.hubapi.com` */
  basePath?: string;
  /** Budget per rolling window; several destinations with one token share the lowest one. */
  requestsPer10s: number;
  /** Give up on one request after this many milliseconds. @defaultValue {@link REQUEST_TIMEOUT_MS} */
  requestTimeoutMs?: number;
  /**
   * Length of the rolling window, in milliseconds. HubSpot's is 10 s; tests and benchmarks that run a
   * stand-in with a shorter window pass it. @defaultValue {@link RATE_LIMIT_WINDOW_MS}
   */
  rateWindowMs?: number;
  /** Where the token's budget lives. @defaultValue this process's budgets */
  budgets?: RateBudgets;
}

/** `GET /account-info/v3/details`: the portal's `timeZone` (IANA), for the DAILY reset. */
const ACCOUNT_DETAILS_PATH = '/account-info/v3/details';

/** Portals by budget store, then by the SHA-256 of base path and token. */
const portals = new WeakMap<RateBudgets, Map<string, HubSpotPortal>>();

/** The shared portal of a token (and base path), created on first use. */
export function hubSpotPortalFor(options: PortalOptions): HubSpotPortal {
  const budgets = options.budgets ?? processRateBudgets;
  let byToken = portals.get(budgets);
  if (!byToken) {
    byToken = new Map();
    portals.set(budgets, byToken);
  }
  const key = createHash('sha256').update(`${options.basePath ?? ''}\n${options.accessToken}`).digest('hex');
  const existing = byToken.get(key);
  if (existing) {
    existing.budget.lowerTo(options.requestsPer10s);
    return existing;
  }
  const portal = createPortal(options, budgets);
  byToken.set(key, portal);
  return portal;
}

/** What HubSpot's `X-HubSpot-RateLimit-*` headers say (lower-cased names, as the SDK gives them). */
export function budgetObservationOf(headers: Record<string, string | undefined> | undefined): BudgetObservation | undefined {
  if (!headers) return undefined;
  const number = (name: string): number | undefined => {
    const value = headers[name];
    if (value === undefined || value.trim() === '') return undefined;
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  };
  const observation: BudgetObservation = {};
  const max = number('x-hubspot-ratelimit-max');
  const remaining = number('x-hubspot-ratelimit-remaining');
  const intervalMs = number('x-hubspot-ratelimit-interval-milliseconds');
  if (max !== undefined) observation.max = max;
  if (remaining !== undefined) observation.remaining = remaining;
  if (intervalMs !== undefined) observation.intervalMs = intervalMs;
  return Object.keys(observation).length > 0 ? observation : undefined;
}

function createPortal(options: PortalOptions, budgets: RateBudgets): HubSpotPortal {
  const client = new Client({
    accessToken: options.accessToken,
    ...(options.basePath ? { basePath: options.basePath.replace(/\/+$/, '') } : {}),
    // Total attempts, not retries (SDK quirk): one attempt, the sync engine retries.
    numberOfApiCallRetries: 1,
  });
  // The SDK keeps its decorators in a process-wide singleton read when an API group is first used:
  // bind ours now, before another Client could replace them.
  void client.crm.lists.listsApi;
  void client.crm.contacts.batchApi;
  void client.crm.properties.coreApi;
  const budget = budgets.budgetFor({
    scope: 'hubspot',
    credential: `${options.basePath ?? ''}\n${options.accessToken}`,
    requests: options.requestsPer10s,
    windowMs: options.rateWindowMs ?? RATE_LIMIT_WINDOW_MS,
  });
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  let timeZone: Promise<string | undefined> | undefined;

  /** The portal's time zone, read once (a failed read is tried again next time). */
  const readTimeZone = (): Promise<string | undefined> => {
    timeZone ??= budget
      .run(async () => {
        const answer = await withTimeout(client.apiRequest({ method: 'GET', path: ACCOUNT_DETAILS_PATH }), Math.min(timeoutMs, 10_000), 'reading the account details');
        const body: unknown = answer.ok ? await answer.json().catch(() => undefined) : undefined;
        const zone = (body as { timeZone?: unknown } | undefined)?.timeZone;
        return typeof zone === 'string' && zone.trim() !== '' ? zone.trim() : undefined;
      })
      .catch(() => undefined)
      .then((zone) => {
        if (zone === undefined) timeZone = undefined;
        return zone;
      });
    return timeZone;
  };

  return {
    client,
    budget,
    async call<T, R = never>(
      action: string,
      request: () => Promise<HttpInfoLike<T>>,
      recover?: (error: HubSpotApiException) => { value: R } | undefined,
    ): Promise<T | R> {
      try {
        const info = await budget.run(
          () => withTimeout(request(), timeoutMs, action),
          (answer) => budgetObservationOf('value' in answer ? answer.value.headers : isApiException(answer.error) ? answer.error.headers : undefined),
        );
        return info.data;
      } catch (error) {
        if (isApiException(error)) {
          const recovered = recover?.(error);
          if (recovered) return recovered.value;
        }
        let dailyReset: DailyReset | undefined;
        if (isDailyLimit(error)) dailyReset = nextDailyReset(await readTimeZone());
        const mapped = toHubSpotError(error, action, dailyReset);
        if (mapped instanceof RateLimitedError) budget.pauseFor(mapped.retryAfterMs);
        throw mapped;
      }
    },
  };
}

function withTimeout<T>(request: Promise<T>, timeoutMs: number, action: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new TransientError(`HubSpot did not answer within ${timeoutMs} ms while ${action}`)),
      timeoutMs,
    );
  });
  request.catch(() => undefined); // a late failure after the timeout is not unhandled
  return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
}
