/**
 * The recorded progress of one batch segment job (one run, one part), so that a restarted run or
 * a delayed re-check of the queue resumes the same job instead of creating a second one.
 *
 * Steps, in order: `planned` → `uploaded` (input file in S3) → `created` (job ARN known) →
 * `polling` (DescribeBatchSegmentJob until `ACTIVE` or `CREATE FAILED`) → `reading` (output
 * files) → `done`; or `failed` with Personalize's `failureReason`.
 */
import { z } from 'zod';

/** The steps a job goes through. */
export const segmentJobSteps = ['planned', 'uploaded', 'created', 'polling', 'reading', 'done', 'failed'] as const;
export type SegmentJobStep = (typeof segmentJobSteps)[number];

const querySchema = z.union([
  z.strictObject({ itemId: z.string() }),
  z.strictObject({ itemAttributes: z.string() }),
]);

/** zod schema of a state file. */
export const segmentJobStateSchema = z.strictObject({
  version: z.literal(1),
  runId: z.string().min(1),
  /** 1-based part number within the run. */
  part: z.int().min(1),
  jobName: z.string().min(1).max(63),
  /** The CreateBatchSegmentJob request, minus the job name (kept whole so a re-check needs nothing else). */
  request: z.strictObject({
    solutionVersionArn: z.string(),
    roleArn: z.string(),
    numResults: z.int().min(1),
    filterArn: z.string().optional(),
    kmsKeyArn: z.string().optional(),
  }),
  location: z.strictObject({ bucket: z.string(), inputKey: z.string(), outputPrefix: z.string() }),
  /** The input lines, in file order. */
  queries: z.array(querySchema).min(1),
  step: z.enum(segmentJobSteps),
  jobArn: z.string().optional(),
  /** Last status DescribeBatchSegmentJob returned (`CREATE PENDING`, `ACTIVE`, …). */
  status: z.string().optional(),
  failureReason: z.string().optional(),
  /** When the job was created (ISO 8601), for `maxWaitMs`. */
  createdAt: z.iso.datetime({ offset: true }).optional(),
  /** DescribeBatchSegmentJob calls so far; drives the backoff. */
  polls: z.int().min(0),
  /** CreateBatchSegmentJob calls answered LimitExceededException so far. */
  limitRetries: z.int().min(0),
  /** When the first LimitExceededException came (ISO 8601), for `maxWaitMs`. */
  limitedSince: z.iso.datetime({ offset: true }).optional(),
  updatedAt: z.iso.datetime({ offset: true }),
});

/** One job's recorded progress. */
export type SegmentJobState = z.infer<typeof segmentJobStateSchema>;
