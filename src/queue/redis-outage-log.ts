/**
 * Turns the error events of a Redis connection and of the BullMQ objects built on it into a few
 * structured log lines: one warn when the connection is lost (repeated at most every 10 s while it
 * stays lost), one info when it is back.
 *
 * Without an `error` listener, ioredis prints "[ioredis] Unhandled error event" and BullMQ prints
 * the whole error (stack, errno, syscall) to stderr on every reconnect attempt.
 */
import type { Logger } from '../core/logger.js';

/** Error codes of a lost or refused TCP connection (Node `errno` names). */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** True for an error that means "Redis cannot be reached right now" (as opposed to a failed command). */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && CONNECTION_ERROR_CODES.has(code)) return true;
  return /^(Connection is closed|connect ETIMEDOUT|Stream isn't writeable)/.test(error.message);
}

/** The error's code (`ECONNREFUSED`), or its first word (`WRONGPASS`), for a one-line log. */
export function redisErrorCode(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? /^[A-Z]+\b/.exec(error.message)?.[0] ?? error.name;
}

/** Something with error events: an ioredis client, a BullMQ Queue, Worker, QueueEvents or FlowProducer. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** An ioredis client: error events, and `ready` once (re)connected. */
export interface RedisClientEvents {
  on(event: 'error' | 'ready', listener: (error: Error) => void): unknown;
}

export interface RedisOutageLogOptions {
  logger: Logger;
  /** Names the connection in the log lines: the Redis URL without its password. */
  connection: string;
  /** Least time between two "connection lost" warnings, in milliseconds. @defaultValue 10000 */
  quietMs?: number;
  /** Clock, in epoch milliseconds (tests). @defaultValue Date.now */
  now?: () => number;
}

/**
 * One per Redis connection and everything built on it (a worker's duplicated blocking connection
 * included), so an outage seen by all of them is reported once.
 */
export class RedisOutageLog {
  private readonly quietMs: number;
  private readonly now: () => number;
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private lostAt: number | undefined;
  private failedAttempts = 0;
  private closing = false;

  constructor(private readonly options: RedisOutageLogOptions) {
    this.quietMs = options.quietMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Watches an ioredis client: its errors (other errors log as "redis error"), and its `ready` event after an outage. */
  watchClient(client: RedisClientEvents): void {
    client.on('error', (error) => this.error(error, 'redis'));
    client.on('ready', () => this.ready());
  }

  /** Watches a BullMQ object; errors that are not connection errors log as "`source` error", e.g. "worker error". */
  watch(emitter: ErrorEmitter, source: string): void {
    emitter.on('error', (error) => this.error(error, source));
  }

  /** From now on the connections are being closed on purpose: their errors ("Connection is closed") are not outages. */
  close(): void {
    this.closing = true;
  }

  /** Reports an error event: connection errors as at most one warn line per `quietMs`, others as one error line each. */
  error(error: unknown, source: string): void {
    if (this.closing) return;
    if (!isRedisConnectionError(error)) {
      this.options.logger.error({ connection: this.options.connection, error: error instanceof Error ? error.message : String(error) }, `${source} error`);
      return;
    }
    const now = this.now();
    this.failedAttempts += 1;
    this.lostAt ??= now;
    // Reconnect attempts fail many times a second; a long outage gets a reminder every `quietMs`.
    if (now - this.lastWarningAt < this.quietMs) return;
    this.lastWarningAt = now;
    this.options.logger.warn(
      { connection: this.options.connection, code: redisErrorCode(error), downMs: now - this.lostAt, failedAttempts: this.failedAttempts },
      'redis connection lost; reconnecting',
    );
  }

  /** The connection answers again: one info line when it had been lost. */
  ready(): void {
    if (this.lostAt === undefined || this.closing) return;
    this.options.logger.info(
      { connection: this.options.connection, downMs: this.now() - this.lostAt, failedAttempts: this.failedAttempts },
      'redis connection restored',
    );
    this.lostAt = undefined;
    this.failedAttempts = 0;
  }
}
