/**
 * Small helpers to run an engine kernel in worker threads over shared memory.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Worker threads to use by default: one per core, at most 4. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * URL of a worker entry module next to this file. Under tsx or vitest the sources are `.ts`;
 * in the build they are `.js`.
 */
export function workerUrl(baseName: string): URL {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${baseName}${extension}`, import.meta.url);
}

/** Runs one worker to completion and resolves to the first message it posts. */
export function runWorker<T>(url: URL, workerData: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // From TypeScript sources (tsx, vitest) the worker registers tsx's loader first; the build runs the .js directly.
    const worker = url.pathname.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, {
          eval: true,
          workerData,
        })
      : new Worker(url, { workerData });
    let settled = false;
    worker.once('message', (message: T) => {
      settled = true;
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`engine worker exited with code ${code} before answering`));
    });
  });
}

type AnyTypedArray = Int32Array | Float64Array | Float32Array | Uint8Array;

/** A copy of `array` backed by a SharedArrayBuffer (workers then read it without copying). */
export function toShared<T extends AnyTypedArray>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Constructor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const shared = new Constructor(new SharedArrayBuffer(array.byteLength));
  (shared as unknown as { set(source: T): void }).set(array);
  return shared;
}
