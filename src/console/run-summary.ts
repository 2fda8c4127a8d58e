/**
 * What a run did, in the console's terms, from its final report: one row per segment × destination
 * (the audience), totals, the match rate, and its outcome in words.
 */
import type { DestinationReport } from '../pipeline/sync-campaign-destination.js';
import type { ConsoleRun } from './console-source.js';
import { errorInWords, failureCodeInWords } from './failure-words.js';

/** One segment in one destination. */
export interface AudienceResult {
  segment: string;
  query: string;
  connector: string;
  destinationIndex: number;
  /** Tag, list or file name; undefined when the segment never reached the destination. */
  audienceName?: string;
  /** Where a person finds it (file path, audience and tag), as the connector says. */
  location?: string;
  /** Vendor id of the audience (Mailchimp segment id, HubSpot list id, file path). */
  audienceId?: string;
  mode?: string;
  /** The destination replaces the whole audience each run (the file connector). */
  snapshot?: boolean;
  usersInSegment: number;
  matched: number;
  members: number;
  added: number;
  alreadyMember: number;
  removed: number;
  skipped: number;
  failed: number;
  /** Dry runs: the plan. */
  wouldAdd: number;
  wouldRemove: number;
  /** Skip reasons and failure codes, each in words with its count. */
  skipReasons: Array<{ reason: string; count: number }>;
  failures: Array<{ reason: string; count: number }>;
  /** Why this audience was not synced, in words. */
  error?: string;
}

export interface RunSummary {
  /** `succeeded`, `failed`, `partly failed`, `dry run`, `running`, or the store's status. */
  outcome: string;
  segments: number;
  usersInSegment: number;
  matched: number;
  /** Distinct emails over all segments. */
  members: number;
  /** matched / users in segments, 0–1; undefined without segments. */
  matchRate?: number;
  added: number;
  alreadyMember: number;
  removed: number;
  skipped: number;
  failed: number;
  wouldAdd: number;
  wouldRemove: number;
  rows: AudienceResult[];
  /** Whole-run and whole-destination failures, in words. */
  problems: string[];
  notes: string[];
}

function isDestinationReport(destination: object): destination is DestinationReport {
  return !('error' in destination);
}

/** Summarises a run; a run without a report (in progress, or failed early) gets zero counts. */
export function summariseRun(run: ConsoleRun): RunSummary {
  const report = run.report;
  const rows: AudienceResult[] = [];
  const problems: string[] = [];
  const notes: string[] = [...(report?.notes ?? [])];
  if (run.error) problems.push(errorInWords(run.error));

  for (const [index, segment] of (report?.segments ?? []).entries()) {
    for (const note of segment.notes ?? []) notes.push(`${segment.label}: ${note}`);
    if (segment.error) problems.push(`segment ${segment.label}: ${errorInWords(segment.error)}`);
    for (const destination of report?.destinations ?? []) {
      const base = {
        segment: segment.label,
        query: segment.query,
        connector: destination.connector,
        destinationIndex: destination.destinationIndex,
        usersInSegment: segment.usersInSegment,
        matched: segment.matched,
        members: segment.members,
      };
      const zero = { added: 0, alreadyMember: 0, removed: 0, skipped: 0, failed: 0, wouldAdd: 0, wouldRemove: 0, skipReasons: [], failures: [] };
      if (!isDestinationReport(destination)) {
        rows.push({ ...base, ...zero, error: `destination ${destination.destinationIndex + 1} (${destination.connector}) failed: see “What went wrong”` });
        continue;
      }
      const entry = destination.segments[index];
      const sync = entry?.sync;
      if (!sync) {
        const error = entry?.skippedBecause
          ? 'not synced: the segment failed'
          : entry?.deferred
            ? `not synced: ${entry.deferred.quota} reached, retry after ${entry.deferred.retryAfter}`
            : entry?.error ? errorInWords(entry.error) : 'not synced';
        rows.push({ ...base, ...zero, mode: destination.mode, error });
        continue;
      }
      rows.push({
        ...base,
        mode: sync.mode,
        snapshot: sync.snapshot,
        audienceName: sync.audience.name,
        audienceId: sync.audience.id,
        ...(sync.audience.location ? { location: sync.audience.location } : {}),
        added: sync.outcomes.added,
        alreadyMember: sync.outcomes.alreadyMember,
        removed: sync.outcomes.removed,
        skipped: sync.outcomes.skipped,
        failed: sync.outcomes.failed,
        wouldAdd: sync.dryRun ? sync.plan.add : 0,
        wouldRemove: sync.dryRun ? sync.plan.remove : 0,
        skipReasons: Object.entries(sync.skipReasons).map(([reason, count]) => ({ reason, count })),
        failures: Object.entries(sync.failureCodes).map(([code, count]) => ({ reason: failureCodeInWords(code, sync.connector), count })),
        ...(entry.error ? { error: errorInWords(entry.error) } : {}),
      });
    }
  }
  for (const destination of report?.destinations ?? []) {
    if (!isDestinationReport(destination)) problems.push(`destination ${destination.destinationIndex + 1} (${destination.connector}): ${errorInWords(destination.error)}`);
  }

  const segments = report?.segments ?? [];
  const sum = (pick: (row: AudienceResult) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const usersInSegment = segments.reduce((total, segment) => total + segment.usersInSegment, 0);
  const matched = segments.reduce((total, segment) => total + segment.matched, 0);
  const failed = sum((row) => row.failed);
  const anyError = problems.length > 0 || rows.some((row) => row.error !== undefined);
  return {
    outcome: outcomeOf(run, anyError, failed),
    segments: segments.length,
    usersInSegment,
    matched,
    members: segments.reduce((total, segment) => total + segment.members, 0),
    ...(usersInSegment > 0 ? { matchRate: matched / usersInSegment } : {}),
    added: sum((row) => row.added),
    alreadyMember: sum((row) => row.alreadyMember),
    removed: sum((row) => row.removed),
    skipped: sum((row) => row.skipped),
    failed,
    wouldAdd: sum((row) => row.wouldAdd),
    wouldRemove: sum((row) => row.wouldRemove),
    rows,
    problems,
    notes,
  };
}

function outcomeOf(run: ConsoleRun, anyError: boolean, failedRecords: number): string {
  if (!run.report) return run.status;
  if (run.status === 'failed' && !run.report.segments.length) return 'failed';
  if (run.dryRun) return anyError ? 'dry run, failed' : 'dry run';
  if (anyError) return run.report.destinations.length > 0 && run.report.segments.some((segment) => !segment.error) ? 'partly failed' : 'failed';
  if (failedRecords > 0) return 'some records failed';
  return 'succeeded';
}
