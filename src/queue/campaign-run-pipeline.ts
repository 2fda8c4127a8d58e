/**
 * What the queue needs from the pipeline: the same steps `run` uses in-process, one per job.
 * The worker gets the real one ({@link createDefaultPipeline}); tests give a fake.
 */
import type { AlertRules } from '../alerts/alerts-schema.js';
import type { ChunkProgress } from '../sync/sync-audience.js';
import type { RunContext } from '../pipeline/run-context.js';

/** The segment part of a run's report (`CampaignReport`): campaign type, notes, per-segment counts. */
export interface SegmentsReport {
  type: string;
  notes: string[];
  segments: unknown[];
  /** Latest interaction in the data (ISO 8601), for the staleDataDays alert. */
  dataEndsAt?: string;
  /** How the segments were made (`SegmentProvenance`). */
  provenance?: unknown;
}

/** The little the queue reads of a loaded campaign. */
export interface QueuedCampaign {
  file: string;
  campaign: { name: string; destinations: ReadonlyArray<{ connector: string }>; alerts?: AlertRules };
}

/**
 * One step of the segment job. A provider with a long external job (Personalize) answers
 * `done: false` with its state and when to look again; the worker then delays the job
 * (`moveToDelayed`) instead of waiting, and calls again with that state.
 */
export type SegmentStepResult<Segments> =
  | { done: true; segments: Segments; summary: { segments: number; members: number; report?: SegmentsReport } }
  | { done: false; state: unknown; waitMs: number };

export interface CampaignRunPipeline<Campaign extends QueuedCampaign = QueuedCampaign, Segments = unknown> {
  /**
   * Loads and validates one campaign file.
   * @throws ConfigError
   */
  loadCampaign(file: string): Promise<Campaign>;
  /**
   * Generates the run's segments, or advances a long external step.
   * @param state - what the previous step returned, undefined on the first call.
   */
  generateSegments(campaign: Campaign, ctx: RunContext, state: unknown): Promise<SegmentStepResult<Segments>>;
  /** Parses segments read back from Redis (JSON). */
  parseSegments(json: unknown): Segments;
  /**
   * Syncs every segment into one destination.
   * @param progressFor - chunk checkpoints of segment `segmentIndex`.
   * @throws AuthError, ConfigError, PermanentError, RateLimitedError, TransientError
   */
  syncDestination(
    campaign: Campaign,
    segments: Segments,
    destinationIndex: number,
    ctx: RunContext,
    progressFor: (segmentIndex: number) => ChunkProgress,
  ): Promise<unknown>;
}
