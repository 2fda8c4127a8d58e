/**
 * The one retry policy of every remote call the sync engine makes (p-retry underneath):
 * - {@link TransientError}: retried with exponential backoff and jitter, spending one attempt;
 * - {@link RateLimitedError}: waits `retryAfterMs` (and pauses the shared limiter), spending no attempt;
 * - anything else (PermanentError, AuthError, ConfigError, bugs): thrown at once.
 */
import pRetry from 'p-retry';
import { RateLimitedError, TransientError } from '../core/errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { sleep } from './rate-limiter.js';

/** How hard the engine tries before a remote call counts as failed. */
export interface RetryPolicy {
  /** Attempts in all for a TransientError (the first try included). @defaultValue 5 */
  attempts: number;
  /** Backoff before the 2nd attempt, in milliseconds; doubles each time, times a random 1–2 (jitter). @defaultValue 500 */
  minDelayMs: number;
  /** Longest backoff, in milliseconds. @defaultValue 30000 */
  maxDelayMs: number;
  /** Most RateLimitedError waits for one call before giving up with that error. @defaultValue 50 */
  maxRateLimitWaits: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, minDelayMs: 500, maxDelayMs: 30_000, maxRateLimitWaits: 50 };

/** What a retried call reports, for the sync report. */
export interface RetryCounters {
  retries: number;
  rateLimitWaits: number;
}

/** Runs `call` under the retry policy; each attempt first takes a token from `limiter`. */
export async function withRetry<T>(
  call: () => Promise<T>,
  options: { policy: RetryPolicy; limiter: RateLimiter; counters: RetryCounters; signal?: AbortSignal; onRetry?: (error: Error, attempt: number) => void },
): Promise<T> {
  const { policy, limiter, counters, signal } = options;
  let rateLimitWaits = 0;
  return pRetry(
    async () => {
      await limiter.acquire(signal);
      return call();
    },
    {
      retries: Math.max(0, policy.attempts - 1),
      minTimeout: policy.minDelayMs,
      maxTimeout: policy.maxDelayMs,
      factor: 2,
      randomize: true,
      signal,
      shouldRetry: ({ error }) => error instanceof TransientError || error instanceof RateLimitedError,
      shouldConsumeRetry: ({ error }) => !(error instanceof RateLimitedError),
      onFailedAttempt: async ({ error, attemptNumber }) => {
        if (error instanceof RateLimitedError) {
          rateLimitWaits += 1;
          if (rateLimitWaits > policy.maxRateLimitWaits) throw error;
          counters.rateLimitWaits += 1;
          limiter.pauseFor(error.retryAfterMs);
          options.onRetry?.(error, attemptNumber);
          await sleep(error.retryAfterMs, signal);
        } else if (error instanceof TransientError && attemptNumber < policy.attempts) {
          counters.retries += 1;
          options.onRetry?.(error, attemptNumber);
        }
      },
    },
  );
}
