/**
 * The one place errors of the pipeline become BullMQ outcomes:
 *
 * | thrown                                   | BullMQ                                                    |
 * |------------------------------------------|-----------------------------------------------------------|
 * | TransientError, unknown errors           | rethrown: retried with exponential backoff and jitter      |
 * | RateLimitedError(retryAfterMs)           | `queue.rateLimit(ms)` + `Worker.RateLimitError()`: no attempt spent |
 * | QuotaExhaustedError(resetsAt)            | `deferredUntil` in the job data, `job.moveToDelayed(resetsAt)` + `DelayedError`: no attempt spent |
 * | PermanentError, AuthError, ConfigError   | `UnrecoverableError("<Name>: <message>")`: failed at once, reason kept |
 * | DrainInterruptError (worker stopping)    | `job.moveToWait()` + `WaitingError`: back to the queue, no attempt spent |
 * | BullMQ's own step errors                 | passed through                                            |
 *
 * See https://docs.bullmq.io/guide/retrying-failing-jobs, …/guide/rate-limiting#manual-rate-limit and
 * …/patterns/process-step-jobs#delaying (a delayed job keeps its attempts: `moveToDelayed` skips the attempt).
 */
import { DelayedError, UnrecoverableError, WaitingChildrenError, WaitingError, Worker, type Job } from 'bullmq';
import { AffinitySyncError, QuotaExhaustedError, RateLimitedError } from '../core/errors.js';
import { DrainInterruptError } from './run-state-store.js';

/** What the boundary needs of the queue. */
export interface RateLimitTarget {
  /** Holds back every job of the queue for `expireTimeMs` milliseconds. */
  rateLimit(expireTimeMs: number): Promise<void>;
}

/** Maps `error` to what BullMQ should do with `job`; always throws. */
export async function rethrowForBullmq(error: unknown, job: Job, token: string | undefined, queue: RateLimitTarget): Promise<never> {
  if (
    error instanceof UnrecoverableError ||
    error instanceof DelayedError ||
    error instanceof WaitingChildrenError ||
    error instanceof WaitingError
  ) {
    throw error;
  }
  if (findInCauses(error, (candidate) => candidate instanceof DrainInterruptError)) {
    await job.moveToWait(token);
    throw new WaitingError();
  }
  if (error instanceof QuotaExhaustedError && token !== undefined) {
    // A quota that resets hours from now (HubSpot's DAILY limit): waiting would hold the worker, a
    // retry would fail again. The job sleeps in the delayed set until the reset, attempts untouched.
    await job.updateData({ ...(job.data as Record<string, unknown>), deferredUntil: error.resetsAt.getTime(), deferredReason: error.message });
    await job.moveToDelayed(error.resetsAt.getTime(), token);
    throw new DelayedError();
  }
  if (error instanceof RateLimitedError) {
    await queue.rateLimit(Math.max(1, error.retryAfterMs));
    throw Worker.RateLimitError();
  }
  if (error instanceof AffinitySyncError && !error.retryable) {
    throw new UnrecoverableError(`${error.name}: ${error.message}`);
  }
  throw error;
}

function findInCauses(error: unknown, predicate: (candidate: unknown) => boolean): boolean {
  for (let current = error, depth = 0; current !== undefined && depth < 10; depth += 1) {
    if (predicate(current)) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}
