/**
 * Retention: runs, their results, failed records and retirement records older than the retention
 * period are deleted (audiences and their snapshots are not history: they stay).
 */
import { ConfigError } from '../core/errors.js';
import type { StateStore } from '../state/state-store.js';

/** Environment variable with the retention in days. */
export const HISTORY_RETENTION_VARIABLE = 'AFFINITY_HISTORY_RETENTION_DAYS';

/** About 13 months: a year of history plus the month before, for year-over-year comparisons. */
export const DEFAULT_HISTORY_RETENTION_DAYS = 400;

/**
 * The retention in days from `AFFINITY_HISTORY_RETENTION_DAYS`, else the default.
 * @throws ConfigError when it is set but not a whole number of days ≥ 1
 */
export function historyRetentionDays(env: NodeJS.ProcessEnv): number {
  const raw = env[HISTORY_RETENTION_VARIABLE]?.trim();
  if (!raw) return DEFAULT_HISTORY_RETENTION_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) {
    throw new ConfigError([{ field: HISTORY_RETENTION_VARIABLE, message: `expected a whole number of days, at least 1 (default ${DEFAULT_HISTORY_RETENTION_DAYS}), got "${raw}"` }]);
  }
  return days;
}

/** What a prune deleted. */
export interface PruneResult {
  runs: number;
  failedRecords: number;
}

/** Deletes the history older than `days` before `now`. */
export async function pruneHistory(store: StateStore, days: number, now: Date = new Date()): Promise<PruneResult> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  return store.db.transaction().execute(async (trx) => {
    const old = trx.selectFrom('runs').select('run_id').where('started_at', '<', cutoff).where('status', '!=', 'running');
    const failures = await trx.deleteFrom('record_failures').where('run_id', 'in', old).executeTakeFirst();
    await trx.deleteFrom('audience_retirements').where('run_id', 'in', old).execute();
    await trx.deleteFrom('run_results').where('started_at', '<', cutoff).execute();
    const runs = await trx.deleteFrom('runs').where('started_at', '<', cutoff).where('status', '!=', 'running').executeTakeFirst();
    return { runs: Number(runs.numDeletedRows), failedRecords: Number(failures.numDeletedRows) };
  });
}
