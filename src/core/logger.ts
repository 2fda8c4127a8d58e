/**
 * Structured logging (pino) to stderr. Logs never carry an email address or a key: log counts
 * and {@link hashId}s instead.
 */
import { createHash } from 'node:crypto';
import { pino, type Logger as PinoLogger } from 'pino';
import { ConfigError } from './errors.js';

export type Logger = PinoLogger;

/** Levels `LOG_LEVEL` may name. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Creates the process logger; level from `LOG_LEVEL` (default `warn`, so CLI output stays readable).
 * @throws ConfigError when the level is not one of {@link LOG_LEVELS}.
 */
export function createLogger(level: string | undefined = process.env.LOG_LEVEL): Logger {
  const chosen = level === undefined || level.trim() === '' ? 'warn' : level.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(chosen)) {
    throw new ConfigError(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }
  return pino({ level: chosen, base: undefined }, pino.destination(2));
}

/** A silent logger, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Short, stable, non-reversible id of a personal value (email, USER_ID) for logs: first 12 hex of SHA-256. */
export function hashId(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}
