/**
 * `status`: the recent runs of each campaign (state, step, counts per outcome, durations) and the
 * next scheduled run, read from the queue.
 */
import type { Job, JobType, Queue } from 'bullmq';
import { syncJobId } from './campaign-processor.js';
import type { CampaignQueue } from './campaign-queue.js';
import { campaignRunDataSchema, JobName, sumOutcomeCounts, syncJobDataSchema, type CampaignRunData, type OutcomeCounts, type RunStep } from './job-data.js';
import { sumDryRunPlans, type DryRunPlan } from './dry-run-plan.js';
import { RunStateStore } from './run-state-store.js';
import { existingSchedule } from './schedule-plan.js';
import { failureMessage } from './failure-reason.js';

/** A run as `status` shows it. */
export interface RunStatus {
  runId: string;
  jobId: string;
  trigger: 'schedule' | 'enqueue';
  /**
   * `queued` (waiting or delayed), `running` (a step or its children at work), `deferred` (a
   * destination waits for a spent quota to reset, see `deferredUntil`), `completed`, `failed`.
   */
  state: 'queued' | 'running' | 'deferred' | 'completed' | 'failed';
  /** A deferred run: when its last deferred destination resumes (ISO 8601). */
  deferredUntil?: string;
  /** A dry run: it wrote nothing; `plan` says what it would change. */
  dryRun: boolean;
  /** Dry runs that got to their destinations: would add / would remove / already in, over every destination. */
  plan?: DryRunPlan;
  step: RunStep;
  /** ISO 8601. */
  startedAt?: string;
  finishedAt?: string;
  /** Finished runs: end − start; running ones: so far. In milliseconds. */
  durationMs?: number;
  /** Outcomes over every destination, including chunks of a run still in progress. */
  outcomes: OutcomeCounts;
  destinations: Array<{
    destinationIndex: number;
    connector: string;
    /** `running`, `deferred`, `completed`, `failed`. */
    state: string;
    chunks: number;
    outcomes: OutcomeCounts;
    error?: string;
    /** A deferred destination: when its sync job resumes (ISO 8601) and why it waits. */
    deferredUntil?: string;
    deferredReason?: string;
  }>;
  /** Why the run failed. */
  error?: string;
}

export interface CampaignStatus {
  campaign: string;
  /** The campaign's job scheduler, when it has one. */
  schedule?: { cron?: string; timezone?: string; nextRunAt?: string };
  /** Most recent first. */
  runs: RunStatus[];
}

const RUN_STATES: JobType[] = ['active', 'waiting-children', 'waiting', 'prioritized', 'delayed', 'completed', 'failed'];

/**
 * Collects the status of every campaign with a scheduler or a recent run.
 * @param runsPerCampaign - most runs listed per campaign. @defaultValue 5
 * @param scanJobs - most recent jobs of each state looked at. @defaultValue 500
 */
export async function collectRunStatus(
  campaignQueue: CampaignQueue,
  options: { runsPerCampaign?: number; scanJobs?: number; now?: number } = {},
): Promise<CampaignStatus[]> {
  const { queue, redis, settings } = campaignQueue;
  const now = options.now ?? Date.now();
  const store = new RunStateStore(redis, settings.prefix, settings.retention.failedAgeSeconds);
  const statuses = new Map<string, CampaignStatus>();
  const statusOf = (campaign: string): CampaignStatus => {
    let status = statuses.get(campaign);
    if (!status) {
      status = { campaign, runs: [] };
      statuses.set(campaign, status);
    }
    return status;
  };

  for (const scheduler of await queue.getJobSchedulers(0, -1)) {
    const schedule = existingSchedule(scheduler);
    statusOf(schedule.campaign).schedule = {
      cron: schedule.cron,
      timezone: schedule.timezone,
      ...(schedule.next === undefined ? {} : { nextRunAt: new Date(schedule.next).toISOString() }),
    };
  }

  const jobs = (await queue.getJobs(RUN_STATES, 0, (options.scanJobs ?? 500) - 1)).filter((job) => job.name === JobName.campaignRun);
  const runs: Array<{ campaign: string; sortKey: number; run: RunStatus }> = [];
  for (const job of jobs) {
    const parsed = campaignRunDataSchema.safeParse(job.data);
    if (!parsed.success) continue;
    const data = parsed.data;
    const state = await job.getState();
    // A scheduler's pending job is the next run, shown with the schedule, not as a run.
    if (data.trigger === 'schedule' && data.startedAt === undefined && state === 'delayed') continue;
    runs.push({ campaign: data.campaign, sortKey: data.startedAt ?? job.timestamp, run: await describeRun(job, data, state, store, queue, now) });
  }
  runs.sort((a, b) => b.sortKey - a.sortKey);
  for (const { campaign, run } of runs) {
    const status = statusOf(campaign);
    if (status.runs.length < (options.runsPerCampaign ?? 5)) status.runs.push(run);
  }
  return [...statuses.values()].sort((a, b) => a.campaign.localeCompare(b.campaign));
}

