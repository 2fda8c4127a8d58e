/**
 * Structured logging (pino) to stderr. Logs never carry an email address or a key: log counts
 * and {@link hashId}s instead.
 */
import { createHash } from 'node:crypto';
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Creates the process logger; level from `LOG_LEVEL` (default `warn`, so CLI output stays readable). */
export function createLogger(level = process.env.LOG_LEVEL ?? 'warn'): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}

/** A silent logger, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Short, stable, non-reversible id of a personal value (email, USER_ID) for logs: first 12 hex of SHA-256. */
export function hashId(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}
