/**
 * Audience sizes run after run, for charts (the console) and trend checks.
 */
import type { StateStore } from '../state/state-store.js';

export interface MemberCountPoint {
  runId: string;
  /** ISO 8601 start of the run. */
  startedAt: string;
  destinationIndex: number;
  connector: string;
  segment: string;
  audience: string;
  members: number;
}

/**
 * Members of each audience of `campaign` at each run (dry runs and unsynced segments left out),
 * oldest first, optionally since an ISO 8601 time.
 */
export async function memberCountsOverTime(store: StateStore, options: { campaign: string; since?: string }): Promise<MemberCountPoint[]> {
  // Retries (`retry-failed`) send a few records, not the audience: they are not a point of the series.
  let query = store.db
    .selectFrom('run_results')
    .innerJoin('runs', 'runs.run_id', 'run_results.run_id')
    .select(['run_results.run_id', 'run_results.started_at', 'run_results.destination_index', 'run_results.connector', 'run_results.segment', 'run_results.audience', 'run_results.members'])
    .where('run_results.campaign', '=', options.campaign)
    .where('run_results.audience', 'is not', null)
    .where('run_results.outcome', 'in', ['synced', 'partly failed'])
    .where('runs.trigger', '!=', 'retry');
  if (options.since) query = query.where('run_results.started_at', '>=', options.since);
  const rows = await query.orderBy('run_results.started_at').orderBy('run_results.destination_index').orderBy('run_results.segment_index').execute();
  return rows.map((row) => ({
    runId: row.run_id,
    startedAt: row.started_at,
    destinationIndex: row.destination_index,
    connector: row.connector,
    segment: row.segment,
    audience: row.audience ?? '',
    members: row.members,
  }));
}
