/**
 * Progress on stderr for steps that take more than a second: a line when such a step starts
 * running long, a bar (cli-progress) when the step reports counts on a terminal, and its time at the end.
 * Quick steps print nothing.
 */
import cliProgress from 'cli-progress';
import type { ProgressListener } from '../pipeline/run-context.js';

const SHOW_AFTER_MS = 1000;

interface StepState {
  startedAt: number;
  shown: boolean;
  timer: NodeJS.Timeout;
  bar?: cliProgress.SingleBar;
}

/** Creates a listener that writes progress to `stream` (a TTY gets bars; files and pipes get plain lines). */
export function createProgressLine(stream: NodeJS.WritableStream & { isTTY?: boolean }): ProgressListener & { stop(): void } {
  const steps = new Map<string, StepState>();
  const show = (step: string, state: StepState) => {
    if (state.shown) return;
    state.shown = true;
    stream.write(`  … ${step}\n`);
  };
  const listener = (event: Parameters<ProgressListener>[0]) => {
    let state = steps.get(event.step);
    if (event.finished) {
      if (!state) return;
      clearTimeout(state.timer);
      state.bar?.stop();
      const seconds = ((Date.now() - state.startedAt) / 1000).toFixed(1);
      if (state.shown) stream.write(event.failed ? `  ✗ ${event.step} (failed after ${seconds} s)\n` : `  ✓ ${event.step} (${seconds} s)\n`);
      steps.delete(event.step);
      return;
    }
    if (!state) {
      const fresh: StepState = { startedAt: Date.now(), shown: false, timer: setTimeout(() => show(event.step, fresh), SHOW_AFTER_MS) };
      fresh.timer.unref();
      steps.set(event.step, fresh);
      state = fresh;
    }
    if (event.total !== undefined && stream.isTTY && Date.now() - state.startedAt > SHOW_AFTER_MS) {
      if (!state.bar) {
        show(event.step, state);
        state.bar = new cliProgress.SingleBar({ stream, format: '    {bar} {value}/{total}', hideCursor: false }, cliProgress.Presets.shades_classic);
        state.bar.start(event.total, event.done ?? 0);
      } else {
        state.bar.update(event.done ?? 0);
      }
    }
  };
  return Object.assign(listener, {
    stop() {
      for (const state of steps.values()) {
        clearTimeout(state.timer);
        state.bar?.stop();
      }
      steps.clear();
    },
  });
}
