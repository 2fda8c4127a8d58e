/**
 * The `segment` block of a campaign that uses Amazon Personalize:
 *
 * ```yaml
 * segment:
 *   provider: personalize
 *   numResults: 25
 *   solutionVersionArn: arn:aws:personalize:us-east-1:123456789012:solution/shoes/abcd1234
 *   roleArn: arn:aws:iam::123456789012:role/PersonalizeS3Access
 *   s3: { bucket: my-bucket, prefix: affinity-sync }
 * ```
 *
 * Field patterns: Personalize API reference, CreateBatchSegmentJob (see
 * `../shared/reference/personalize.md` §2 and §4). Credentials never appear here: they come from
 * the standard AWS chain (environment, shared config/credentials files, SSO, instance role).
 */
import { z } from 'zod';
import { arnKindProblem, type ArnKind } from './arn.js';

function arnOf(kind: ArnKind) {
  return z
    .string()
    .max(256)
    .superRefine((value, ctx) => {
      const problem = arnKindProblem(value, kind);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** S3 bucket naming rules (Amazon S3 user guide, "General purpose bucket naming rules"). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Where the provider writes job input and where Personalize writes job output. */
export const personalizeS3Schema = z.strictObject({
  /** Bucket the Personalize role can read and write (`s3:GetObject`, `s3:PutObject`, `s3:ListBucket`). */
  bucket: z.string().regex(BUCKET_NAME, 'expected an S3 bucket name (3–63 characters: a-z, 0-9, ".", "-")'),
  /**
   * Key prefix of everything this provider writes; a run uses `<prefix>/<runId>/input/` and
   * `<prefix>/<runId>/output/`. Leading and trailing `/` are ignored.
   * @defaultValue `affinity-sync`
   */
  prefix: z.string().max(200).default('affinity-sync'),
});

/** Endpoint overrides, for Personalize-compatible services and local fakes. */
export const personalizeEndpointSchema = z.strictObject({
  /** Personalize endpoint URL; else `AWS_ENDPOINT_URL_PERSONALIZE`, then `AWS_ENDPOINT_URL`. */
  personalize: z.url().optional(),
  /** S3 endpoint URL; else `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`. A custom S3 endpoint uses path-style addressing. */
  s3: z.url().optional(),
});

/** zod schema of `segment` with `provider: personalize`. */
export const personalizeConfigSchema = z.strictObject({
  provider: z.literal('personalize'),
  /**
   * Users per query (Personalize `numResults`).
   * @defaultValue 25 (the Personalize console default)
   */
  numResults: z.int().min(1).default(25),
  /** The trained solution version (Item-Affinity or Item-Attribute-Affinity) that makes the segments. */
  solutionVersionArn: arnOf('personalize-solution-version'),
  /** IAM role Personalize assumes to read the input and write the output in `s3.bucket`. */
  roleArn: arnOf('iam-role'),
  s3: personalizeS3Schema,
  /** Optional Personalize filter applied to the users of every segment. */
  filterArn: arnOf('personalize-filter').optional(),
  /** Optional KMS key for the job's input and output objects. */
  kmsKeyArn: arnOf('kms-key').max(2048).optional(),
  /**
   * AWS region of the calls.
   * @defaultValue the region of `solutionVersionArn`, else the standard AWS chain (`AWS_REGION`, profile)
   */
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region such as "us-east-1"').optional(),
  endpoint: personalizeEndpointSchema.optional(),
  /**
   * First wait between two DescribeBatchSegmentJob calls, in milliseconds; each wait is 1.5 times
   * the one before, up to `maxPollIntervalMs`.
   * @defaultValue 15000
   */
  pollIntervalMs: z.int().min(1).default(15_000),
  /**
   * Longest wait between two DescribeBatchSegmentJob calls, in milliseconds.
   * @defaultValue 120000 (AWS samples poll every 60 s)
   */
  maxPollIntervalMs: z.int().min(1).default(120_000),
  /**
   * How long one job may stay unfinished after its creation before the run gives up, in
   * milliseconds. A later run with the same run id resumes the job.
   * @defaultValue 10800000 (3 h, as the AWS samples)
   */
  maxWaitMs: z.int().min(1).default(3 * 60 * 60 * 1000),
});

/** A validated `segment` block with `provider: personalize`. */
export type PersonalizeConfig = z.infer<typeof personalizeConfigSchema>;
