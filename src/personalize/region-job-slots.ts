/**
 * At most 5 batch segment jobs may be pending or running per region (Personalize quotas, not
 * adjustable). One limiter per region for the whole process, so parallel runs share it; other
 * processes are covered by retrying LimitExceededException.
 */
import pLimit, { type LimitFunction } from 'p-limit';

/** Jobs per region that may be pending or in progress at once. */
export const MAX_RUNNING_JOBS_PER_REGION = 5;

const limiters = new Map<string, LimitFunction>();

/** The process-wide job limiter of `region` (`undefined`: the region the SDK resolves). */
export function regionJobSlots(region: string | undefined): LimitFunction {
  const key = region ?? '(default)';
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = pLimit(MAX_RUNNING_JOBS_PER_REGION);
    limiters.set(key, limiter);
  }
  return limiter;
}
