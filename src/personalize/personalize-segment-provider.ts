/**
 * The `personalize` segment provider: each run's queries become Amazon Personalize batch segment
 * jobs (one per 500 itemId or 10 itemAttributes queries), whose `.out` files give the segments.
 *
 * `generate` is a loop over {@link BatchSegmentJobRunner.advance}; a queue instead calls
 * {@link PersonalizeSegmentProvider.advanceRun} as delayed re-checks, then `generate`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, RateLimitedError, TransientError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ProviderContext } from '../segments/provider-definition.js';
import type { SegmentProvenance } from '../segments/segment-provenance.js';
import {
  queryKey,
  type SegmentJobOptions,
  type SegmentProvider,
  type SegmentQuery,
  type SegmentResult,
} from '../segments/segment-provider.js';
import { BatchSegmentJobRunner, SegmentJobTimeoutError } from './batch-segment-job-runner.js';
import { batchSegmentJobName } from './job-name.js';
import { localQueryProblem } from './local-query-check.js';
import { createPersonalizeClients, type PersonalizeClients } from './personalize-clients.js';
import type { PersonalizeConfig } from './personalize-config.js';
import { regionJobSlots } from './region-job-slots.js';
import { partLocation, splitIntoJobs } from './segment-job-plan.js';
import type { SegmentJobState } from './segment-job-state.js';
import { SegmentJobStore } from './segment-job-store.js';

/** Transient failures in a row (after the SDK's own retries) before `generate` gives up on a job. */
const MAX_TRANSIENT_FAILURES = 3;
const PROGRESS_STEP = 'personalize batch segment jobs';

export class PersonalizeSegmentProvider implements SegmentProvider {
  readonly id = 'personalize';
  /**
   * Results of jobs this instance read in {@link advanceRun}, by state file, until `generate` takes
   * them: the queue hands the instance of its last round to the segment step, so S3 is read once.
   */
  private readonly finishedJobResults = new Map<string, { recordedAt: string; results: SegmentResult[] }>();
  /** Steps jobs forward; see {@link BatchSegmentJobRunner.advance}. */
  readonly runner: BatchSegmentJobRunner;
  /** Where job states are recorded (`<stateDir>/<run>/part-<N>.json`). */
  readonly store: SegmentJobStore;
  private readonly clients: PersonalizeClients;
  private readonly logger: Logger;

  constructor(
    private readonly config: PersonalizeConfig,
    context: Pick<ProviderContext, 'env' | 'logger' | 'stateDir'>,
    clients?: PersonalizeClients,
  ) {
    this.clients = clients ?? createPersonalizeClients(config, context.env);
    this.logger = context.logger;
    this.store = new SegmentJobStore(context.stateDir);
    this.runner = new BatchSegmentJobRunner({
      personalize: this.clients.personalize,
      s3: this.clients.s3,
      store: this.store,
      logger: context.logger,
      pollIntervalMs: config.pollIntervalMs,
      maxPollIntervalMs: config.maxPollIntervalMs,
      maxWaitMs: config.maxWaitMs,
    });
  }

  /** The solution version and the batch segment job ARNs recorded for run `runId`. */
  async provenance(runId: string): Promise<SegmentProvenance | undefined> {
    const arns: string[] = [];
    for (let part = 1; ; part += 1) {
      const state = await this.store.load(runId, part);
      if (!state) break;
      if (state.jobArn) arns.push(state.jobArn);
    }
    return {
      provider: 'personalize',
      solutionVersionArn: this.config.solutionVersionArn,
      batchSegmentJobArns: arns,
      ...(this.config.filterArn ? { filterArn: this.config.filterArn } : {}),
    };
  }

  /** True when a run with this id recorded its first job here (so `--run-id` can resume it). */
  async hasRun(runId: string): Promise<boolean> {
    return (await this.store.load(runId, 1)) !== undefined;
  }

