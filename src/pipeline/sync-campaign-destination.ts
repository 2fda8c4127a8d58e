/**
 * The destination step of a campaign run: every segment of the run into one destination.
 */
import { ConfigError } from '../core/errors.js';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import { destinationConnectors } from '../../connectors/index.js';
import type { DestinationConnector } from '../sync/destination-connector.js';
import { renderAudienceName } from '../sync/render-audience-name.js';
import { syncAudience, type AudienceSyncReport, type ChunkProgress } from '../sync/sync-audience.js';
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
}

/** Result of one destination of a run. */
export interface DestinationReport {
  destinationIndex: number;
  connector: string;
  mode: string;
  segments: SegmentDestinationReport[];
}

/** Finds the connector of a destination entry. */
export function connectorFor(loaded: LoadedCampaign, destinationIndex: number): { connector: DestinationConnector; config: { connector: string } } {
  const config = loaded.campaign.destinations[destinationIndex];
  if (!config) throw new ConfigError([{ file: loaded.file, field: `destinations[${destinationIndex}]`, message: 'no such destination' }]);
  const connector = destinationConnectors.find((candidate) => candidate.id === config.connector);
  if (!connector) throw new ConfigError([{ file: loaded.file, field: `destinations[${destinationIndex}].connector`, message: `unknown connector "${config.connector}"` }]);
  return { connector, config };
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
): Promise<DestinationReport> {
  const { connector, config } = connectorFor(loaded, destinationIndex);
  const session = connector.open(config, { env: ctx.env, logger: ctx.logger, baseDir: ctx.cwd });
  const report: DestinationReport = {
    destinationIndex,
    connector: connector.id,
    mode: connector.modeOf(config),
    segments: [],
  };
  try {
    for (const [segmentIndex, segment] of segments.segments.entries()) {
      if (segment.error) {
        report.segments.push({ segment: segment.label, skippedBecause: segment.error });
        continue;
      }
      const spec = {
        name: renderAudienceName(connector.audienceNameOf(config), {
          campaign: segments.campaign,
          query: segment.queryText,
          label: segment.label,
          runId: segments.runId,
        }),
        campaign: segments.campaign,
        query: segment.queryText,
        runId: segments.runId,
      };
      ctx.onProgress?.({ step: `${connector.id}: ${spec.name}` });
      const sync = await syncAudience({
        connector,
        config,
        session,
        spec,
        members: segment.resolved.members,
        dryRun: ctx.dryRun,
        progress: progressFor?.(segmentIndex),
        logger: ctx.logger,
      });
      ctx.onProgress?.({ step: `${connector.id}: ${spec.name}`, finished: true });
      report.segments.push({ segment: segment.label, sync });
    }
  } finally {
    await session.close?.();
  }
  return report;
}
