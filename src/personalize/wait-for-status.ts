/**
 * Polls a Personalize resource until its status is final, with capped backoff (AWS samples poll
 * every 60 s; `../shared/reference/personalize.md` §4–5).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PermanentError, TransientError } from '../core/errors.js';

/** Polling rhythm and patience, in milliseconds. */
export interface WaitOptions {
  /** First wait; each next one is 1.5 times longer. */
  pollIntervalMs: number;
  /** Longest single wait. */
  maxPollIntervalMs: number;
  /** Give up after this long. */
  maxWaitMs: number;
  signal?: AbortSignal;
  /** Called after every check with the status seen. */
  onStatus?: (status: string) => void;
}

/**
 * Calls `describe` until it reports `ACTIVE`.
 * @param what names the resource in messages, e.g. `solution version arn:…`.
 * @throws PermanentError for `CREATE FAILED`, `CREATE STOPPED` (with the failure reason);
 *   TransientError after `maxWaitMs`.
 */
export async function waitForActive(
  what: string,
  describe: () => Promise<{ status?: string; failureReason?: string }>,
  options: WaitOptions,
): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    const { status = 'UNKNOWN', failureReason } = await describe();
    options.onStatus?.(status);
    if (status === 'ACTIVE') return;
    if (status === 'CREATE FAILED' || status === 'CREATE STOPPED') {
      throw new PermanentError(`${what} ended in ${status}: ${failureReason ?? 'no failureReason given'}`);
    }
    if (Date.now() - started > options.maxWaitMs) {
      throw new TransientError(`${what} is still ${status} after ${Math.round((Date.now() - started) / 60_000)} min`);
    }
    await sleep(Math.min(options.pollIntervalMs * 1.5 ** attempt, options.maxPollIntervalMs), undefined, { signal: options.signal });
  }
}
