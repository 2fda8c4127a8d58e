/**
 * The destination step of a campaign run: every segment of the run into one destination.
 */
import { AuthError, ConfigError, isUserFacing, QuotaExhaustedError, type InputIssue } from '../core/errors.js';
import { fromSystemError } from '../core/system-error.js';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import { destinationConnectors } from '../../connectors/index.js';
import type { AudienceSpec, DestinationConnector } from '../sync/destination-connector.js';
import { renderAudienceName } from '../sync/render-audience-name.js';
import { syncAudience, type AudienceSyncReport, type ChunkProgress } from '../sync/sync-audience.js';
import type { RetiredAudienceReport } from '../lifecycle/retire-audiences.js';
import { retireStaleAudiences } from '../lifecycle/retire-stale-audiences.js';
import { fullResyncEveryMs } from '../sync/full-resync-config.js';
import { openAudienceLedger } from '../state/audience-ledger.js';
import { destinationKey } from '../state/state-store.js';
import type { CampaignSegments } from './campaign-segments.js';
import type { RunContext } from './run-context.js';

/** Result of one segment in one destination. */
export interface SegmentDestinationReport {
  segment: string;
  /** Set when the segment itself failed (provider error): nothing was synced. */
  skippedBecause?: string;
  sync?: AudienceSyncReport;
  /** Set when the sync of this segment failed as a whole. */
  error?: string;
  /** Exit code of that failure: 2 for the user's input (a path, a name), 1 for a failed run. */
  errorExitCode?: number;
  /** The audience a failed or unattempted sync was for. */
  audience?: string;
  /** Set when this segment was not synced because an earlier one showed it could not be (credentials rejected). */
  notAttempted?: string;
  /**
   * Set when a spent quota (HubSpot's DAILY limit) stopped this audience, or an earlier one of the
   * destination: it was not synced (or only in part; confirmed chunks are in the snapshot) and can be
   * after `retryAfter` (ISO 8601). `reason` is the full message, with how the reset time was found.
   */
  deferred?: { quota: string; retryAfter: string; reason: string };
}

/** Result of one destination of a run. */
export interface DestinationReport {
  destinationIndex: number;
  connector: string;
  mode: string;
  segments: SegmentDestinationReport[];
  /** Audiences of this destination the run no longer produced, and what their `retire:` policy did. */
  retired?: RetiredAudienceReport[];
}

/** Finds the connector of a destination entry. */
function connectorFor(loaded: LoadedCampaign, destinationIndex: number): { connector: DestinationConnector; config: { connector: string } } {
  const config = loaded.campaign.destinations[destinationIndex];
  if (!config) throw new ConfigError([{ file: loaded.file, field: `destinations[${destinationIndex}]`, message: 'no such destination' }]);
  const connector = destinationConnectors.find((candidate) => candidate.id === config.connector);
  if (!connector) throw new ConfigError([{ file: loaded.file, field: `destinations[${destinationIndex}].connector`, message: `unknown connector "${config.connector}"` }]);
  return { connector, config };
}

/**
 * Opens (and closes) every destination of a campaign, so missing credentials (`MAILCHIMP_API_KEY`,
 * `HUBSPOT_ACCESS_TOKEN`) stop the run before segments are built (and paid for); a destination that
 * fills a merge field or property checks it exists (its `preflight`, reads only).
 * @throws ConfigError naming the destination.
 */
export async function checkDestinations(loaded: LoadedCampaign, ctx: RunContext): Promise<void> {
  const issues: InputIssue[] = [];
  for (const destinationIndex of loaded.campaign.destinations.keys()) {
    const { connector, config } = connectorFor(loaded, destinationIndex);
    try {
      const session = connector.open(config, { env: ctx.env, logger: ctx.logger, baseDir: ctx.cwd });
      try {
        await session.preflight?.();
      } finally {
        await session.close?.();
      }
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, file: loaded.file, field: `destinations[${destinationIndex}]${issue.field ? `.${issue.field}` : ''}` })));
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * The audience of each segment (undefined for a failed segment), named by the destination's
 * template. Checked before anything is written: two segments that render to one audience would
 * overwrite each other.
 * @throws ConfigError naming both segments and the audience.
 */
function audienceSpecs(loaded: LoadedCampaign, segments: CampaignSegments, destinationIndex: number, template: string): Array<AudienceSpec | undefined> {
  const owner = new Map<string, string>();
  return segments.segments.map((segment) => {
    if (segment.error) return undefined;
    const name = renderAudienceName(template, {
      campaign: segments.campaign,
      query: segment.queryText,
      label: segment.label,
      runId: segments.runId,
    });
    const earlier = owner.get(name.toLowerCase());
    if (earlier !== undefined) {
      throw new ConfigError([
        {
          file: loaded.file,
          field: `destinations[${destinationIndex}]`,
          message: `segments "${earlier}" and "${segment.label}" would both go to the audience "${name}"; put {{label}} or {{query}} in its name template ("${template}")`,
        },
      ]);
    }
    owner.set(name.toLowerCase(), segment.label);
    return { name, campaign: segments.campaign, query: segment.queryText, runId: segments.runId };
  });
}

