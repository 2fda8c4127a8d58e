/**
 * Moves one batch segment job forward by one step: upload the input, create the job, check its
 * status once, or read its output. Each call records the step reached before it returns and says
 * how long to wait before the next call, so the same function serves an in-process loop
 * ({@link PersonalizeSegmentProvider.generate}) and delayed re-checks of a queue, where no worker
 * stays blocked while Personalize works (jobs take minutes to hours).
 *
 * Calls and statuses: Personalize API reference, CreateBatchSegmentJob, DescribeBatchSegmentJob,
 * ListBatchSegmentJobs (`../shared/reference/personalize.md` §4). `ACTIVE` and `CREATE FAILED`
 * are final; any other status (`CREATE PENDING`, `CREATE IN_PROGRESS`, `IN PROGRESS`, …) means
 * the job is still running.
 */
import {
  CreateBatchSegmentJobCommand,
  DescribeBatchSegmentJobCommand,
  ListBatchSegmentJobsCommand,
  type PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PermanentError, TransientError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { queryKey, type SegmentResult } from '../segments/segment-provider.js';
import { parseArn } from './arn.js';
import { awsErrorName, translateAwsError } from './aws-errors.js';
import { s3Url } from './segment-job-plan.js';
import type { SegmentJobState } from './segment-job-state.js';
import type { SegmentJobStore } from './segment-job-store.js';
import { readSegmentOutput } from './segment-output-reader.js';

/**
 * A job outlived `maxWaitMs` (running, or waiting for a free job slot). Transient: the job goes
 * on in Personalize and a later run with the same run id resumes it; not worth an immediate retry.
 */
export class SegmentJobTimeoutError extends TransientError {}

/** What one {@link BatchSegmentJobRunner.advance} call did. */
export interface SegmentJobAdvance {
  /** The state after the step; already recorded in the store. */
  state: SegmentJobState;
  /** True when `results` holds the segments of every query of the job. */
  done: boolean;
  /** How long to wait before calling `advance` again, in milliseconds (0: go on at once). */
  waitMs: number;
  /** One result per query of the job, in the job's query order; set when `done`. */
  results?: SegmentResult[];
}

export interface BatchSegmentJobRunnerOptions {
  personalize: PersonalizeClient;
  s3: S3Client;
  store: SegmentJobStore;
  logger: Logger;
  /** First wait between two status checks, in milliseconds; grows 1.5 times per check. */
  pollIntervalMs: number;
  /** Longest wait between two status checks, in milliseconds. */
  maxPollIntervalMs: number;
  /** Longest time a job may run, or wait for a free job slot, before the step gives up, in milliseconds. */
  maxWaitMs: number;
  /** The clock (tests). @defaultValue `() => new Date()` */
  now?: () => Date;
}

/** Runs the steps of batch segment jobs; holds no per-job memory, everything is in the state. */
export class BatchSegmentJobRunner {
  private readonly now: () => Date;

  constructor(private readonly options: BatchSegmentJobRunnerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Does the next step of the job `state` describes and records the new state.
   * @throws PermanentError when the job ends in `CREATE FAILED` (with Personalize's
   *   `failureReason`) or its output cannot be read; TransientError when it outlives `maxWaitMs`;
   *   AuthError, RateLimitedError, TransientError, ConfigError for failed calls.
   */
  async advance(state: SegmentJobState): Promise<SegmentJobAdvance> {
    switch (state.step) {
      case 'planned':
        return this.upload(state);
      case 'uploaded':
        return this.create(state);
      case 'created':
      case 'polling':
        return this.poll(state);
      case 'reading':
      case 'done':
        return this.read(state);
      case 'failed':
        throw this.failure(state);
    }
  }

  private async upload(state: SegmentJobState): Promise<SegmentJobAdvance> {
    const { bucket, inputKey } = state.location;
    const body = state.queries.map((query) => JSON.stringify(query)).join('\n') + '\n';
    await this.options.s3
      .send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: inputKey,
          Body: body,
          ContentType: 'application/json',
          ...(state.request.kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: state.request.kmsKeyArn } : {}),
        }),
      )
      .catch((error: unknown) => {
        throw translateAwsError(error, { service: 's3', operation: 'PutObject', resource: s3Url(bucket, inputKey) });
      });
    this.options.logger.info({ job: state.jobName, queries: state.queries.length }, 'personalize: input uploaded');
    return this.record({ ...state, step: 'uploaded' }, 0);
  }

  private async create(state: SegmentJobState): Promise<SegmentJobAdvance> {
    const { request, location } = state;
    try {
      const answer = await this.options.personalize.send(
        new CreateBatchSegmentJobCommand({
          jobName: state.jobName,
          solutionVersionArn: request.solutionVersionArn,
          ...(request.filterArn ? { filterArn: request.filterArn } : {}),
          numResults: request.numResults,
          jobInput: { s3DataSource: { path: s3Url(location.bucket, location.inputKey), ...(request.kmsKeyArn ? { kmsKeyArn: request.kmsKeyArn } : {}) } },
          jobOutput: { s3DataDestination: { path: s3Url(location.bucket, location.outputPrefix), ...(request.kmsKeyArn ? { kmsKeyArn: request.kmsKeyArn } : {}) } },
          roleArn: request.roleArn,
        }),
      );
      if (!answer.batchSegmentJobArn) throw new PermanentError(`Personalize CreateBatchSegmentJob (${state.jobName}) answered without batchSegmentJobArn`);
      this.options.logger.info({ job: state.jobName }, 'personalize: batch segment job created');
      return this.record(
        { ...state, step: 'created', jobArn: answer.batchSegmentJobArn, createdAt: this.now().toISOString(), limitedSince: undefined },
        this.options.pollIntervalMs,
      );
    } catch (error) {
      const name = awsErrorName(error);
      if (name === 'ResourceAlreadyExistsException') {
        const jobArn = await this.findOwnJobArn(state);
        this.options.logger.info({ job: state.jobName }, 'personalize: job exists already, resuming it');
        return this.record({ ...state, step: 'created', jobArn }, 0);
      }
      if (name === 'LimitExceededException') return this.waitForSlot(state);
      if (error instanceof PermanentError) throw error;
      throw translateAwsError(error, { service: 'personalize', operation: 'CreateBatchSegmentJob', resource: state.jobName });
    }
  }

  /** Five jobs already pending or running in this region (not adjustable): wait and try again. */
  private async waitForSlot(state: SegmentJobState): Promise<SegmentJobAdvance> {
    const now = this.now();
    const limitedSince = state.limitedSince ?? now.toISOString();
    if (now.getTime() - Date.parse(limitedSince) > this.options.maxWaitMs) {
      throw new SegmentJobTimeoutError(
        `Personalize CreateBatchSegmentJob (${state.jobName}) still answers LimitExceededException after ${minutes(this.options.maxWaitMs)}: at most 5 batch segment jobs may be pending or running per region; a run with the same run id resumes`,
      );
    }
    const limitRetries = state.limitRetries + 1;
    this.options.logger.warn({ job: state.jobName, attempt: limitRetries }, 'personalize: job limit reached, waiting for a free slot');
    return this.record({ ...state, limitRetries, limitedSince }, this.backoff(limitRetries));
  }

  /** The ARN of the job that already has our name: from ListBatchSegmentJobs, else built from its parts. */
  private async findOwnJobArn(state: SegmentJobState): Promise<string> {
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.options.personalize.send(
          new ListBatchSegmentJobsCommand({ solutionVersionArn: state.request.solutionVersionArn, maxResults: 100, nextToken }),
        );
        const own = page.batchSegmentJobs?.find((job) => job.jobName === state.jobName);
        if (own?.batchSegmentJobArn) return own.batchSegmentJobArn;
        nextToken = page.nextToken ?? undefined;
      } while (nextToken);
    } catch (error) {
      this.options.logger.warn({ job: state.jobName, error: awsErrorName(error) }, 'personalize: ListBatchSegmentJobs failed, building the job ARN');
    }
    // The documented form (CreateBatchSegmentJob response): arn:<partition>:personalize:<region>:<account>:batch-segment-job/<jobName>.
    const arn = parseArn(state.request.solutionVersionArn);
    if (!arn) throw new PermanentError(`cannot find the ARN of the existing batch segment job ${state.jobName}`);
    return `arn:${arn.partition}:personalize:${arn.region}:${arn.accountId}:batch-segment-job/${state.jobName}`;
  }

  private async poll(state: SegmentJobState): Promise<SegmentJobAdvance> {
    const jobArn = state.jobArn;
    if (!jobArn) throw new PermanentError(`state of ${state.jobName} says "${state.step}" but has no job ARN`);
    const answer = await this.options.personalize.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn: jobArn })).catch((error: unknown) => {
      throw translateAwsError(error, { service: 'personalize', operation: 'DescribeBatchSegmentJob', resource: jobArn }, this.options.pollIntervalMs);
    });
    const job = answer.batchSegmentJob;
    if (!job?.status) throw new PermanentError(`Personalize DescribeBatchSegmentJob (${jobArn}) answered without a status`);
    this.checkOwnership(state, job.solutionVersionArn, job.jobOutput?.s3DataDestination?.path);

    const createdAt = state.createdAt ?? job.creationDateTime?.toISOString() ?? this.now().toISOString();
    const polls = state.polls + 1;
    if (job.status === 'ACTIVE') {
      this.options.logger.info({ job: state.jobName, polls }, 'personalize: batch segment job active');
      return this.record({ ...state, step: 'reading', status: job.status, createdAt, polls }, 0);
    }
    if (job.status === 'CREATE FAILED') {
      const failed: SegmentJobState = { ...state, step: 'failed', status: job.status, failureReason: job.failureReason ?? 'no failureReason given', createdAt, polls };
      await this.options.store.save({ ...failed, updatedAt: this.now().toISOString() });
      throw this.failure(failed);
    }
    const runningMs = this.now().getTime() - Date.parse(createdAt);
    if (runningMs > this.options.maxWaitMs) {
      throw new SegmentJobTimeoutError(
        `Personalize batch segment job ${state.jobName} is still "${job.status}" after ${minutes(runningMs)} (maxWaitMs ${this.options.maxWaitMs}); a run with the same run id resumes it`,
      );
    }
    return this.record({ ...state, step: 'polling', status: job.status, createdAt, polls }, this.backoff(polls));
  }

  /** A job found under our name must be ours: same solution version and output folder. */
  private checkOwnership(state: SegmentJobState, solutionVersionArn: string | undefined, outputPath: string | undefined): void {
    const expectedOutput = s3Url(state.location.bucket, state.location.outputPrefix);
    if ((solutionVersionArn && solutionVersionArn !== state.request.solutionVersionArn) || (outputPath && outputPath !== expectedOutput)) {
      throw new PermanentError(
        `a batch segment job named ${state.jobName} exists but belongs to another run (solution version ${solutionVersionArn ?? '?'}, output ${outputPath ?? '?'}); use another run id`,
      );
    }
  }

  private async read(state: SegmentJobState): Promise<SegmentJobAdvance> {
    const { bucket, outputPrefix } = state.location;
    const wanted = new Map(state.queries.map((query) => [queryKey(query), query]));
    const found = new Map<string, SegmentResult>();
    let unknown = 0;
    let duplicates = 0;
    const { objects, lines } = await readSegmentOutput(this.options.s3, bucket, outputPrefix, (line) => {
      const key = queryKey(line.input);
      const query = wanted.get(key);
      if (!query) unknown += 1;
      else if (found.has(key)) duplicates += 1;
      else found.set(key, { input: query, output: { usersList: line.usersList }, error: line.error });
    });
    if (objects === 0) throw new PermanentError(`batch segment job ${state.jobName} is ACTIVE but wrote no .out file under ${s3Url(bucket, outputPrefix)}`);
    if (unknown > 0 || duplicates > 0) this.options.logger.warn({ job: state.jobName, unknown, duplicates }, 'personalize: output lines that match no query, or repeat one, were ignored');
    const results = state.queries.map(
      (query): SegmentResult =>
        found.get(queryKey(query)) ?? { input: query, output: { usersList: [] }, error: `no output line for this query in ${s3Url(bucket, outputPrefix)}` },
    );
    this.options.logger.info({ job: state.jobName, objects, lines, failed: results.filter((result) => result.error).length }, 'personalize: output read');
    const advanced = await this.record({ ...state, step: 'done' }, 0);
    return { ...advanced, done: true, results };
  }

  private failure(state: SegmentJobState): PermanentError {
    return new PermanentError(`Personalize batch segment job ${state.jobName} failed (CREATE FAILED): ${state.failureReason ?? 'no failureReason given'}`);
  }

  private backoff(attempt: number): number {
    return Math.round(Math.min(this.options.pollIntervalMs * 1.5 ** Math.max(0, attempt - 1), this.options.maxPollIntervalMs));
  }

  private async record(state: SegmentJobState, waitMs: number): Promise<SegmentJobAdvance> {
    const recorded = { ...state, updatedAt: this.now().toISOString() };
    await this.options.store.save(recorded);
    return { state: recorded, done: false, waitMs };
  }
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}