  /**
   * The jobs of a run, one state per part: recorded ones when the run was started before (so it
   * resumes), else new `planned` states, recorded now. Queries are deduplicated; queries
   * Personalize cannot serve (see {@link localQueryProblem}) are left out.
   * @throws ConfigError when the run id already has jobs for other queries or settings, or
   *   itemId and itemAttributes queries are mixed.
   */
  async plan(queries: readonly SegmentQuery[], options: Pick<SegmentJobOptions, 'numResults' | 'runId'> & { runId: string }): Promise<SegmentJobState[]> {
    const distinct = new Map<string, SegmentQuery>();
    for (const query of queries) if (!localQueryProblem(query)) distinct.set(queryKey(query), toWireQuery(query));
    const jobs = splitIntoJobs([...distinct.values()]);
    const states: SegmentJobState[] = [];
    for (const [index, jobQueries] of jobs.entries()) {
      const part = index + 1;
      const fresh: SegmentJobState = {
        version: 1,
        runId: options.runId,
        part,
        jobName: batchSegmentJobName(options.runId, part),
        request: {
          solutionVersionArn: this.config.solutionVersionArn,
          roleArn: this.config.roleArn,
          numResults: options.numResults,
          ...(this.config.filterArn ? { filterArn: this.config.filterArn } : {}),
          ...(this.config.kmsKeyArn ? { kmsKeyArn: this.config.kmsKeyArn } : {}),
        },
        location: partLocation(this.config.s3, options.runId, part),
        queries: jobQueries,
        step: 'planned',
        polls: 0,
        limitRetries: 0,
        updatedAt: new Date().toISOString(),
      };
      const recorded = await this.store.load(options.runId, part);
      if (recorded && !sameJob(recorded, fresh)) {
        throw new ConfigError([
          {
            file: this.store.pathOf(options.runId, part),
            message: `run "${options.runId}" already has Personalize job ${recorded.jobName} for other queries or settings; start the run with a new run id`,
          },
        ]);
      }
      if (recorded) {
        this.logger.info({ job: recorded.jobName, step: recorded.step }, 'personalize: resuming recorded job');
        states.push(recorded);
      } else {
        await this.store.save(fresh);
        states.push(fresh);
      }
    }
    return states;
  }

  /**
   * Runs the batch segment jobs of `queries` to the end and returns one result per query, in
   * query order. `options.runId` names the jobs; a run with a run id seen before resumes its jobs
   * (without one, the run gets a fresh id and cannot be resumed). `excludeInteracted` does not
   * apply: use a Personalize filter (`filterArn`).
   * @throws ConfigError, AuthError, PermanentError (a job in `CREATE FAILED`, with its reason),
   *   TransientError (a job outlived `maxWaitMs`, or the run was aborted), RateLimitedError.
   */
  async generate(queries: readonly SegmentQuery[], options: SegmentJobOptions): Promise<SegmentResult[]> {
    const runId = options.runId ?? `adhoc-${new Date().toISOString().replace(/[-:.]/g, '')}`;
    const states = await this.plan(queries, { numResults: options.numResults, runId });
    const byKey = new Map<string, SegmentResult>();
    const slots = regionJobSlots(this.clients.region);
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    let finished = 0;
    options.onProgress?.({ step: PROGRESS_STEP, done: 0, total: states.length });

    // The first failure ends the run; the other jobs stop at their next step (they stay resumable).
    let firstFailure: { error: unknown } | undefined;
    await Promise.all(
      states.map((state) =>
        slots(async () => {
          const results = this.takeFinishedResults(state) ?? (await this.runToEnd(state, signal));
          for (const result of results) byKey.set(queryKey(result.input), result);
          finished += 1;
          options.onProgress?.({ step: PROGRESS_STEP, done: finished, total: states.length });
        }).catch((error: unknown) => {
          firstFailure ??= { error };
          stop.abort();
        }),
      ),
    );
    if (firstFailure) throw firstFailure.error;

    return assembleResults(queries, byKey);
  }

