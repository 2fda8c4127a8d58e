/**
 * The run history, newest first: what `affinity-sync history` prints and the console shows.
 */
import type { CampaignReport } from '../pipeline/run-campaign.js';
import type { RunStatus, RunTrigger } from '../state/database.js';
import type { RunRecord, StateStore } from '../state/state-store.js';
import { runTotals, type RunTotals } from './run-totals.js';

/** One run in the history. */
export interface RunHistoryEntry extends RunTotals {
  runId: string;
  campaign: string;
  trigger: RunTrigger;
  status: RunStatus;
  dryRun: boolean;
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string | null;
  /** Wall time in milliseconds, null while running. */
  durationMs: number | null;
  /** Members now minus members in the previous run of the campaign (dry runs and runs without segments skipped); null for a first run. */
  memberChange: number | null;
  /** The run `memberChange` compares with. */
  previousRunId: string | null;
  /** Alerts the run raised. */
  alerts: number;
  /** Why it failed or was skipped (one line). */
  error: string | null;
}

/** The report of a stored run, when it has one. */
export function reportOf(run: RunRecord): CampaignReport | undefined {
  const report = run.report as CampaignReport | null;
  return report && typeof report === 'object' && Array.isArray(report.segments) ? report : undefined;
}

/** True when a run can be compared with: a finished campaign run (not a dry run, not a retry) with segments. */
export function isComparable(run: RunRecord): boolean {
  const report = reportOf(run);
  return !run.dryRun && run.trigger !== 'retry' && run.status !== 'running' && run.status !== 'skipped' && report !== undefined && report.segments.length > 0;
}

/** The latest comparable run of `campaign` that started before `startedAt` (ISO 8601). */
export async function previousRun(store: StateStore, campaign: string, startedAt: string, excludeRunId?: string): Promise<RunRecord | undefined> {
  const rows = await store.db
    .selectFrom('runs')
    .select('run_id')
    .where('campaign', '=', campaign)
    .where('started_at', '<=', startedAt)
    .where('dry_run', '=', 0)
    .where('trigger', '!=', 'retry')
    .where('report', 'is not', null)
    .where('status', 'in', ['succeeded', 'failed'])
    .orderBy('started_at', 'desc')
    .limit(20)
    .execute();
  for (const row of rows) {
    if (row.run_id === excludeRunId) continue;
    const run = await store.getRun(row.run_id);
    if (run && isComparable(run)) return run;
  }
  return undefined;
}

/** A stored run as a history entry; `previous` is the run it compares with. */
export function historyEntry(run: RunRecord, previous: RunRecord | undefined): RunHistoryEntry {
  const report = reportOf(run);
  const totals = runTotals(report);
  const previousTotals = previous ? runTotals(reportOf(previous)) : undefined;
  return {
    runId: run.runId,
    campaign: run.campaign,
    trigger: run.trigger,
    status: run.status,
    dryRun: run.dryRun,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null,
    ...totals,
    memberChange: previousTotals && report && report.segments.length > 0 && run.trigger !== 'retry' ? totals.members - previousTotals.members : null,
    previousRunId: previous?.runId ?? null,
    alerts: report?.alerts?.length ?? 0,
    error: run.error,
  };
}

/**
 * Runs newest first, of every trigger (cli, enqueue, schedule, retry), of one campaign or all.
 * @param options.limit - most runs returned. @defaultValue 20
 */
export async function listRuns(store: StateStore, options: { campaign?: string; limit?: number } = {}): Promise<RunHistoryEntry[]> {
  const runs = await store.listRuns({ ...(options.campaign ? { campaign: options.campaign } : {}), limit: options.limit ?? 20 });
  const entries: RunHistoryEntry[] = [];
  for (const [index, run] of runs.entries()) {
    // The previous run of the same campaign is usually further down the page; else it is looked up.
    const later = runs.slice(index + 1).find((candidate) => candidate.campaign === run.campaign && isComparable(candidate));
    const previous = later ?? (await previousRun(store, run.campaign, run.startedAt, run.runId));
    entries.push(historyEntry(run, previous));
  }
  return entries;
}
