/**
 * The segments of one campaign run, resolved to audience members: the hand-over between the
 * segment step and the destination steps (in-process, or between BullMQ jobs through Redis).
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { SegmentQuery } from '../segments/segment-provider.js';
import type { ResolvedSegment } from '../identity/identity-resolver.js';
import type { SegmentProvenance } from '../segments/segment-provenance.js';

const segmentProvenanceSchema: z.ZodType<SegmentProvenance> = z.discriminatedUnion('provider', [
  z.object({
    provider: z.literal('local'),
    modelFingerprint: z.string(),
    modelSource: z.enum(['trained', 'file']),
    modelFile: z.string().optional(),
    trainedAt: z.string(),
    hyperparameters: z.record(z.string(), z.number()),
  }),
  z.object({ provider: z.literal('personalize'), solutionVersionArn: z.string(), batchSegmentJobArns: z.array(z.string()), filterArn: z.string().optional() }),
]);
import type { AffinityCounts } from '../controls/affinity-floor.js';
import type { SegmentControlCounts } from '../controls/select-segment-users.js';

/** One segment of a run. */
export interface RunSegment {
  /** Short name of the query (a category, an item name), for audience names and reports. */
  label: string;
  query: SegmentQuery;
  /** The query as an expression (`ITEMS.CATEGORY_L1 = "footwear"`, `ITEM_ID = "…"`). */
  queryText: string;
  /** Length of the provider's `usersList`. */
  usersInSegment: number;
  /** The provider's error for this query, else null; a failed segment is not synced. */
  error: string | null;
  /** What the user should know about this segment (a fallback the provider used). */
  notes?: string[];
  resolved: ResolvedSegment;
  /** What the marketing controls left out, and the holdout arms. */
  controls?: SegmentControlCounts;
  /** Local engine: users with affinity and users padded by activity (`segment.fill`). */
  affinity?: AffinityCounts;
}

/** All segments of one campaign run. */
export interface CampaignSegments {
  runId: string;
  campaign: string;
  /** Segment provider id (`local`, `personalize`). */
  provider: string;
  numResults: number;
  /** ISO 8601 time the segments were generated. */
  generatedAt: string;
  /** What the user should know about the plan (e.g. inventory rows skipped). */
  notes?: string[];
  /** ISO 8601 time of the latest interaction in the data (for the `staleDataDays` alert). */
  dataEndsAt?: string;
  /** How the segments were made (model, solution version, job ARNs). */
  provenance?: SegmentProvenance;
  segments: RunSegment[];
}

const memberSchema = z.object({
  email: z.string(),
  userIds: z.array(z.string()),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  rank: z.number().int(),
  score: z.number().optional(),
});

const campaignSegmentsSchema = z.object({
  runId: z.string(),
  campaign: z.string(),
  provider: z.string(),
  numResults: z.number().int(),
  generatedAt: z.string(),
  notes: z.array(z.string()).optional(),
  dataEndsAt: z.string().optional(),
  provenance: segmentProvenanceSchema.optional(),
  segments: z.array(
    z.object({
      label: z.string(),
      query: z.union([z.object({ itemId: z.string() }), z.object({ itemAttributes: z.string() })]),
      queryText: z.string(),
      usersInSegment: z.number().int(),
      error: z.string().nullable(),
      notes: z.array(z.string()).optional(),
      resolved: z.object({
        members: z.array(memberSchema),
        unmatched: z.object({ unknownUser: z.number(), missingEmail: z.number(), invalidEmail: z.number() }),
        mergedDuplicates: z.number(),
      }),
      controls: z
        .object({
          suppressed: z.record(z.string(), z.number()),
          frequencyCapped: z.number(),
          exclusive: z.number(),
          holdout: z.object({ share: z.number(), treatment: z.number(), control: z.number() }).optional(),
        })
        .optional(),
      affinity: z
        .object({ fill: z.enum(['none', 'activity']), withAffinity: z.number(), padded: z.number(), belowPercentile: z.number() })
        .optional(),
    }),
  ),
});

/**
 * Checks that `json` is a {@link CampaignSegments} (e.g. read back from Redis by a queue worker).
 * @throws ConfigError naming `source` when it is not.
 */
export function parseCampaignSegments(json: unknown, source: string): CampaignSegments {
  const parsed = campaignSegmentsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError([{ file: source, message: `not the segments of a run: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}` }]);
  }
  return parsed.data;
}
