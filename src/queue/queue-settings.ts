/**
 * Where the queue lives and how long finished jobs are kept: read once from the environment.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** Name of the one BullMQ queue every campaign job goes through (runs, segment steps, syncs). */
export const CAMPAIGN_QUEUE_NAME = 'campaign-runs';

/** Default Redis: a local server. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Default key prefix; one prefix per deployment keeps staging and production apart on one Redis. */
export const DEFAULT_QUEUE_PREFIX = 'affinity-sync';

const environmentSchema = z.object({
  REDIS_URL: z
    .string()
    .trim()
    .default(DEFAULT_REDIS_URL)
    .refine((value) => /^rediss?:\/\/[^/]/.test(value), 'expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379'),
  AFFINITY_QUEUE_PREFIX: z
    .string()
    .trim()
    .default(DEFAULT_QUEUE_PREFIX)
    .refine((value) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value), 'expected letters, digits, "_", "." or "-" (no ":"), e.g. affinity-sync-staging'),
});

/** How long finished jobs stay in Redis (BullMQ `removeOnComplete` / `removeOnFail`). */
export interface JobRetention {
  /** Completed jobs kept at most: this many, none older than `completedAgeSeconds`. @defaultValue 1000 */
  completedCount: number;
  /** @defaultValue 604800 (7 days) */
  completedAgeSeconds: number;
  /** Failed jobs kept at most: this many, none older than `failedAgeSeconds`. @defaultValue 5000 */
  failedCount: number;
  /** @defaultValue 2592000 (30 days) */
  failedAgeSeconds: number;
}

export const DEFAULT_JOB_RETENTION: JobRetention = {
  completedCount: 1000,
  completedAgeSeconds: 7 * 24 * 3600,
  failedCount: 5000,
  failedAgeSeconds: 30 * 24 * 3600,
};

/** Connection and naming of the queue of one deployment. */
export interface QueueSettings {
  /** `REDIS_URL`. @defaultValue `redis://127.0.0.1:6379` */
  redisUrl: string;
  /** `AFFINITY_QUEUE_PREFIX`: BullMQ key prefix. @defaultValue `affinity-sync` */
  prefix: string;
  retention: JobRetention;
}

/**
 * Reads {@link QueueSettings} from the environment.
 * @throws ConfigError naming the variable when a value is malformed.
 */
export function readQueueSettings(env: NodeJS.ProcessEnv): QueueSettings {
  const parsed = environmentSchema.safeParse({
    REDIS_URL: env.REDIS_URL === '' ? undefined : env.REDIS_URL,
    AFFINITY_QUEUE_PREFIX: env.AFFINITY_QUEUE_PREFIX === '' ? undefined : env.AFFINITY_QUEUE_PREFIX,
  });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message })));
  }
  return { redisUrl: parsed.data.REDIS_URL, prefix: parsed.data.AFFINITY_QUEUE_PREFIX, retention: DEFAULT_JOB_RETENTION };
}

/** The URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'redis://(unparseable URL)';
  }
}
