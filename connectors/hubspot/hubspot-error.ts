/**
 * Maps what the HubSpot SDK throws to affinity-sync's error classes. An `ApiException`'s `message`
 * holds the request and answer (emails), so it is never copied: messages keep only the status,
 * HubSpot's category, sub-category and correlation id.
 */
import {
  AuthError,
  PermanentError,
  QuotaExhaustedError,
  RateLimitedError,
  TransientError,
} from '../../src/core/errors.js';
import { describeNetworkFailure, networkFailureOf } from '../../src/core/network-failure.js';
import type { DailyReset } from './hubspot-daily-reset.js';
import { RATE_LIMIT_WINDOW_MS } from './hubspot-limits.js';

/** HubSpot's error body (all fields optional per HubSpot). https://developers.hubspot.com/docs/guides/api/overview#error-handling */
export interface HubSpotErrorBody {
  status?: string;
  message?: string;
  category?: string;
  subCategory?: string;
  correlationId?: string;
  policyName?: string;
  errors?: Array<{ message?: string; subCategory?: string; context?: Record<string, unknown> }>;
  context?: Record<string, unknown>;
}

/** The SDK's `ApiException` (one class per generated module, so matched by shape, not `instanceof`). */
export interface HubSpotApiException {
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

export function isApiException(error: unknown): error is HubSpotApiException {
  return (
    error instanceof Error &&
    typeof (error as Partial<HubSpotApiException>).code === 'number' &&
    'body' in error &&
    typeof (error as Partial<HubSpotApiException>).headers === 'object'
  );
}

/** The error body of an `ApiException`, or `{}` when HubSpot sent none (an HTML page). */
export function errorBodyOf(error: HubSpotApiException): HubSpotErrorBody {
  return typeof error.body === 'object' && error.body !== null ? error.body : {};
}

/** True when HubSpot names this sub-category on the error or one of its details. */
export function hasSubCategory(body: HubSpotErrorBody, subCategory: string): boolean {
  return body.subCategory === subCategory || (body.errors ?? []).some((detail) => detail.subCategory === subCategory);
}

/** Scopes a 403 `MISSING_SCOPES` asks for (`errors[].context.requiredGranularScopes`). */
export function missingScopesOf(body: HubSpotErrorBody): string[] {
  const scopes = new Set<string>();
  for (const detail of body.errors ?? []) {
    for (const key of ['requiredGranularScopes', 'requiredScopes']) {
      const value = detail.context?.[key];
      if (Array.isArray(value)) for (const scope of value) if (typeof scope === 'string') scopes.add(scope);
    }
  }
  return [...scopes];
}

function describe(status: number, body: HubSpotErrorBody): string {
  const category = [body.category, body.subCategory].filter(Boolean).join('/');
  const correlation = body.correlationId ? `, correlationId ${body.correlationId}` : '';
  return `HTTP ${status}${category ? ` ${category}` : ''}${correlation}`;
}

/** Milliseconds to wait after a 429: `Retry-After`, else the policy's window. */
export function retryAfterMsOf(headers: Record<string, string>, policyName: string | undefined): number {
  const retryAfterSeconds = Number(headers['retry-after']);
  if (Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0) return Math.ceil(retryAfterSeconds * 1000);
  if (policyName === 'SECONDLY') return 1000;
  const intervalMs = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
  return Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : RATE_LIMIT_WINDOW_MS;
}

/**
 * True for HubSpot's answer that the portal's daily API limit is spent (429 `policyName: DAILY`).
 */
export function isDailyLimit(error: unknown): boolean {
  return isApiException(error) && error.code === 429 && errorBodyOf(error).policyName === 'DAILY';
}

/**
 * The affinity-sync error for a failed HubSpot request made while doing `action` (e.g. `reading contacts`).
 * Programming errors (TypeError, RangeError…) are returned unchanged.
 *
 * - 429 `DAILY` → QuotaExhaustedError until `dailyReset` (the caller works it out: the portal's midnight);
 *   without `dailyReset`, PermanentError; other 429 → RateLimitedError
 * - 401 → AuthError naming `HUBSPOT_ACCESS_TOKEN`; 403 → AuthError naming the missing scopes
 * - 5xx, network errors, unreadable answers → TransientError; other statuses → PermanentError
 */
export function toHubSpotError(error: unknown, action: string, dailyReset?: DailyReset): unknown {
  if (isApiException(error)) {
    const body = errorBodyOf(error);
    const status = error.code;
    if (status === 429) {
      if (body.policyName === 'DAILY') {
        const what = `HubSpot daily API limit reached while ${action} (${describe(status, body)})`;
        if (!dailyReset) return new PermanentError(`${what}: nothing more can be sent with this token until the daily limit resets at the portal's midnight`);
        return new QuotaExhaustedError(`${what}; retry after ${dailyReset.at.toISOString()} (${dailyReset.basis})`, 'HubSpot daily API limit', dailyReset.at, dailyReset.basis);
      }
      return new RateLimitedError(
        `HubSpot rate limit ${body.policyName ?? 'unknown policy'} reached while ${action}`,
        retryAfterMsOf(error.headers, body.policyName),
      );
    }
    if (status === 401) {
      return new AuthError(
        `HubSpot rejected the token in HUBSPOT_ACCESS_TOKEN while ${action} (${describe(status, body)}): check the private app's access token`,
      );
    }
    if (status === 403) {
      const scopes = missingScopesOf(body);
      const what = scopes.length > 0 ? `lacks the scope ${scopes.join(', ')}` : 'is not allowed to do this';
      return new AuthError(
        `the HubSpot token in HUBSPOT_ACCESS_TOKEN ${what} (${describe(status, body)}) while ${action}: add the scope to the private app and use its token`,
      );
    }
    if (status >= 500) return new TransientError(`HubSpot failed while ${action} (${describe(status, body)})`);
    return new PermanentError(`HubSpot refused a request while ${action} (${describe(status, body)})`);
  }
  if (error instanceof Error) {
    const failure = networkFailureOf(error);
    if (failure) return new TransientError(`HubSpot, while ${action}: ${describeNetworkFailure('HubSpot', failure, 'the base path is wrong')}`);
    if (error.name === 'FetchError') return new TransientError(`network error talking to HubSpot while ${action} (FetchError)`);
    if (/content-type|media ?type|parse/i.test(error.message) && !(error instanceof TypeError) && !(error instanceof RangeError)) {
      // The SDK cannot parse an answer without a JSON Content-Type (a proxy's 502 page, say).
      return new TransientError(`HubSpot sent an unreadable answer while ${action}`);
    }
  }
  return error;
}
