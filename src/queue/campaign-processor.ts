/**
 * What a worker does with each job of a campaign run.
 *
 * Shape of a run, and why: a parent `campaign-run` job that adds its children step by step
 * (BullMQ "step jobs" with dynamic children, `moveToWaitingChildren`):
 *
 *   campaign-run ─ step start ──▶ adds child `segments`, waits for it
 *                ─ step segments ▶ adds one child `sync` per destination, waits for them
 *                ─ step sync ────▶ sums the children up: the run's summary (its return value)
 *
 * A static flow (`FlowProducer`) cannot express "segments, then the syncs": BullMQ runs all
 * children of a parent before it, and a job has a single parent, so one segments job cannot be a
 * child of every sync job. A job scheduler also makes one plain job per slot, never a flow. So the
 * parent, which is what a scheduler or `enqueue` creates, adds the children itself. Each step is
 * kept in the parent's data and every child has a deterministic job id, so a parent taken over
 * after a crash repeats at most an `add` that BullMQ ignores.
 *
 * Children fail without failing the parent (`ignoreDependencyOnFailure`): one destination
 * rejecting the run does not stop the others, and the parent records each failure's reason.
 */
import { resolve } from 'node:path';
import { DelayedError, UnrecoverableError, WaitingChildrenError, type Job, type JobsOptions, type Queue } from 'bullmq';
import { ExitCode, moreUrgentExitCode, QuotaExhaustedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { makeRunId } from '../pipeline/run-id.js';
import type { RunContext } from '../pipeline/run-context.js';
import type { CampaignRunPipeline, QueuedCampaign } from './campaign-run-pipeline.js';
import { rethrowForBullmq } from './error-boundary.js';
import { readFailureReason } from './failure-reason.js';
import {
  JobName,
  campaignRunDataSchema,
  destinationSummarySchema,
  emptyOutcomeCounts,
  segmentsJobDataSchema,
  segmentsSummarySchema,
  sumOutcomeCounts,
  syncJobDataSchema,
  type CampaignRunData,
  type DestinationSummary,
  type RunSummary,
  type SegmentsSummary,
} from './job-data.js';
import { dryRunPlanOf } from './dry-run-plan.js';
import { destinationOutcomes } from './report-outcomes.js';
import type { RunStateStore } from './run-state-store.js';
import { queuedRunReport, type QueuedDestinationResult } from './queued-run-report.js';
import { reportExitCode } from '../pipeline/run-campaign.js';
import { CampaignBusyError, campaignLeaseName, holdCampaignLease, QUEUED_RUN_LEASE_TTL_MS, type HeldLease } from '../state/campaign-lease.js';
import { fileSha256, recordSkippedRun, runStatusOf } from '../state/record-run.js';
import type { StateStore } from '../state/state-store.js';
import type { RateBudgets } from '../rate-budget/rate-budgets.js';
import { completeRunHistory } from '../history/complete-run-history.js';

/** What the processor works with. */
export interface CampaignProcessorDeps {
  queue: Queue;
  store: RunStateStore;
  /** The sync-state store: every run gets a row there, with its trigger and final report. */
  state?: StateStore;
  pipeline: CampaignRunPipeline<QueuedCampaign, unknown>;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Directory for run state on this machine (Personalize jobs). */
  stateDir: string;
  /** Working directory campaign files and relative destination paths resolve against. */
  cwd: string;
  /** Options of the child jobs: attempts, backoff, retention. */
  childJobOptions: JobsOptions;
  /** True once the worker is shutting down. */
  draining: () => boolean;
  /** Request budgets per destination credential, shared by every worker (Redis). */
  rateBudgets?: RateBudgets;
}

/** The job id of a run's segments job. */
export const segmentsJobId = (runId: string): string => `${runId}.segments`;
/** The job id of a run's sync job for one destination. */
export const syncJobId = (runId: string, destinationIndex: number): string => `${runId}.sync.${destinationIndex}`;

/** Makes the worker's processor. */
export function createCampaignProcessor(deps: CampaignProcessorDeps): (job: Job, token?: string) => Promise<unknown> {
  return async (job, token) => {
    try {
      switch (job.name) {
        case JobName.campaignRun:
          return await processCampaignRun(deps, job, token);
        case JobName.segments:
          return await whileRenewingLease(deps, job, () => processSegments(deps, job, token));
        case JobName.sync:
          return await whileRenewingLease(deps, job, () => processSync(deps, job));
        default:
          throw new UnrecoverableError(`unknown job name "${job.name}"`);
      }
    } catch (error) {
      if (error instanceof QuotaExhaustedError) {
        deps.logger.warn({ job: job.name, jobId: job.id, deferredUntil: error.resetsAt.toISOString(), basis: error.resetBasis }, 'job deferred until its quota resets');
      }
      return rethrowForBullmq(error, job, token, deps.queue);
    }
  };
}

/** Runs a step of a run, renewing the campaign's lease while it works (never releasing it: the run goes on). */
async function whileRenewingLease<T>(deps: CampaignProcessorDeps, job: Job, step: () => Promise<T>): Promise<T> {
  const data = job.data as { campaign?: unknown; runId?: unknown; dryRun?: unknown };
  if (!deps.state || data.dryRun === true || typeof data.campaign !== 'string' || typeof data.runId !== 'string') return step();
  const lease = await holdCampaignLease(deps.state, data.campaign, data.runId, QUEUED_RUN_LEASE_TTL_MS);
  try {
    return await step();
  } catch (error) {
    if (error instanceof QuotaExhaustedError) {
      // The job sleeps until the quota resets (see error-boundary.ts): the run keeps its campaign till then.
      lease.stopRenewing();
      await deps.state.acquireLease(campaignLeaseName(data.campaign), data.runId, Math.max(0, error.resetsAt.getTime() - Date.now()) + QUEUED_RUN_LEASE_TTL_MS);
    }
    throw error;
  } finally {
    lease.stopRenewing();
  }
}

function runContext(deps: CampaignProcessorDeps, data: { runId: string; dryRun: boolean; dataDir?: string }, job: Job): RunContext {
  return {
    env: deps.env,
    logger: deps.logger.child({ runId: data.runId, job: job.name }),
    stateDir: deps.stateDir,
    state: deps.state,
    cwd: deps.cwd,
    dryRun: data.dryRun,
    dataDir: data.dataDir === undefined ? undefined : resolve(deps.cwd, data.dataDir),
    runId: data.runId,
    ...(deps.state ? { state: deps.state } : {}),
    ...(deps.rateBudgets ? { rateBudgets: deps.rateBudgets } : {}),
  };
}

function requireToken(token: string | undefined): string {
  if (token === undefined) throw new Error('BullMQ gave no lock token to a step job');
  return token;
}

async function processCampaignRun(deps: CampaignProcessorDeps, job: Job, token: string | undefined): Promise<RunSummary> {
  let data: CampaignRunData = campaignRunDataSchema.parse(job.data);
  const save = async (patch: Partial<CampaignRunData>): Promise<void> => {
    data = { ...data, ...patch };
    await job.updateData(data);
  };
  if (data.runId === undefined || data.startedAt === undefined) {
    // A scheduled run's id comes from its slot (the scheduler's `prevMillis`), so it is the same on every worker.
    await save({
      runId: data.runId ?? makeRunId(data.campaign, new Date(job.opts.prevMillis ?? job.timestamp + (job.delay ?? 0))),
      startedAt: data.startedAt ?? Date.now(),
    });
  }
  const runId = data.runId as string;
  const childOf = { parent: { id: job.id as string, queue: job.queueQualifiedName }, ignoreDependencyOnFailure: true };
  const childKey = (childId: string): string => `${job.queueQualifiedName}:${childId}`;
  const runFields = { campaign: data.campaign, campaignFile: data.campaignFile, dataDir: data.dataDir, dryRun: data.dryRun, runId };

  for (;;) {
    switch (data.step) {
      case 'start': {
        const run = {
          runId,
          campaign: data.campaign,
          trigger: data.trigger,
          dryRun: data.dryRun,
          campaignFileHash: await fileSha256(resolve(deps.cwd, data.campaignFile)),
          startedAt: new Date(data.startedAt ?? Date.now()),
        };
        if (deps.state && !data.dryRun) {
          // One run per campaign at a time: a scheduled slot and an `enqueue`, or two slots of a slow sync.
          const lease = await holdCampaignLease(deps.state, data.campaign, runId, QUEUED_RUN_LEASE_TTL_MS).catch((error: unknown) => error);
          if (lease instanceof CampaignBusyError) {
            await recordSkippedRun(deps.state, run, lease.message);
            const summary: RunSummary = { ...emptySummary(data, runId), skipped: lease.message };
            await save({ step: 'finished', finishedAt: Date.now(), summary });
            deps.logger.warn({ runId, campaign: data.campaign }, 'campaign run skipped: another run of the campaign is in progress');
            return summary;
          }
          if (lease instanceof Error) throw lease;
          (lease as HeldLease).stopRenewing();
        }
        await deps.state?.startRun(run);
        await deps.queue.add(JobName.segments, { ...runFields, checks: 0 }, { ...deps.childJobOptions, ...childOf, jobId: segmentsJobId(runId) });
        await save({ step: 'segments' });
        break;
      }
      case 'segments': {
        if (await job.moveToWaitingChildren(requireToken(token))) throw new WaitingChildrenError();
        const id = segmentsJobId(runId);
        const failure = (await job.getIgnoredChildrenFailures())[childKey(id)];
        if (failure !== undefined) {
          const reason = readFailureReason(failure);
          return finishRun(deps, save, data, { error: `segments: ${reason.message}`, failureExitCode: reason.exitCode, destinations: [], results: [] });
        }
        const segments: SegmentsSummary = segmentsSummarySchema.parse((await job.getChildrenValues())[childKey(id)]);
        for (const [destinationIndex, connector] of segments.destinations.entries()) {
          await deps.queue.add(
            JobName.sync,
            { ...runFields, destinationIndex, connector },
            { ...deps.childJobOptions, ...childOf, jobId: syncJobId(runId, destinationIndex) },
          );
        }
        await save({ step: 'sync', summary: { ...emptySummary(data, runId), segments } });
        break;
      }
      case 'sync': {
        if (await job.moveToWaitingChildren(requireToken(token))) throw new WaitingChildrenError();
        const connectors = data.summary?.segments?.destinations ?? [];
        const values = await job.getChildrenValues();
        const failures = await job.getIgnoredChildrenFailures();
        const destinations: DestinationSummary[] = [];
        const results: QueuedDestinationResult[] = [];
        let failureExitCode: number = ExitCode.ok;
        for (const [destinationIndex, connector] of connectors.entries()) {
          const key = childKey(syncJobId(runId, destinationIndex));
          const failure = failures[key];
          if (failure !== undefined) {
            const totals = await deps.store.destinationTotals(runId, destinationIndex);
            const reason = readFailureReason(failure);
            failureExitCode = moreUrgentExitCode(failureExitCode, reason.exitCode);
            destinations.push({ destinationIndex, connector, state: 'failed', ...totals, error: reason.message });
            results.push({ destinationIndex, connector, error: reason.message, exitCode: reason.exitCode });
          } else {
            destinations.push(destinationSummarySchema.parse(values[key]));
            results.push({ destinationIndex, connector, report: (values[key] as { report?: unknown } | undefined)?.report });
          }
        }
        const failed = destinations.filter((destination) => destination.state === 'failed');
        const error = failed.length === 0
          ? undefined
          : failed.map((destination) => `destination ${destination.destinationIndex + 1} (${destination.connector}): ${destination.error ?? 'failed'}`).join('; ');
        return finishRun(deps, save, data, { error, failureExitCode, destinations, results });
      }
      case 'finished': {
        const summary = data.summary ?? emptySummary(data, runId);
        if (summary.error !== undefined) throw new UnrecoverableError(summary.error);
        return summary;
      }
    }
  }
}

function emptySummary(data: CampaignRunData, runId: string): RunSummary {
  return { runId, campaign: data.campaign, dryRun: data.dryRun, destinations: [], outcomes: emptyOutcomeCounts() };
}

/** Records the run's summary in its data (kept on failure too), then completes or fails the job. */
async function finishRun(
  deps: CampaignProcessorDeps,
  save: (patch: Partial<CampaignRunData>) => Promise<void>,
  data: CampaignRunData,
  result: {
    error?: string;
    /** The exit code the failure maps to (2 bad input, 130 interrupted, else 1); 1 when not given. */
    failureExitCode?: number;
    destinations: DestinationSummary[];
    results: QueuedDestinationResult[];
  },
): Promise<RunSummary> {
  const runId = data.runId as string;
  const outcomes = sumOutcomeCounts(result.destinations.map((destination) => destination.outcomes));
  const summary: RunSummary = {
    ...emptySummary(data, runId),
    segments: data.summary?.segments,
    destinations: result.destinations,
    outcomes,
    ...(result.error === undefined ? {} : { error: result.error }),
  };
  await save({ step: 'finished', finishedAt: Date.now(), summary });
  if (deps.state !== undefined) {
    const report = queuedRunReport({
      campaign: data.campaign,
      file: resolve(deps.cwd, data.campaignFile),
      runId,
      dryRun: data.dryRun,
      startedAt: data.startedAt ?? Date.now(),
      segments: data.summary?.segments,
      destinations: result.results,
    });
    const rules = await deps.pipeline.loadCampaign(resolve(deps.cwd, data.campaignFile)).then((campaign) => campaign.campaign.alerts, () => undefined);
    await completeRunHistory({ store: deps.state, report, rules, env: deps.env, logger: deps.logger, ...(result.error === undefined ? {} : { failure: result.error }) });
    // A run that failed is never "nothing done" (3, which `runStatusOf` records as succeeded): the
    // failure's own code (2 for a config error, 1 otherwise) or a more urgent one of the report.
    const exitCode = result.error === undefined ? reportExitCode(report) : moreUrgentExitCode(moreUrgentExitCode(ExitCode.runFailed, result.failureExitCode ?? ExitCode.runFailed), reportExitCode(report));
    await deps.state.finishRun(runId, { status: runStatusOf(exitCode), report, error: result.error?.split('\n')[0]?.slice(0, 500), exitCode });
    if (!data.dryRun) await deps.state.releaseLease(campaignLeaseName(data.campaign), runId);
  }
  deps.logger.info({ runId, campaign: data.campaign, runFailed: result.error !== undefined, ...outcomes }, 'campaign run finished');
  if (result.error !== undefined) throw new UnrecoverableError(result.error);
  await deps.store.deleteRun(runId, result.destinations.length);
  return summary;
}

async function processSegments(deps: CampaignProcessorDeps, job: Job, token: string | undefined): Promise<SegmentsSummary> {
  const data = segmentsJobDataSchema.parse(job.data);
  const campaign = await deps.pipeline.loadCampaign(resolve(deps.cwd, data.campaignFile));
  const step = await deps.pipeline.generateSegments(campaign, runContext(deps, data, job), data.stepState);
  if (!step.done) {
    // A long external job (Personalize): look again later instead of holding the worker.
    await job.updateData({ ...data, stepState: step.state, checks: data.checks + 1 });
    if (deps.state && !data.dryRun) await deps.state.acquireLease(campaignLeaseName(data.campaign), data.runId, step.waitMs + QUEUED_RUN_LEASE_TTL_MS);
    await job.moveToDelayed(Date.now() + Math.max(0, step.waitMs), requireToken(token));
    throw new DelayedError();
  }
  await deps.store.saveSegments(data.runId, step.segments);
  return { ...step.summary, destinations: campaign.campaign.destinations.map((destination) => destination.connector) };
}

async function processSync(deps: CampaignProcessorDeps, job: Job): Promise<DestinationSummary & { report: unknown }> {
  const data = syncJobDataSchema.parse(job.data);
  const campaign = await deps.pipeline.loadCampaign(resolve(deps.cwd, data.campaignFile));
  const stored = await deps.store.loadSegments(data.runId);
  if (stored === undefined) throw new UnrecoverableError(`the segments of run ${data.runId} are gone from Redis (expired?); run the campaign again`);
  const report = await deps.pipeline.syncDestination(
    campaign,
    deps.pipeline.parseSegments(stored),
    data.destinationIndex,
    runContext(deps, data, job),
    (segmentIndex) => deps.store.checkpoints(data.runId, data.destinationIndex, segmentIndex, deps.draining),
  );
  const totals = await deps.store.destinationTotals(data.runId, data.destinationIndex);
  const plan = data.dryRun ? dryRunPlanOf(report) : undefined;
  // The report's counts (what `runs show` prints: members already in are not in any chunk).
  const outcomes = destinationOutcomes(report, totals.outcomes);
  return { destinationIndex: data.destinationIndex, connector: data.connector, state: 'completed', ...totals, outcomes, ...(plan ? { plan } : {}), report };
}
