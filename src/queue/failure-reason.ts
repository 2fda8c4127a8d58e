/**
 * A job's failure reason as a person reads it, and the exit code it maps to.
 *
 * BullMQ keeps only a string per failed job (`failedReason`); the error boundary
 * (`error-boundary.ts`) writes ours as `<ErrorClass>: <message>` so the class, and with it the exit
 * code, survives the trip through Redis. Whoever shows the reason to a person (the run's row in
 * the history, `status`) reads it through {@link readFailureReason}: the message without the class
 * name, and the exit code an in-process run ending with that error would have had.
 */
import { ExitCode, INTERRUPTED_MESSAGE } from '../core/errors.js';

/** Error classes whose name may lead a failure reason, and the exit code each maps to. */
const EXIT_CODE_OF_CLASS: Readonly<Record<string, number>> = {
  ConfigError: ExitCode.badInput,
  DataError: ExitCode.badInput,
  AuthError: ExitCode.badInput,
  PermanentError: ExitCode.runFailed,
  TransientError: ExitCode.runFailed,
  RateLimitedError: ExitCode.runFailed,
  QuotaExhaustedError: ExitCode.runFailed,
  CampaignBusyError: ExitCode.runFailed,
  UnrecoverableError: ExitCode.runFailed,
  Error: ExitCode.runFailed,
};

/** A failure reason split into what to show and the exit code it maps to. */
export interface FailureReason {
  /** The reason without a leading error class name (`ConfigError: `), or {@link INTERRUPTED_MESSAGE}. */
  message: string;
  /** 2 bad input (config, data, credentials), 130 interrupted, else 1. */
  exitCode: number;
}

/**
 * Reads a failure reason such as `ConfigError: every.yaml:5: segment.numResult: unknown key`.
 * A reason without a known class name keeps its text and maps to exit code 1.
 */
export function readFailureReason(reason: string): FailureReason {
  const match = /^([A-Z][A-Za-z]*Error): ([\s\S]*)$/.exec(reason);
  if (match?.[1] === 'AbortError') return { message: INTERRUPTED_MESSAGE, exitCode: ExitCode.interrupted };
  if (match && match[1] !== undefined && match[2] !== undefined && match[1] in EXIT_CODE_OF_CLASS) {
    return { message: match[2], exitCode: EXIT_CODE_OF_CLASS[match[1]] ?? ExitCode.runFailed };
  }
  return { message: reason, exitCode: ExitCode.runFailed };
}

/** The reason's message only (see {@link readFailureReason}). */
export function failureMessage(reason: string): string {
  return readFailureReason(reason).message;
}