/**
 * Syncs every segment of a run into one destination. Segments are synced one after the other;
 * a connector's own limits bound the parallelism inside each.
 *
 * @param progressFor - per-segment chunk checkpoints (the queue keeps them in Redis), so a resumed
 *   run skips finished chunks.
 * @throws AuthError, ConfigError, RateLimitedError, PermanentError when a whole destination fails.
 */
export async function syncCampaignDestination(
  loaded: LoadedCampaign,
  segments: CampaignSegments,
  destinationIndex: number,
  ctx: RunContext,
  progressFor?: (segmentIndex: number) => ChunkProgress | undefined,
  options: {
    /**
     * Record a segment whose sync fails in the report and go on with the next one, so the report
     * says which audiences were written and which were not (`run`). The queue leaves it off: its
     * job fails and is retried, resuming from the checkpoints.
     */
    recordSegmentFailures?: boolean;
  } = {},
): Promise<DestinationReport> {
  const { connector, config } = connectorFor(loaded, destinationIndex);
  const specs = audienceSpecs(loaded, segments, destinationIndex, connector.audienceNameOf(config));
  const session = connector.open(config, { env: ctx.env, logger: ctx.logger, baseDir: ctx.cwd, ...(ctx.rateBudgets ? { rateBudgets: ctx.rateBudgets } : {}) });
  const state = ctx.state;
  const report: DestinationReport = {
    destinationIndex,
    connector: connector.id,
    mode: connector.modeOf(config),
    segments: [],
  };
  let stopped: string | undefined;
  let quotaSpent: SegmentDestinationReport['deferred'];
  try {
    for (const [segmentIndex, segment] of segments.segments.entries()) {
      const spec = specs[segmentIndex];
      if (segment.error || !spec) {
        report.segments.push({ segment: segment.label, skippedBecause: segment.error ?? 'no audience' });
        continue;
      }
      if (quotaSpent !== undefined) {
        report.segments.push({ segment: segment.label, audience: spec.name, deferred: quotaSpent });
        continue;
      }
      if (stopped !== undefined) {
        report.segments.push({ segment: segment.label, audience: spec.name, notAttempted: stopped });
        continue;
      }
      ctx.onProgress?.({ step: `${connector.id}: ${spec.name}` });
      let sync: AudienceSyncReport;
      try {
        sync = await syncAudience({
        connector,
        config,
        session,
        spec,
        members: segment.resolved.members,
        dryRun: ctx.dryRun,
        progress: progressFor?.(segmentIndex),
        logger: ctx.logger,
        signal: ctx.signal,
        maxRemovalShare: connector.maxRemovalShareOf?.(config),
        openLedger: state && ((audience) =>
          openAudienceLedger({
            store: state,
            key: { campaign: segments.campaign, destinationKey: destinationKey(destinationIndex, connector.id), name: audience.name || spec.name },
            connector: connector.id,
            audience,
            runId: segments.runId,
            dryRun: ctx.dryRun,
            fullResync: ctx.fullResync ?? false,
            fullResyncEveryMs: fullResyncEveryMs(connector.fullResyncEveryOf?.(config)),
          })),
        });
      } catch (error) {
        const failure = options.recordSegmentFailures && !ctx.signal?.aborted ? (isUserFacing(error) ? error : fromSystemError(error)) : undefined;
        ctx.onProgress?.({ step: `${connector.id}: ${spec.name}`, finished: true, failed: true });
        if (!failure) throw error;
        if (failure instanceof QuotaExhaustedError) {
          // The quota is the credential's: every later audience of this destination would fail the same way.
          quotaSpent = { quota: failure.quota, retryAfter: failure.resetsAt.toISOString(), reason: failure.message };
          report.segments.push({ segment: segment.label, audience: spec.name, deferred: quotaSpent });
          continue;
        }
        report.segments.push({ segment: segment.label, audience: spec.name, error: failure.message, errorExitCode: failure.exitCode });
        // Rejected credentials fail every audience the same way: the rest are not tried.
        if (failure instanceof AuthError) stopped = 'the credentials were rejected for an earlier audience';
        continue;
      }
      ctx.onProgress?.({ step: `${connector.id}: ${spec.name}`, finished: true });
      report.segments.push({ segment: segment.label, sync });
    }
    if (ctx.state) {
      const synced = report.segments.flatMap((entry) => (entry.sync ? [entry.sync] : []));
      report.retired = await retireStaleAudiences({
        store: ctx.state,
        connector,
        config,
        session,
        campaign: segments.campaign,
        runId: segments.runId,
        destinationIndex,
        // Failed segments still want their audience: only audiences no query renders to are retired.
        wanted: [...segments.segments.map((segment) => renderAudienceName(connector.audienceNameOf(config), { campaign: segments.campaign, query: segment.queryText, label: segment.label, runId: segments.runId })), ...synced.map((sync) => sync.audience.name)],
        active: { members: synced.reduce((sum, sync) => sum + sync.membersPlanned, 0), audiences: synced.length },
        dryRun: ctx.dryRun,
        logger: ctx.logger,
        signal: ctx.signal,
      });
    }
  } finally {
    await session.close?.();
  }
  return report;
}
