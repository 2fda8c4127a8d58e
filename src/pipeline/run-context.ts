/**
 * Everything one campaign run needs from its caller: the CLI (`run`) or a BullMQ worker.
 */
import type { Logger } from '../core/logger.js';
import type { Datasets } from '../datasets/datasets.js';
import type { RunTrigger } from '../state/database.js';
import type { StateStore } from '../state/state-store.js';
import type { RateBudgets } from '../rate-budget/rate-budgets.js';

/** Progress of a long step, for a progress line on the terminal. */
/** Progress of a long step: `finished` when it ends, with `failed` when it ended in an error. */
export type ProgressListener = (event: { step: string; done?: number; total?: number; finished?: boolean; failed?: boolean }) => void;

export interface RunContext {
  /** The process environment: secrets (API keys, tokens) are read from here only. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Directory for run state that must survive a crash (segments of a run, Personalize jobs). */
  stateDir: string;
  /** Directory relative destination paths (the file connector's `dir`) resolve against. */
  cwd: string;
  /** Plan and report only: read from destinations, never write. */
  dryRun: boolean;
  /** Dataset directory that overrides the campaign's `data`. */
  dataDir?: string;
  /** Id of this run; derived from the campaign name and the start time when absent. */
  runId?: string;
  /** `runId` names an earlier run to resume (`run --run-id`): it must have left provider state. */
  resume?: boolean;
  /** Datasets already loaded, by absolute directory: one load per directory per process. */
  datasetCache?: Map<string, Promise<Datasets>>;
  onProgress?: ProgressListener;
  /** The sync-state store (runs, audience snapshots, leases); without it nothing is remembered. */
  state?: StateStore;
  /** Send every member to every destination, not only the change since the last sync (`run --full-resync`). */
  fullResync?: boolean;
  /** What started this run, as recorded in the store. @defaultValue 'cli' */
  trigger?: RunTrigger;
  /** Stops the run between requests (Ctrl-C, SIGTERM): unfinished audiences are rolled back where the connector can. */
  signal?: AbortSignal;
  /**
   * Where the request budgets of destination credentials live: a queue worker passes its Redis ones
   * (shared by every worker). @defaultValue this process's budgets
   */
  rateBudgets?: RateBudgets;
}
