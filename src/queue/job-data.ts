/**
 * The jobs of one campaign run and their data (validated with zod when a worker takes them: job
 * data comes from Redis, written by whatever version of affinity-sync enqueued it).
 *
 * One run is a parent `campaign-run` job that adds its children as it goes (BullMQ step job with
 * dynamic children): first a `segments` job, then, once the segments exist, one `sync` job per
 * destination. See `campaign-processor.ts` for why the run is not one static flow.
 */
import { z } from 'zod';
import { dryRunPlanSchema } from './dry-run-plan.js';

/** BullMQ job names. */
export const JobName = {
  campaignRun: 'campaign-run',
  segments: 'segments',
  sync: 'sync',
} as const;

/** Fields every job of a run carries. */
const runFields = {
  /** Campaign name (`name:` of the campaign file). */
  campaign: z.string().min(1),
  /** Campaign file, relative to the worker's working directory (or absolute). */
  campaignFile: z.string().min(1),
  /** Dataset directory overriding the campaign's `data`. */
  dataDir: z.string().optional(),
  /** Plan and report only. */
  dryRun: z.boolean().default(false),
};

/** Steps of the parent job; the step lives in the job data so a restarted worker resumes it. */
export const runSteps = ['start', 'segments', 'sync', 'finished'] as const;
export type RunStep = (typeof runSteps)[number];

const outcomeCountsSchema = z.object({
  added: z.number().int(),
  alreadyMember: z.number().int(),
  removed: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
});
/** Records per outcome kind. */
export type OutcomeCounts = z.infer<typeof outcomeCountsSchema>;

export const emptyOutcomeCounts = (): OutcomeCounts => ({ added: 0, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });

/** Kind-by-kind sum of outcome counts (a kind missing from one counts 0). */
export function sumOutcomeCounts(counts: Iterable<Partial<OutcomeCounts>>): OutcomeCounts {
  const total = emptyOutcomeCounts();
  for (const one of counts) {
    for (const kind of Object.keys(total) as Array<keyof OutcomeCounts>) total[kind] += one[kind] ?? 0;
  }
  return total;
}

export const destinationSummarySchema = z.object({
  destinationIndex: z.number().int(),
  connector: z.string(),
  state: z.enum(['completed', 'failed']),
  /** Outcomes of every chunk of the run, including chunks an earlier (crashed) attempt applied. */
  outcomes: outcomeCountsSchema,
  /** Chunks applied (by any attempt). */
  chunks: z.number().int(),
  /** Why the destination failed (`PermanentError: …`). */
  error: z.string().optional(),
  /** Dry runs: what the destination would change. */
  plan: dryRunPlanSchema.optional(),
});
export type DestinationSummary = z.infer<typeof destinationSummarySchema>;

export const segmentsSummarySchema = z.object({
  segments: z.number().int(),
  /** Audience members over all segments. */
  members: z.number().int(),
  /** Connector id of each destination, by index. */
  destinations: z.array(z.string()),
  /** The segment part of the run's report (type, notes, per-segment counts), for the state store. */
  report: z
    .object({ type: z.string(), notes: z.array(z.string()), segments: z.array(z.unknown()), dataEndsAt: z.string().optional(), provenance: z.unknown().optional() })
    .optional(),
});
export type SegmentsSummary = z.infer<typeof segmentsSummarySchema>;

/** What a finished (or failed) run did; the parent's return value, also kept in its data. */
export const runSummarySchema = z.object({
  runId: z.string(),
  campaign: z.string(),
  dryRun: z.boolean(),
  segments: segmentsSummarySchema.optional(),
  destinations: z.array(destinationSummarySchema),
  outcomes: outcomeCountsSchema,
  /** Why the run failed. */
  error: z.string().optional(),
  /** Why the run did nothing: another run of the campaign held it (one run per campaign at a time). */
  skipped: z.string().optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const campaignRunDataSchema = z.object({
  ...runFields,
  /** What made this run. */
  trigger: z.enum(['schedule', 'enqueue']),
  /** Scheduled runs: the campaign directory whose `schedule` made the job scheduler (it alone may change or remove it). */
  scheduleOwner: z.string().optional(),
  /** Random id of the `enqueue` request that made this run (tells a deduplicated request apart). */
  requestId: z.string().optional(),
  /** Set when the run is enqueued, or at its first step (scheduled runs: from the schedule slot). */
  runId: z.string().optional(),
  step: z.enum(runSteps).default('start'),
  /** Epoch milliseconds the first step started. */
  startedAt: z.number().optional(),
  /** Epoch milliseconds the run finished (completed or failed). */
  finishedAt: z.number().optional(),
  summary: runSummarySchema.optional(),
});
export type CampaignRunData = z.infer<typeof campaignRunDataSchema>;
/** Data a producer gives a new run (the worker fills in the rest). */
export type CampaignRunRequest = z.input<typeof campaignRunDataSchema>;

export const segmentsJobDataSchema = z.object({
  ...runFields,
  runId: z.string(),
  /** State of a long external step (a Personalize batch segment job) between delayed re-checks. */
  stepState: z.unknown().optional(),
  /** Re-checks so far. */
  checks: z.number().int().default(0),
});
export type SegmentsJobData = z.infer<typeof segmentsJobDataSchema>;

export const syncJobDataSchema = z.object({
  ...runFields,
  runId: z.string(),
  destinationIndex: z.number().int().nonnegative(),
  connector: z.string(),
  /** Set when a spent quota (HubSpot's DAILY limit) delayed the job: until when (epoch ms) and why. */
  deferredUntil: z.number().int().optional(),
  deferredReason: z.string().optional(),
});
export type SyncJobData = z.infer<typeof syncJobDataSchema>;