  /**
   * One round of a run driven by delayed re-checks (a queue job that re-schedules itself instead
   * of blocking a worker): takes every job of the run as far as it goes without waiting, and says
   * either that all are done, with the results in query order, or how long to wait before the
   * next round. Each round resumes from the recorded states, so rounds may run in different
   * processes.
   * @throws as {@link generate}; RateLimitedError and TransientError are meant to be retried later.
   */
  async advanceRun(
    queries: readonly SegmentQuery[],
    options: Pick<SegmentJobOptions, 'numResults' | 'signal'> & { runId: string },
  ): Promise<{ done: true; results: SegmentResult[] } | { done: false; waitMs: number; steps: Partial<Record<SegmentJobState['step'], number>> }> {
    const states = await this.plan(queries, options);
    const steps: Partial<Record<SegmentJobState['step'], number>> = {};
    let waitMs = Number.POSITIVE_INFINITY;
    const advanced: SegmentJobState[] = [];
    for (let state of states) {
      // A job that is ACTIVE waits at `reading`: outputs are read once, in the round where every job is done.
      while (state.step !== 'reading' && state.step !== 'done') {
        options.signal?.throwIfAborted();
        const step = await this.runner.advance(state);
        state = step.state;
        if (step.waitMs > 0) {
          waitMs = Math.min(waitMs, step.waitMs);
          break;
        }
      }
      steps[state.step] = (steps[state.step] ?? 0) + 1;
      advanced.push(state);
    }
    if (waitMs !== Number.POSITIVE_INFINITY) return { done: false, waitMs, steps };
    const byKey = new Map<string, SegmentResult>();
    for (const state of advanced) {
      options.signal?.throwIfAborted();
      const step = await this.runner.advance(state);
      const results = step.results ?? [];
      this.keepFinishedResults(step.state, results);
      for (const result of results) byKey.set(queryKey(result.input), result);
    }
    return { done: true, results: assembleResults(queries, byKey) };
  }

  private keepFinishedResults(state: SegmentJobState, results: SegmentResult[]): void {
    this.finishedJobResults.set(this.store.pathOf(state.runId, state.part), { recordedAt: state.updatedAt, results });
  }

  /** Kept results of a job recorded `done` (see `finishedJobResults`), removed as they are taken. */
  private takeFinishedResults(state: SegmentJobState): SegmentResult[] | undefined {
    if (state.step !== 'done') return undefined;
    const file = this.store.pathOf(state.runId, state.part);
    const kept = this.finishedJobResults.get(file);
    this.finishedJobResults.delete(file);
    // Only for the very state recorded when the output was read, not a later job under the same file.
    return kept?.recordedAt === state.updatedAt ? kept.results : undefined;
  }

  /** Advances one job until it is done, waiting as told, retrying throttled and passing failures. */
  private async runToEnd(initial: SegmentJobState, signal: AbortSignal): Promise<SegmentResult[]> {
    let state = initial;
    let transientFailures = 0;
    for (;;) {
      try {
        signal.throwIfAborted();
        const step = await this.runner.advance(state);
        transientFailures = 0;
        state = step.state;
        if (step.done) return step.results ?? [];
        if (step.waitMs > 0) await sleep(step.waitMs, undefined, { signal });
      } catch (error) {
        if (isAbort(error)) throw new TransientError(`run aborted while Personalize job ${state.jobName} was at step "${state.step}"; a run with the same run id resumes it`, { cause: error });
        if (error instanceof RateLimitedError) {
          this.logger.warn({ job: state.jobName, retryAfterMs: error.retryAfterMs }, 'personalize: throttled, waiting');
          await sleep(error.retryAfterMs, undefined, { signal }).catch((abort: unknown) => {
            throw new TransientError(`run aborted while Personalize job ${state.jobName} was throttled`, { cause: abort });
          });
          continue;
        }
        if (error instanceof TransientError && !(error instanceof SegmentJobTimeoutError) && ++transientFailures < MAX_TRANSIENT_FAILURES) {
          this.logger.warn({ job: state.jobName, attempt: transientFailures }, 'personalize: passing failure, retrying');
          await sleep(this.config.pollIntervalMs * 2 ** transientFailures, undefined, { signal }).catch(() => undefined);
          continue;
        }
        throw error;
      }
    }
  }
}

/** One result per query, in query order: local refusals, then the jobs' results. */
function assembleResults(queries: readonly SegmentQuery[], byKey: ReadonlyMap<string, SegmentResult>): SegmentResult[] {
  return queries.map((query): SegmentResult => {
    const problem = localQueryProblem(query);
    if (problem) return { input: query, output: { usersList: [] }, error: problem };
    const result = byKey.get(queryKey(query));
    return result ? { ...result, input: query } : { input: query, output: { usersList: [] }, error: 'no result from the batch segment job' };
  });
}

/** The query as one input line: only the field Personalize reads. */
function toWireQuery(query: SegmentQuery): SegmentQuery {
  return 'itemId' in query ? { itemId: query.itemId } : { itemAttributes: query.itemAttributes };
}

function sameJob(recorded: SegmentJobState, fresh: SegmentJobState): boolean {
  const essentials = (state: SegmentJobState) => JSON.stringify([state.jobName, state.request, state.location, state.queries]);
  return essentials(recorded) === essentials(fresh);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
