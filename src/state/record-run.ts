/**
 * Wraps a run so the state store has its row from start to end, whatever happens in between.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ExitCode, INTERRUPTED_MESSAGE, isUserFacing } from '../core/errors.js';
import type { RunStatus } from './database.js';
import type { NewRun, RunEnd, StateStore } from './state-store.js';

/** SHA-256 (hex) of a file's bytes, or undefined when it cannot be read. */
export async function fileSha256(file: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * The first line of an error's message, at most 500 characters (what a run row keeps). An aborted
 * request (`AbortError`) reads `interrupted (Ctrl-C)`; an unexpected error keeps its class name.
 */
export function errorLine(error: unknown): string {
  if (error instanceof Error && error.name === 'AbortError') return INTERRUPTED_MESSAGE;
  const message = error instanceof Error ? `${isUserFacing(error) ? '' : `${error.name}: `}${error.message}` : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 500);
}

/** The recorded status of a run that ended with `exitCode` (a run that had nothing to do still succeeded). */
export function runStatusOf(exitCode: number): Exclude<RunStatus, 'running' | 'skipped'> {
  if (exitCode === ExitCode.ok || exitCode === ExitCode.nothingDone) return 'succeeded';
  return exitCode === ExitCode.interrupted ? 'interrupted' : 'failed';
}

/** Records a run that did not start because another run of its campaign held the lease. */
export async function recordSkippedRun(store: StateStore, run: NewRun, message: string): Promise<void> {
  await store.startRun(run);
  await store.finishRun(run.runId, { status: 'skipped', error: message, exitCode: ExitCode.runFailed });
}

/**
 * Records `run` as running, runs `body`, then records how it ended: `end(result)` when it
 * returned; `failed` (or `interrupted` when `signal` was aborted) with the error's first line when
 * it threw, and rethrows. Without a store, just runs `body`.
 */
export async function recordRun<T>(
  store: StateStore | undefined,
  run: NewRun,
  body: () => Promise<T>,
  end: (result: T) => RunEnd,
  signal?: AbortSignal,
): Promise<T> {
  if (store === undefined) return body();
  await store.startRun(run);
  let result: T;
  try {
    result = await body();
  } catch (error) {
    const interrupted = signal?.aborted === true;
    await store.finishRun(run.runId, {
      status: interrupted ? 'interrupted' : 'failed',
      error: interrupted ? INTERRUPTED_MESSAGE : errorLine(error),
      exitCode: interrupted ? ExitCode.interrupted : isUserFacing(error) ? error.exitCode : 1,
    });
    throw error;
  }
  await store.finishRun(run.runId, end(result));
  return result;
}
