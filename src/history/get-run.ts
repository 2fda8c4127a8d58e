/**
 * One run in detail: what `affinity-sync runs show <run-id>` prints and the console's run page
 * shows. Per segment × destination: the query, the audience and where it lives, counts, skip
 * reasons, failure codes and the change vs the previous run; how the segments were made; the
 * campaign file's hash; alerts, retired audiences and failed records.
 */
import type { Alert } from '../alerts/evaluate-alerts.js';
import type { RetiredAudienceReport } from '../lifecycle/retire-audiences.js';
import type { SegmentProvenance } from '../segments/segment-provenance.js';
import type { StateStore } from '../state/state-store.js';
import { historyEntry, previousRun, reportOf, type RunHistoryEntry } from './list-runs.js';

/** One segment in one destination of a run. */
export interface RunAudienceResult {
  destinationIndex: number;
  connector: string;
  segment: string;
  query: string;
  /** Audience name; null when nothing was synced. */
  audience: string | null;
  location: string | null;
  /** `synced`, `partly failed`, `failed`, `not synced`, `dry run`. */
  outcome: string;
  members: number;
  added: number;
  alreadyMember: number;
  removed: number;
  skipped: number;
  failed: number;
  skipReasons: Record<string, number>;
  failureCodes: Record<string, number>;
  error: string | null;
  /** Members minus the same audience's members in the previous run; null when it was not there. */
  memberChange: number | null;
}

/** Failed records of a run, by code. */
export interface FailedRecordSummary {
  code: string;
  reason: string | null;
  retryable: boolean;
  count: number;
  /** Of them, tried again since (by a later run or `retry-failed`) and now in. */
  resolved: number;
  /** Of them, tried again and failed again. */
  failedAgain: number;
  /** Of them, not tried again yet (what `retry-failed <this run>` would send). */
  open: number;
  /**
   * The runs that tried them again (a later run of the campaign or `retry-failed`), oldest first,
   * with how many each resolved and how many failed again (those are that run's failed records now).
   */
  retriedBy: Array<{ runId: string; resolved: number; failedAgain: number; other: number }>;
}

export interface RunDetail extends RunHistoryEntry {
  campaignFile: string | null;
  /** SHA-256 (hex) of the campaign file as it was when the run started. */
  campaignFileHash: string | null;
  type: string | null;
  provenance: SegmentProvenance | null;
  dataEndsAt: string | null;
  results: RunAudienceResult[];
  alerts: number;
  alertList: Alert[];
  retired: RetiredAudienceReport[];
  failedRecords: FailedRecordSummary[];
  notes: string[];
}

/** The run `runId`, or undefined when the store does not know it. */
export async function getRun(store: StateStore, runId: string): Promise<RunDetail | undefined> {
  const run = await store.getRun(runId);
  if (!run) return undefined;
  const previous = await previousRun(store, run.campaign, run.startedAt, run.runId);
  const report = reportOf(run);
  const rows = await store.db.selectFrom('run_results').selectAll().where('run_id', '=', runId).orderBy('destination_index').orderBy('segment_index').execute();
  const before = previous
    ? await store.db.selectFrom('run_results').select(['destination_index', 'audience', 'members']).where('run_id', '=', previous.runId).execute()
    : [];
  const previousMembers = new Map(before.map((row) => [`${row.destination_index}\n${row.audience ?? ''}`, row.members]));
  const results: RunAudienceResult[] = rows.map((row) => {
    const was = row.audience === null ? undefined : previousMembers.get(`${row.destination_index}\n${row.audience}`);
    return {
      destinationIndex: row.destination_index,
      connector: row.connector,
      segment: row.segment,
      query: row.query,
      audience: row.audience,
      location: row.location,
      outcome: row.outcome,
      members: row.members,
      added: row.added,
      alreadyMember: row.already_member,
      removed: row.removed,
      skipped: row.skipped,
      failed: row.failed,
      skipReasons: JSON.parse(row.skip_reasons) as Record<string, number>,
      failureCodes: JSON.parse(row.failure_codes) as Record<string, number>,
      error: row.error,
      // A retry sends a run's failed records only: its audiences are no full count to compare with.
      memberChange: run.trigger === 'retry' || was === undefined || row.outcome === 'not synced' || row.outcome === 'failed' ? null : row.members - was,
    };
  });
  const failures = await store.db
    .selectFrom('record_failures')
    .select(['code', 'reason', 'retryable', 'resolution', 'retried_by_run_id'])
    .where('run_id', '=', runId)
    .orderBy('created_at')
    .execute();
  const byCode = new Map<string, FailedRecordSummary>();
  for (const failure of failures) {
    const key = `${failure.code}\n${failure.reason ?? ''}`;
    const summary = byCode.get(key) ?? { code: failure.code, reason: failure.reason, retryable: failure.retryable === 1, count: 0, resolved: 0, failedAgain: 0, open: 0, retriedBy: [] };
    summary.count += 1;
    if (failure.resolution === null) summary.open += 1;
    if (failure.resolution === 'resolved') summary.resolved += 1;
    if (failure.resolution === 'failed again') summary.failedAgain += 1;
    if (failure.retried_by_run_id !== null) {
      let by = summary.retriedBy.find((entry) => entry.runId === failure.retried_by_run_id);
      if (!by) {
        by = { runId: failure.retried_by_run_id, resolved: 0, failedAgain: 0, other: 0 };
        summary.retriedBy.push(by);
      }
      if (failure.resolution === 'resolved') by.resolved += 1;
      else if (failure.resolution === 'failed again') by.failedAgain += 1;
      else by.other += 1;
    }
    byCode.set(key, summary);
  }
  return {
    ...historyEntry(run, previous),
    campaignFile: report?.file ?? null,
    campaignFileHash: run.campaignFileHash,
    type: report?.type ?? null,
    provenance: report?.provenance ?? null,
    dataEndsAt: report?.dataEndsAt ?? null,
    results,
    alertList: report?.alerts ?? [],
    retired: (report?.destinations ?? []).flatMap((destination) => ('error' in destination ? [] : (destination.retired ?? []))),
    failedRecords: [...byCode.values()],
    notes: report?.notes ?? [],
  };
}
