/**
 * `schedule`: make the queue's job schedulers match the campaign files — one scheduler per
 * scheduled campaign, id = campaign name. Each scheduler belongs to the campaign directory that
 * made it (its `owner`, kept in the scheduler's template data): the directory is the source of
 * truth for its own schedulers only. Schedulers of other directories are kept unless the user
 * asks to remove them.
 */
import { dirname } from 'node:path';
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
  /** The campaign directory that owns this scheduler (as jobs name it, e.g. `config/campaigns`). */
  owner: string;
}

/** What a scheduler in Redis says. */
export interface ExistingSchedule {
  campaign: string;
  cron?: string;
  timezone?: string;
  campaignFile?: string;
  dataDir?: string;
  /**
   * The campaign directory that made it. Schedulers made before owners existed have none in their
   * data: the directory of their campaign file stands in.
   */
  owner?: string;
  /** Epoch milliseconds of the next run. */
  next?: number;
}

export type ScheduleChange =
  | { action: 'create'; schedule: DesiredSchedule }
  | { action: 'update'; schedule: DesiredSchedule; previous: ExistingSchedule }
  | { action: 'unchanged'; schedule: DesiredSchedule; previous: ExistingSchedule }
  | { action: 'remove'; previous: ExistingSchedule; reason: 'disabled' | 'no campaign file' | 'made by another directory' }
  /** Another directory's scheduler, left alone (removed only with `--remove-others`). */
  | { action: 'keep'; previous: ExistingSchedule };

/** A campaign of this directory whose name is taken by another directory's scheduler. */
export interface ScheduleConflict {
  schedule: DesiredSchedule;
  previous: ExistingSchedule;
}

/** Reads a BullMQ job scheduler back as an {@link ExistingSchedule}. */
export function existingSchedule(json: JobSchedulerJson): ExistingSchedule {
  const data = (json.template?.data ?? {}) as Partial<CampaignRunRequest>;
  const owner = data.scheduleOwner ?? (data.campaignFile === undefined ? undefined : dirname(data.campaignFile));
  return {
    campaign: json.id ?? json.key,
    cron: json.pattern,
    timezone: json.tz,
    campaignFile: data.campaignFile,
    dataDir: data.dataDir,
    ...(owner === undefined ? {} : { owner }),
    next: json.next,
  };
}

/** What `planSchedules` is allowed to do beyond this directory's own schedulers. */
export interface PlanOptions {
  /** Also remove (or take over) the schedulers other directories made. */
  removeOthers?: boolean;
}

/**
 * Campaigns of this directory whose scheduler id is held by another directory's scheduler:
 * upserting them would silently take that schedule over.
 */
export function scheduleConflicts(desired: readonly DesiredSchedule[], existing: readonly ExistingSchedule[]): ScheduleConflict[] {
  const byName = new Map(existing.map((schedule) => [schedule.campaign, schedule]));
  return desired.flatMap((schedule) => {
    const previous = byName.get(schedule.campaign);
    return previous && previous.owner !== schedule.owner ? [{ schedule, previous }] : [];
  });
}

/**
 * The changes that make this directory's schedulers in `existing` match `desired`, by campaign
 * name. Schedulers of other owners are kept, or removed with `removeOthers`.
 * @param owner - the directory whose campaigns `desired` and `disabled` are.
 * @param disabled - names of campaigns whose schedule says `enabled: false`.
 */
export function planSchedules(
  owner: string,
  desired: readonly DesiredSchedule[],
  disabled: ReadonlySet<string>,
  existing: readonly ExistingSchedule[],
  options: PlanOptions = {},
): ScheduleChange[] {
  const byName = new Map(existing.map((schedule) => [schedule.campaign, schedule]));
  const changes: ScheduleChange[] = desired.map((schedule) => {
    const previous = byName.get(schedule.campaign);
    if (!previous) return { action: 'create', schedule };
    const same =
      previous.cron === schedule.cron &&
      (previous.timezone ?? 'UTC') === schedule.timezone &&
      previous.campaignFile === schedule.campaignFile &&
      previous.dataDir === schedule.dataDir &&
      previous.owner === schedule.owner;
    return same ? { action: 'unchanged', schedule, previous } : { action: 'update', schedule, previous };
  });
  const wanted = new Set(desired.map((schedule) => schedule.campaign));
  for (const previous of existing) {
    if (wanted.has(previous.campaign)) continue;
    if (previous.owner === owner) {
      changes.push({ action: 'remove', previous, reason: disabled.has(previous.campaign) ? 'disabled' : 'no campaign file' });
    } else {
      changes.push(options.removeOthers ? { action: 'remove', previous, reason: 'made by another directory' } : { action: 'keep', previous });
    }
  }
  return changes.sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
}

function nameOf(change: ScheduleChange): string {
  return change.action === 'remove' || change.action === 'keep' ? change.previous.campaign : change.schedule.campaign;
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
    if (change.action === 'keep') continue;
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
      scheduleOwner: schedule.owner,
      ...(schedule.dataDir === undefined ? {} : { dataDir: schedule.dataDir }),
    };
    const { jobId: _jobId, deduplication: _deduplication, delay: _delay, ...templateOptions } = jobOptions;
    await queue.upsertJobScheduler(schedule.campaign, { pattern: schedule.cron, tz: schedule.timezone }, { name: JobName.campaignRun, data, opts: templateOptions });
    next.set(schedule.campaign, (await queue.getJobScheduler(schedule.campaign))?.next);
  }
  return next;
}
