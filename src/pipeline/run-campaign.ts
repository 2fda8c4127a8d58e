/**
 * One campaign run in-process: segments, then every destination. The BullMQ worker runs the same
 * two steps as separate jobs.
 */
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import type { Alert } from '../alerts/evaluate-alerts.js';
import { alertFailedRun } from '../alerts/alert-failed-run.js';
import { completeRunHistory } from '../history/complete-run-history.js';
import type { AlertDelivery } from '../alerts/send-alert-webhook.js';
import { ExitCode, isUserFacing, moreUrgentExitCode } from '../core/errors.js';
import type { SegmentProvenance } from '../segments/segment-provenance.js';
import { CampaignBusyError, holdCampaignLease } from '../state/campaign-lease.js';
import { fileSha256, recordRun, recordSkippedRun, runStatusOf } from '../state/record-run.js';
import type { CampaignSegments } from './campaign-segments.js';
import type { AffinityCounts } from '../controls/affinity-floor.js';
import type { SegmentControlCounts } from '../controls/select-segment-users.js';
import { generateCampaignSegments } from './generate-campaign-segments.js';
import type { RunContext } from './run-context.js';
import { makeRunId } from './run-id.js';
import { checkDestinations, syncCampaignDestination, type DestinationReport } from './sync-campaign-destination.js';

/** A destination that failed as a whole (bad credentials, a rejected request, retries exhausted). */
export interface FailedDestination {
  destinationIndex: number;
  connector: string;
  error: string;
  /** 2 for the user's input (config, credentials), 1 for a failed run. */
  exitCode: number;
}

/** What one campaign run did. */
export interface CampaignReport {
  campaign: string;
  file: string;
  type: string;
  runId: string;
  dryRun: boolean;
  /** Segments with their counts (members themselves are left out of the report). */
  segments: Array<{
    label: string;
    query: string;
    usersInSegment: number;
    matched: number;
    unmatched: number;
    /** Distinct emails: the audience members. */
    members: number;
    mergedDuplicates: number;
    error: string | null;
    /** What the user should know about this segment (a fallback the provider used). */
    notes?: string[];
    /** What the marketing controls left out, and the holdout arms. */
    controls?: SegmentControlCounts;
    /** Local engine: users with affinity and users padded by activity. */
    affinity?: AffinityCounts;
  }>;
  /** What the user should know about the plan (e.g. inventory rows skipped). */
  notes: string[];
  destinations: Array<DestinationReport | FailedDestination>;
  startedAt: string;
  durationMs: number;
  /** ISO 8601 time of the latest interaction in the data. */
  dataEndsAt?: string;
  /** How the segments were made (local model fingerprint and hyperparameters, or the Personalize solution version and job ARNs). */
  provenance?: SegmentProvenance;
  /** Alerts this run raised (the campaign's `alerts:` rules). */
  alerts?: Alert[];
  /** What became of the alert webhook post, when one was sent. */
  alertDelivery?: AlertDelivery;
}

/**
 * Exit code of a finished run: 2 when a destination rejected the user's config, 1 when anything
 * failed, 3 when the run had nothing to do (no segment, or no segment with a member), else 0.
 */
export function reportExitCode(report: CampaignReport): number {
  let code: number = ExitCode.ok;
  if (report.segments.every((segment) => segment.members === 0 && !segment.error)) code = ExitCode.nothingDone;
  if (report.segments.some((segment) => segment.error)) code = ExitCode.runFailed;
  for (const destination of report.destinations) {
    if ('error' in destination) {
      code = moreUrgentExitCode(code, destination.exitCode);
      continue;
    }
    for (const segment of destination.segments) {
      if (segment.error !== undefined) code = moreUrgentExitCode(code, segment.errorExitCode ?? ExitCode.runFailed);
      else if (segment.notAttempted !== undefined || segment.deferred !== undefined || (segment.sync?.outcomes.failed ?? 0) > 0) code = moreUrgentExitCode(code, ExitCode.runFailed);
    }
  }
  return code;
}

