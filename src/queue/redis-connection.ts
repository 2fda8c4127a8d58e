/**
 * Redis connections for the queue: fail fast with a clear message when Redis is unreachable or
 * refuses the credentials, warn when its eviction policy could drop jobs, and log outages as
 * structured lines ({@link RedisOutageLog}).
 */
import { Redis } from 'ioredis';
import { AuthError, TransientError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { redactRedisUrl, type QueueSettings } from './queue-settings.js';
import { RedisOutageLog } from './redis-outage-log.js';

export interface OpenRedisOptions {
  /**
   * `command`: a short CLI command; after the first connection, gives up after a few reconnects.
   * `worker`: a long-running worker; once connected, reconnects for ever (BullMQ needs
   * `maxRetriesPerRequest: null` for workers).
   */
  purpose: 'command' | 'worker';
  /** How long the first connection may take, in milliseconds. @defaultValue 3000 */
  connectTimeoutMs?: number;
  /** Called with a warning for the operator (the eviction policy). */
  onWarning?: (message: string) => void;
  /** Where outages after the first connection are logged. @defaultValue silentLogger */
  logger?: Logger;
}

/** An open connection, and the outage log that every BullMQ object built on it should report to. */
export interface OpenRedis {
  client: Redis;
  outages: RedisOutageLog;
}

/** Redis replies that mean the credentials of `REDIS_URL` were refused (ACL or `requirepass`). */
const AUTH_REPLY = /\b(WRONGPASS|NOAUTH)\b/;

/**
 * Connects to `settings.redisUrl` and checks it answers.
 * @throws TransientError "Redis at … is unreachable" when the first connection fails (no endless reconnects);
 * AuthError "Redis at … refused the credentials in REDIS_URL" for WRONGPASS / NOAUTH. Messages never show the password.
 */
export async function openRedis(settings: QueueSettings, options: OpenRedisOptions): Promise<OpenRedis> {
  let connected = false;
  let lastError: Error | undefined;
  const client = new Redis(settings.redisUrl, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 3000,
    maxRetriesPerRequest: options.purpose === 'worker' ? null : 2,
    retryStrategy: (times) => {
      if (!connected) return null;
      if (options.purpose === 'command' && times > 3) return null;
      return Math.min(times * 200, 5000);
    },
  });
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    connected = true;
  } catch (error) {
    client.disconnect();
    const reason = (lastError ?? (error instanceof Error ? error : undefined))?.message ?? String(error);
    const where = redactRedisUrl(settings.redisUrl);
    if (AUTH_REPLY.test(reason)) {
      throw new AuthError(`Redis at ${where} refused the credentials in REDIS_URL (${reason.replace(/^Ready check failed: /, '')})`, { cause: error });
    }
    throw new TransientError(`Redis at ${where} is unreachable (${reason}). Start Redis or set REDIS_URL.`, { cause: error });
  }
  const outages = new RedisOutageLog({ logger: options.logger ?? silentLogger, connection: redactRedisUrl(settings.redisUrl) });
  outages.watchClient(client);
  const policy = await readEvictionPolicy(client);
  if (policy !== undefined && policy !== 'noeviction') {
    options.onWarning?.(
      `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction", or Redis may drop queued jobs under memory pressure (redis-cli CONFIG SET maxmemory-policy noeviction).`,
    );
  }
  return { client, outages };
}

/** `maxmemory-policy` from `INFO memory` (CONFIG is often disabled on managed Redis), or undefined. */
async function readEvictionPolicy(client: Redis): Promise<string | undefined> {
  try {
    const info = await client.info('memory');
    return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  } catch {
    return undefined;
  }
}
