/**
 * The apply step of an audience sync: runs chunks at most `concurrency` at a time, and stops
 * starting new ones at the first error or when `signal` aborts.
 */
import pLimit from 'p-limit';

/**
 * Runs `run` for every chunk.
 * @returns the first error (the other chunks in flight finish), or undefined when all ran.
 */
export async function applyChunks<Chunk>(chunks: readonly Chunk[], options: { concurrency: number; signal?: AbortSignal; run: (chunk: Chunk, stop: AbortSignal) => Promise<void> }): Promise<Error | undefined> {
  const stop = new AbortController();
  const onOuterAbort = (): void => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let firstError: Error | undefined;
  const limit = pLimit(Math.max(1, options.concurrency));
  await Promise.all(
    chunks.map((chunk) =>
      // Caught inside the task, so the stop flag is set before p-limit starts the next chunk.
      limit(async () => {
        if (stop.signal.aborted) return;
        try {
          await options.run(chunk, stop.signal);
        } catch (error) {
          firstError ??= error instanceof Error ? error : new Error(String(error));
          stop.abort(error);
        }
      }),
    ),
  );
  options.signal?.removeEventListener('abort', onOuterAbort);
  if (firstError === undefined && options.signal?.aborted) firstError = new Error('audience sync stopped', { cause: options.signal.reason });
  return firstError;
}