/** The report's view of a run's segments: labels and counts, no members. */
export function summariseSegments(segments: CampaignSegments): CampaignReport['segments'] {
  return segments.segments.map((segment) => {
    const { unknownUser, missingEmail, invalidEmail } = segment.resolved.unmatched;
    return {
      label: segment.label,
      query: segment.queryText,
      usersInSegment: segment.usersInSegment,
      matched: segment.usersInSegment - unknownUser - missingEmail - invalidEmail,
      unmatched: unknownUser + missingEmail + invalidEmail,
      members: segment.resolved.members.length,
      mergedDuplicates: segment.resolved.mergedDuplicates,
      error: segment.error,
      ...(segment.notes ? { notes: segment.notes } : {}),
      ...(segment.controls ? { controls: segment.controls } : {}),
      ...(segment.affinity ? { affinity: segment.affinity } : {}),
    };
  });
}

/**
 * Runs one campaign: generate its segments, then sync each destination. A destination that fails
 * does not stop the others; its error is in the report. Errors of the user's input (ConfigError,
 * DataError) are thrown, so the CLI exits 2. With `ctx.state`, the run and its report are recorded
 * in the state store (trigger `ctx.trigger`, default `cli`).
 */
export async function runCampaign(loaded: LoadedCampaign, ctx: RunContext): Promise<CampaignReport> {
  const started = Date.now();
  const runId = ctx.runId ?? makeRunId(loaded.campaign.name, new Date(started));
  const runCtx = { ...ctx, runId };
  const run = {
    runId,
    campaign: loaded.campaign.name,
    trigger: ctx.trigger ?? 'cli',
    dryRun: ctx.dryRun,
    campaignFileHash: ctx.state && (await fileSha256(loaded.file)),
    startedAt: new Date(started),
  };
  // One run per campaign at a time; a dry run writes nothing, so it needs no lease.
  const state = ctx.state;
  const lease = state && !ctx.dryRun
    ? await holdCampaignLease(state, run.campaign, runId).catch(async (error: unknown) => {
        if (error instanceof CampaignBusyError) await recordSkippedRun(state, run, error.message);
        throw error;
      })
    : undefined;
  try {
    return await recordRun(
      state,
      run,
      () =>
        runCampaignSteps(loaded, runCtx, started).catch(async (error: unknown) => {
          if (isUserFacing(error) && !ctx.signal?.aborted) {
            await alertFailedRun({ campaign: loaded.campaign.name, runId, dryRun: ctx.dryRun, rules: loaded.campaign.alerts, error, env: ctx.env, logger: ctx.logger });
          }
          throw error;
        }),
      (report) => {
        const exitCode = reportExitCode(report);
        return { status: runStatusOf(exitCode), report, exitCode };
      },
      ctx.signal,
    );
  } finally {
    await lease?.release();
  }
}

async function runCampaignSteps(loaded: LoadedCampaign, ctx: RunContext & { runId: string }, started: number): Promise<CampaignReport> {
  const { runId } = ctx;
  const report: CampaignReport = {
    campaign: loaded.campaign.name,
    file: loaded.file,
    type: loaded.campaign.type,
    runId,
    dryRun: ctx.dryRun,
    segments: [],
    notes: [],
    destinations: [],
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
  };
  await checkDestinations(loaded, ctx);
  const segments = await generateCampaignSegments(loaded, ctx);
  report.segments = summariseSegments(segments);
  report.notes = segments.notes ?? [];
  if (segments.dataEndsAt !== undefined) report.dataEndsAt = segments.dataEndsAt;
  if (segments.provenance !== undefined) report.provenance = segments.provenance;

  for (const destinationIndex of loaded.campaign.destinations.keys()) {
    try {
      report.destinations.push(await syncCampaignDestination(loaded, segments, destinationIndex, ctx, undefined, { recordSegmentFailures: true }));
    } catch (error) {
      if (!isUserFacing(error)) throw error;
      report.destinations.push({
        destinationIndex,
        connector: loaded.campaign.destinations[destinationIndex]?.connector ?? '?',
        error: error.message,
        exitCode: error.exitCode,
      });
    }
  }
  report.durationMs = Date.now() - started;
  await completeRunHistory({ store: ctx.state, report, rules: loaded.campaign.alerts, env: ctx.env, logger: ctx.logger });
  return report;
}
