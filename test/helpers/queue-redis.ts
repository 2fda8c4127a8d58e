/**
 * Real-Redis fixtures for queue tests: a unique key prefix per test, deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Job, Queue } from 'bullmq';
import { DEFAULT_JOB_RETENTION, DEFAULT_REDIS_URL, type QueueSettings } from '../../src/queue/queue-settings.js';

export const testRedisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

/** Settings with a fresh prefix (`affinity-sync-test-<random>`). */
export function uniqueQueueSettings(): QueueSettings {
  return { redisUrl: testRedisUrl, prefix: `affinity-sync-test-${randomBytes(6).toString('hex')}`, retention: DEFAULT_JOB_RETENTION };
}

/** Deletes every key under `prefix:`. */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/** Counts the keys under `prefix:` (to check cleanup). */
export async function countPrefixKeys(prefix: string): Promise<number> {
  const redis = new Redis(testRedisUrl);
  try {
    return (await redis.keys(`${prefix}:*`)).length;
  } finally {
    await redis.quit();
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for a job to complete or fail; returns it with its final state. */
export async function waitForJobEnd(queue: Queue, jobId: string, timeoutMs = 20_000): Promise<{ job: Job; state: 'completed' | 'failed' }> {
  return waitFor(
    async () => {
      const state = await queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return undefined;
      // Read the job after its state is final, so returnvalue / failedReason are there.
      const job = await queue.getJob(jobId);
      return job ? { job, state } : undefined;
    },
    `job ${jobId} to finish`,
    timeoutMs,
  );
}
