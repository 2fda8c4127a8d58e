/**
 * The report of a queued run, in the shape `run` prints and the state store keeps
 * (`CampaignReport`), assembled from the run's jobs: the segment job's summary and each sync job's
 * destination report (or its failure).
 */
import type { CampaignReport, FailedDestination } from '../pipeline/run-campaign.js';
import type { DestinationReport } from '../pipeline/sync-campaign-destination.js';
import type { SegmentProvenance } from '../segments/segment-provenance.js';
import type { SegmentsSummary } from './job-data.js';

/** One destination of a finished queued run: the sync job's report, or why it failed. */
export type QueuedDestinationResult =
  | { destinationIndex: number; connector: string; report: unknown }
  | { destinationIndex: number; connector: string; error: string; /** The exit code the failure maps to. @defaultValue 1 */ exitCode?: number };

export function queuedRunReport(input: {
  campaign: string;
  /** Absolute campaign file. */
  file: string;
  runId: string;
  dryRun: boolean;
  /** Epoch milliseconds. */
  startedAt: number;
  segments: SegmentsSummary | undefined;
  destinations: QueuedDestinationResult[];
}): CampaignReport {
  const segmentsReport = input.segments?.report;
  return {
    campaign: input.campaign,
    file: input.file,
    type: segmentsReport?.type ?? 'unknown',
    runId: input.runId,
    dryRun: input.dryRun,
    segments: (segmentsReport?.segments ?? []) as CampaignReport['segments'],
    notes: segmentsReport?.notes ?? [],
    ...(segmentsReport?.dataEndsAt ? { dataEndsAt: segmentsReport.dataEndsAt } : {}),
    ...(segmentsReport?.provenance ? { provenance: segmentsReport.provenance as SegmentProvenance } : {}),
    destinations: input.destinations.map((destination): DestinationReport | FailedDestination =>
      'error' in destination
        ? { destinationIndex: destination.destinationIndex, connector: destination.connector, error: destination.error, exitCode: destination.exitCode ?? 1 }
        : isDestinationReport(destination.report)
          ? destination.report
          : { destinationIndex: destination.destinationIndex, connector: destination.connector, mode: 'unknown', segments: [] },
    ),
    startedAt: new Date(input.startedAt).toISOString(),
    durationMs: Date.now() - input.startedAt,
  };
}

function isDestinationReport(value: unknown): value is DestinationReport {
  return typeof value === 'object' && value !== null && Array.isArray((value as Partial<DestinationReport>).segments);
}
