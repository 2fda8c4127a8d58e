/**
 * Graceful shutdown of a long-running queue process (worker, dashboard) on SIGTERM / SIGINT.
 */

export interface ShutdownOptions {
  /** @defaultValue ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
  /** Called when the first signal arrives (e.g. to print "draining…"). */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** Called when a second signal arrives while still closing (e.g. to exit at once). */
  onSecondSignal?: (signal: NodeJS.Signals) => void;
}

/**
 * Resolves once a signal arrived and `close` finished. Until then the process keeps running.
 * Listeners are removed afterwards, so the process exits on its own when nothing else is open.
 */
export function shutdownOnSignals(close: () => Promise<void>, options: ShutdownOptions = {}): Promise<void> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  return new Promise((resolve, reject) => {
    let closing = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (closing) {
        options.onSecondSignal?.(signal);
        return;
      }
      closing = true;
      options.onSignal?.(signal);
      close().then(
        () => {
          for (const name of signals) process.off(name, onSignal);
          resolve();
        },
        (error: unknown) => {
          for (const name of signals) process.off(name, onSignal);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    for (const name of signals) process.on(name, onSignal);
  });
}
