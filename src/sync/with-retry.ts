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
  // Rate-limit waits happen inside one attempt, so p-retry never counts them.
  const attempt = async (attemptNumber: number): Promise<T> => {
    for (;;) {
      await limiter.acquire(signal);
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof RateLimitedError) || rateLimitWaits >= policy.maxRateLimitWaits) throw error;
        rateLimitWaits += 1;
        counters.rateLimitWaits += 1;
        limiter.pauseFor(error.retryAfterMs);
        options.onRetry?.(error, attemptNumber);
        await sleep(error.retryAfterMs, signal);
      }
    }
  };
  return pRetry(attempt, {
    retries: Math.max(0, policy.attempts - 1),
    minTimeout: policy.minDelayMs,
    maxTimeout: policy.maxDelayMs,
    factor: 2,
    randomize: true,
    signal,
    shouldRetry: ({ error }) => error instanceof TransientError,
    onFailedAttempt: ({ error, attemptNumber }) => {
      if (error instanceof TransientError && attemptNumber < policy.attempts) {
        counters.retries += 1;
        options.onRetry?.(error, attemptNumber);
      }
    },
  });
}
