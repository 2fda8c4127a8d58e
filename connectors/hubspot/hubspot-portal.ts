/**
 * One SDK `Client` and one request budget per HubSpot token (a "portal" here), shared by every session
 * that uses the token, since HubSpot's limits are per app and token.
 */
import { createHash } from 'node:crypto';
import { Client } from '@hubspot/api-client';
import { RateLimitedError, TransientError } from '../../src/core/errors.js';
import { isApiException, toHubSpotError, type HubSpotApiException } from './hubspot-error.js';
import { RATE_LIMIT_WINDOW_MS, REQUEST_TIMEOUT_MS } from './hubspot-limits.js';
import { RequestBudget } from './hubspot-request-budget.js';

/** What a `…WithHttpInfo` SDK method resolves to (only what we read). */
export interface HttpInfoLike<T> {
  headers: Record<string, string>;
  data: T;
}

/** A HubSpot client with its request budget. */
export interface HubSpotPortal {
  readonly client: Client;
  readonly budget: RequestBudget;
  /**
   * Sends one request within the budget and learns from its rate-limit headers.
   * @param action what the request is for, in words (used in error messages, e.g. `reading contacts`)
   * @param recover turns an expected HubSpot error answer into a value (`{ value }`), e.g. "not found"
   * @throws the mapped error of {@link toHubSpotError}; a TransientError after {@link REQUEST_TIMEOUT_MS}
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
  /** Budget per rolling 10 s; several destinations with one token share the lowest one. */
  requestsPer10s: number;
  /** Give up on one request after this many milliseconds. @defaultValue {@link REQUEST_TIMEOUT_MS} */
  requestTimeoutMs?: number;
}

const portals = new Map<string, HubSpotPortal>();

/** The shared portal of a token (and base path), created on first use. */
export function hubSpotPortalFor(options: PortalOptions): HubSpotPortal {
  const key = createHash('sha256').update(`${options.basePath ?? ''}\n${options.accessToken}`).digest('hex');
  const existing = portals.get(key);
  if (existing) {
    existing.budget.lowerTo(options.requestsPer10s);
    return existing;
  }
  const portal = createPortal(options);
  portals.set(key, portal);
  return portal;
}

function createPortal(options: PortalOptions): HubSpotPortal {
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
  const budget = new RequestBudget({ requests: options.requestsPer10s, windowMs: RATE_LIMIT_WINDOW_MS });
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;

  return {
    client,
    budget,
    async call<T, R = never>(
      action: string,
      request: () => Promise<HttpInfoLike<T>>,
      recover?: (error: HubSpotApiException) => { value: R } | undefined,
    ): Promise<T | R> {
      try {
        const info = await budget.run(() => withTimeout(request(), timeoutMs, action));
        budget.observe(info.headers);
        return info.data;
      } catch (error) {
        if (isApiException(error)) {
          budget.observe(error.headers);
          const recovered = recover?.(error);
          if (recovered) return recovered.value;
        }
        const mapped = toHubSpotError(error, action);
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
