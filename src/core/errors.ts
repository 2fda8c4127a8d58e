/**
 * The closed set of errors affinity-sync throws for whole-request or whole-input problems.
 *
 * Per-record problems are never thrown: connectors return them as {@link RecordOutcome}s.
 * Each class states its retry meaning; `src/queue/` maps them to BullMQ (retry with backoff,
 * `RateLimitError`, `UnrecoverableError`) and the CLI maps them to exit codes.
 */

/**
 * Exit codes of every command, for schedulers to alert on: 0 done, 1 a run failed (or failed in
 * part; retrying may help), 2 bad input (config, data, arguments, credentials; fix it first),
 * 3 the run did nothing (no segment to build, or every segment empty: nothing was written),
 * 130 interrupted (Ctrl-C).
 */
export const ExitCode = { ok: 0, runFailed: 1, badInput: 2, nothingDone: 3, interrupted: 130 } as const;

/** What an interrupted run (Ctrl-C, SIGTERM: its requests aborted) says, instead of `AbortError: …`. */
export const INTERRUPTED_MESSAGE = 'interrupted (Ctrl-C)';

/** Exit codes from least to most urgent: "nothing done" is worth an alert, a failure more so. */
const URGENCY: readonly number[] = [ExitCode.ok, ExitCode.nothingDone, ExitCode.runFailed, ExitCode.badInput, ExitCode.interrupted];

/** The more urgent of two exit codes (a code outside the table counts as a failed run). */
export function moreUrgentExitCode(a: number, b: number): number {
  const rank = (code: number) => (URGENCY.includes(code) ? URGENCY.indexOf(code) : URGENCY.indexOf(ExitCode.runFailed));
  return rank(b) > rank(a) ? b : a;
}

/** Base class: `userFacing` errors are printed as one clear message, never with a stack trace. */
export abstract class AffinitySyncError extends Error {
  /** True when the message alone tells the user what to fix. */
  abstract readonly userFacing: boolean;
  /** Whether doing the same thing again may succeed. */
  abstract readonly retryable: boolean;
  /** Process exit code when this error ends a CLI command. */
  abstract readonly exitCode: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem of a user's input, located as precisely as we can. */
export interface InputIssue {
  /** File the problem is in, as the user named it. */
  file?: string;
  /** 1-based line number in that file. */
  line?: number;
  /** Column name (CSV) or field path (config), e.g. `destinations[0].tag`. */
  field?: string;
  /** What is wrong and what was expected. */
  message: string;
}

/** Formats an {@link InputIssue} as `file:line: field: message`. */
export function formatIssue(issue: InputIssue): string {
  const where = [issue.file, issue.line !== undefined ? String(issue.line) : undefined]
    .filter((part) => part !== undefined)
    .join(':');
  const field = issue.field ? `${issue.field}: ` : '';
  return where ? `${where}: ${field}${issue.message}` : `${field}${issue.message}`;
}

/**
 * Bad input: a campaign file, a dataset, a CLI argument or a setting from the environment.
 * Never retried; exit code 2. Carries every problem found, so the user fixes them all at once.
 */
export class ConfigError extends AffinitySyncError {
  readonly userFacing = true;
  readonly retryable = false;
  readonly exitCode = ExitCode.badInput;
  readonly issues: InputIssue[];

  constructor(issues: InputIssue[] | string, options?: { cause?: unknown }) {
    const list = typeof issues === 'string' ? [{ message: issues }] : issues;
    super(list.map(formatIssue).join('\n'), options);
    this.issues = list;
  }
}

/** A dataset file that does not follow the Personalize CSV layout. Never retried; exit code 2. */
export class DataError extends ConfigError {}

/** Credentials missing, invalid or lacking a permission. Never retried; exit code 2. */
export class AuthError extends AffinitySyncError {
  readonly userFacing = true;
  readonly retryable = false;
  readonly exitCode = ExitCode.badInput;
}

/**
 * The remote service asked us to slow down. Retry after `retryAfterMs` without counting it as
 * a failed attempt (BullMQ: `Worker.RateLimitError`).
 */
export class RateLimitedError extends AffinitySyncError {
  readonly userFacing = true;
  readonly retryable = true;
  readonly exitCode = ExitCode.runFailed;

  constructor(
    message: string,
    /** How long to wait before the next request, in milliseconds. */
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A passing fault (timeout, connection reset, 5xx). Retry with exponential backoff and jitter. */
export class TransientError extends AffinitySyncError {
  readonly userFacing = true;
  readonly retryable = true;
  readonly exitCode = ExitCode.runFailed;
}

/**
 * A failure that will not go away by retrying (rejected request, a daily quota, a deleted list).
 * Not retried; the reason is kept on the run (BullMQ: `UnrecoverableError`).
 */
export class PermanentError extends AffinitySyncError {
  readonly userFacing = true;
  readonly retryable = false;
  readonly exitCode = ExitCode.runFailed;
}

/**
 * A quota for a whole period is spent (HubSpot's DAILY limit): nothing the credential asks succeeds
 * before `resetsAt`, so waiting inside a run makes no sense. The queue delays the job until then
 * without spending an attempt; the in-process `run` reports the audience as not synced and exits 1.
 */
export class QuotaExhaustedError extends AffinitySyncError {
  readonly userFacing = true;
  readonly retryable = false;
  readonly exitCode = ExitCode.runFailed;

  constructor(
    message: string,
    /** Which quota, in words (e.g. `HubSpot daily API limit`). */
    readonly quota: string,
    /** When the quota resets. */
    readonly resetsAt: Date,
    /** How `resetsAt` was worked out, in words (e.g. `midnight in the portal's time zone US/Eastern`). */
    readonly resetBasis: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for errors whose message is meant for the user as it is (no stack trace needed). */
export function isUserFacing(error: unknown): error is AffinitySyncError {
  return error instanceof AffinitySyncError && error.userFacing;
}
