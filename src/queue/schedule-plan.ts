/**
 * `schedule`: make the queue's job schedulers match the campaign files — one scheduler per
 * scheduled campaign, id = campaign name. The directory is the source of truth: a scheduler whose
 * campaign is gone or disabled is removed.
 */
import type { JobSchedulerJson, JobsOptions, Queue } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { JobName, type CampaignRunRequest } from './job-data.js';

/** A campaign that should run on a schedule. */
export interface DesiredSchedule {
  campaign: string;
  /** Campaign file as workers will open it (relative to their working directory, or absolute). */
  campaignFile: string;
  cron: string;
  /** IANA time zone of `cron`. */
  timezone: string;
  dataDir?: string;
}

/** What a scheduler in Redis says. */
export interface ExistingSchedule {
  campaign: string;
  cron?: string;
  timezone?: string;
  campaignFile?: string;
  dataDir?: string;
  /** Epoch milliseconds of the next run. */
  next?: number;
}

export type ScheduleChange =
  | { action: 'create'; schedule: DesiredSchedule }
  | { action: 'update'; schedule: DesiredSchedule; previous: ExistingSchedule }
  | { action: 'unchanged'; schedule: DesiredSchedule; previous: ExistingSchedule }
  | { action: 'remove'; previous: ExistingSchedule; reason: 'disabled' | 'no campaign file' };

/** Reads a BullMQ job scheduler back as an {@link ExistingSchedule}. */
export function existingSchedule(json: JobSchedulerJson): ExistingSchedule {
  const data = (json.template?.data ?? {}) as Partial<CampaignRunRequest>;
  return {
    campaign: json.id ?? json.key,
    cron: json.pattern,
    timezone: json.tz,
    campaignFile: data.campaignFile,
    dataDir: data.dataDir,
    next: json.next,
  };
}

/**
 * The changes that make `existing` match `desired`, by campaign name.
 * @param disabled - names of campaigns whose schedule says `enabled: false`.
 */
export function planSchedules(desired: readonly DesiredSchedule[], disabled: ReadonlySet<string>, existing: readonly ExistingSchedule[]): ScheduleChange[] {
  const byName = new Map(existing.map((schedule) => [schedule.campaign, schedule]));
  const changes: ScheduleChange[] = desired.map((schedule) => {
    const previous = byName.get(schedule.campaign);
    if (!previous) return { action: 'create', schedule };
    const same =
      previous.cron === schedule.cron &&
      (previous.timezone ?? 'UTC') === schedule.timezone &&
      previous.campaignFile === schedule.campaignFile &&
      previous.dataDir === schedule.dataDir;
    return same ? { action: 'unchanged', schedule, previous } : { action: 'update', schedule, previous };
  });
  const wanted = new Set(desired.map((schedule) => schedule.campaign));
  for (const previous of existing) {
    if (!wanted.has(previous.campaign)) {
      changes.push({ action: 'remove', previous, reason: disabled.has(previous.campaign) ? 'disabled' : 'no campaign file' });
    }
  }
  return changes.sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
}

function nameOf(change: ScheduleChange): string {
  return change.action === 'remove' ? change.previous.campaign : change.schedule.campaign;
}

/** The next time `cron` fires after `from`, in epoch milliseconds. */
export function nextCronRun(cron: string, timezone: string, from = new Date()): number {
  return CronExpressionParser.parse(cron, { tz: timezone, currentDate: from }).next().getTime();
}

/**
 * Applies a plan: upserts created and changed schedulers (BullMQ replaces the pending next job, so
 * a changed cron moves the next run), removes the others. Unchanged ones are left alone.
 * @returns the next run of each scheduler that exists afterwards, by campaign.
 */
export async function applySchedulePlan(queue: Queue, plan: readonly ScheduleChange[], jobOptions: JobsOptions): Promise<Map<string, number | undefined>> {
  const next = new Map<string, number | undefined>();
  for (const change of plan) {
    if (change.action === 'remove') {
      await queue.removeJobScheduler(change.previous.campaign);
      continue;
    }
    const { schedule } = change;
    if (change.action === 'unchanged') {
      next.set(schedule.campaign, change.previous.next);
      continue;
    }
    const data: CampaignRunRequest = {
      campaign: schedule.campaign,
      campaignFile: schedule.campaignFile,
      trigger: 'schedule',
      ...(schedule.dataDir === undefined ? {} : { dataDir: schedule.dataDir }),
    };
    const { jobId: _jobId, deduplication: _deduplication, delay: _delay, ...templateOptions } = jobOptions;
    await queue.upsertJobScheduler(schedule.campaign, { pattern: schedule.cron, tz: schedule.timezone }, { name: JobName.campaignRun, data, opts: templateOptions });
    next.set(schedule.campaign, (await queue.getJobScheduler(schedule.campaign))?.next);
  }
  return next;
}