/**
 * Where a destination's sync job is: `completed`, `failed`, `deferred` (asleep until a spent quota
 * resets: until when, epoch ms, and why) or `running` (anything else: at work, waiting, retrying).
 */
async function syncJobStateOf(queue: Queue, runId: string, destinationIndex: number, now: number): Promise<{ state: string; until?: number; reason?: string }> {
  const job = await queue.getJob(syncJobId(runId, destinationIndex));
  if (!job) return { state: 'running' };
  const jobState = await job.getState();
  if (jobState === 'completed' || jobState === 'failed') return { state: jobState };
  const data = syncJobDataSchema.safeParse(job.data);
  if (jobState !== 'delayed' || !data.success || data.data.deferredUntil === undefined || data.data.deferredUntil <= now) return { state: 'running' };
  return { state: 'deferred', until: data.data.deferredUntil, ...(data.data.deferredReason === undefined ? {} : { reason: data.data.deferredReason }) };
}

async function describeRun(job: Job, data: CampaignRunData, jobState: string, store: RunStateStore, queue: Queue, now: number): Promise<RunStatus> {
  let state: RunStatus['state'] =
    jobState === 'completed' ? 'completed' : jobState === 'failed' ? 'failed' : jobState === 'active' || jobState === 'waiting-children' || data.startedAt !== undefined ? 'running' : 'queued';
  const runId = data.runId ?? String(job.id);
  let destinations: RunStatus['destinations'] = data.summary?.destinations ?? [];
  let deferredUntil: number | undefined;
  if (state === 'running' && data.step === 'sync') {
    const connectors = data.summary?.segments?.destinations ?? [];
    destinations = await Promise.all(
      connectors.map(async (connector, destinationIndex) => {
        const totals = await store.destinationTotals(runId, destinationIndex);
        const child = await syncJobStateOf(queue, runId, destinationIndex, now);
        if (child.until === undefined) return { destinationIndex, connector, state: child.state, ...totals };
        deferredUntil = Math.max(deferredUntil ?? 0, child.until);
        return {
          destinationIndex,
          connector,
          state: child.state,
          ...totals,
          deferredUntil: new Date(child.until).toISOString(),
          ...(child.reason === undefined ? {} : { deferredReason: child.reason }),
        };
      }),
    );
    // Deferred when no destination is still at work: the run waits for the reset.
    if (deferredUntil !== undefined && !destinations.some((destination) => destination.state === 'running')) state = 'deferred';
  }
  const outcomes = sumOutcomeCounts(destinations.map((destination) => destination.outcomes));
  const plans = (data.summary?.destinations ?? []).flatMap((destination) => (destination.plan ? [destination.plan] : []));
  const finishedAt = data.finishedAt ?? (state === 'completed' || state === 'failed' ? job.finishedOn : undefined);
  const reason = data.summary?.error ?? (state === 'failed' ? job.failedReason : undefined);
  const error = reason === undefined ? undefined : failureMessage(reason);
  return {
    runId,
    jobId: String(job.id),
    trigger: data.trigger,
    state,
    ...(state === 'deferred' && deferredUntil !== undefined ? { deferredUntil: new Date(deferredUntil).toISOString() } : {}),
    dryRun: data.dryRun,
    ...(data.dryRun && plans.length > 0 ? { plan: sumDryRunPlans(plans) } : {}),
    step: data.step,
    ...(data.startedAt === undefined ? {} : { startedAt: new Date(data.startedAt).toISOString() }),
    ...(finishedAt === undefined ? {} : { finishedAt: new Date(finishedAt).toISOString() }),
    ...(data.startedAt === undefined ? {} : { durationMs: (finishedAt ?? now) - data.startedAt }),
    outcomes,
    destinations,
    ...(error ? { error } : {}),
  };
}
