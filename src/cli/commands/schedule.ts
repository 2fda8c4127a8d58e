/**
 * `affinity-sync schedule [--dir config/campaigns] [--dry-run] [--remove-others]`: one job
 * scheduler per scheduled campaign (id = campaign name, cron and time zone from the file); removes
 * the schedulers of this directory's deleted or disabled campaigns. Other directories' schedulers
 * are kept unless `--remove-others` is given.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { DesiredSchedule, ScheduleChange } from '../../queue/schedule-plan.js';
import type { CliContext } from '../cli-context.js';

interface ScheduleOptions {
  dir: string;
  data?: string;
  dryRun?: boolean;
  removeAll?: boolean;
  removeOthers?: boolean;
}

export function register(program: Command, context: CliContext): void {
  program
    .command('schedule')
    .description("make the queue's job schedulers match the campaign files (one per scheduled campaign); workers then run them")
    .option('--dir <dir>', 'campaign directory: the source of truth for the schedules it made', 'config/campaigns')
    .option('--data <dir>', "dataset directory for the scheduled runs; overrides the campaigns' `data`")
    .option('--dry-run', 'list the changes without making them')
    .option('--remove-all', 'allow an empty campaign directory: removes every scheduler this directory made')
    .option('--remove-others', 'also remove the schedulers other directories made (and take over a campaign name another directory scheduled)')
    .addHelpText(
      'after',
      [
        '',
        'Every scheduler belongs to the campaign directory that made it (--dir, as given from the working directory).',
        "A scheduler of this directory whose campaign file is gone, or whose schedule says `enabled: false`, is removed.",
        "Other directories' schedulers are listed as kept and left alone, unless --remove-others is given.",
        'A campaign whose name another directory already scheduled is refused (exit 2) unless --remove-others is given.',
        'A directory without campaign files is refused (exit 2) unless --remove-all is given.',
        '--dry-run lists every change, including what would be removed, and changes nothing.',
        'Redis: REDIS_URL (default redis://127.0.0.1:6379), key prefix AFFINITY_QUEUE_PREFIX (default affinity-sync).',
        '',
        'Exit codes: 0 done, 1 Redis unreachable, 2 bad input (a campaign file, an empty directory, a name conflict).',
      ].join('\n'),
    )
    .action(async (options: ScheduleOptions) => {
      const { campaignJobOptions } = await import('../../queue/campaign-queue.js');
      const { campaignFileForJob, loadCampaignDirectory } = await import('../../queue/campaign-directory.js');
      const { openCliQueue } = await import('../../queue/open-cli-queue.js');
      const { applySchedulePlan, existingSchedule, nextCronRun, planSchedules, scheduleConflicts } = await import('../../queue/schedule-plan.js');
      const campaigns = await loadCampaignDirectory(options.dir, context.cwd);
      // A wrong or empty --dir would otherwise read as "every campaign was deleted".
      if (campaigns.length === 0 && !options.removeAll) {
        throw new ConfigError(`no campaign files in ${options.dir}; to remove every schedule this directory made, pass --remove-all`);
      }
      const owner = campaignFileForJob(options.dir, context.cwd) || '.';
      const desired: DesiredSchedule[] = [];
      const disabled = new Set<string>();
      for (const { file, campaign } of campaigns) {
        if (!campaign.schedule) continue;
        if (!campaign.schedule.enabled) {
          disabled.add(campaign.name);
          continue;
        }
        desired.push({
          campaign: campaign.name,
          campaignFile: campaignFileForJob(file, context.cwd),
          cron: campaign.schedule.cron,
          timezone: campaign.schedule.timezone,
          owner,
          ...(options.data === undefined ? {} : { dataDir: options.data }),
        });
      }

      const campaignQueue = await openCliQueue(context);
      try {
        const existing = (await campaignQueue.queue.getJobSchedulers(0, -1)).map(existingSchedule);
        const conflicts = options.removeOthers ? [] : scheduleConflicts(desired, existing);
        if (conflicts.length > 0) {
          throw new ConfigError(
            conflicts.map(({ schedule, previous }) => ({
              file: schedule.campaignFile,
              field: 'name',
              message: `"${schedule.campaign}" is already scheduled by ${previous.owner ?? 'another directory'} (${previous.campaignFile ?? '?'}); rename this campaign, or pass --remove-others to move that schedule to ${owner}`,
            })),
          );
        }
        const plan = planSchedules(owner, desired, disabled, existing, { removeOthers: options.removeOthers ?? false });
        const next = options.dryRun
          ? new Map(plan.flatMap((change) => (change.action === 'remove' || change.action === 'keep' ? [] : [[change.schedule.campaign, nextCronRun(change.schedule.cron, change.schedule.timezone)] as const])))
          : await applySchedulePlan(campaignQueue.queue, plan, campaignJobOptions(campaignQueue.settings.retention));
        context.stdout.write(renderPlan(plan, next, options.dryRun ?? false));
      } finally {
        await campaignQueue.close();
      }
    });
}

const PAST: Record<ScheduleChange['action'], string> = { create: 'created', update: 'updated', unchanged: 'unchanged', remove: 'removed', keep: 'kept' };
const FUTURE: Record<ScheduleChange['action'], string> = { create: 'would create', update: 'would update', unchanged: 'unchanged', remove: 'would remove', keep: 'would keep' };

function renderPlan(plan: readonly ScheduleChange[], next: ReadonlyMap<string, number | undefined>, dryRun: boolean): string {
  const words = dryRun ? FUTURE : PAST;
  const rows = plan.map((change) => {
    if (change.action === 'keep') return [words.keep, change.previous.campaign, `(made by ${change.previous.owner ?? 'another directory'}; --remove-others removes it)`];
    if (change.action === 'remove') {
      const reason = change.reason === 'made by another directory' ? `made by ${change.previous.owner ?? 'another directory'}` : change.reason;
      return [words.remove, change.previous.campaign, `(${reason})`];
    }
    const { schedule } = change;
    const nextRun = next.get(schedule.campaign);
    const when = `${schedule.cron} (${schedule.timezone})`;
    const was = change.action === 'update' ? ` was ${change.previous.cron ?? '?'} (${change.previous.timezone ?? 'UTC'})` : '';
    return [words[change.action], schedule.campaign, `${when}${was}${nextRun === undefined ? '' : `  next ${new Date(nextRun).toISOString()}`}`];
  });
  const widths = [0, 1].map((column) => Math.max(0, ...rows.map((row) => row[column]?.length ?? 0)));
  const lines = rows.map((row) => `${row[0]?.padEnd(widths[0] ?? 0)}  ${row[1]?.padEnd(widths[1] ?? 0)}  ${row[2]}`.trimEnd());
  const count = (action: ScheduleChange['action']): number => plan.filter((change) => change.action === action).length;
  const total = `${count('create')} ${dryRun ? 'to create' : 'created'}, ${count('update')} ${dryRun ? 'to update' : 'updated'}, ${count('unchanged')} unchanged, ${count('remove')} ${dryRun ? 'to remove' : 'removed'}`;
  const kept = count('keep') > 0 ? `, ${count('keep')} of other directories kept` : '';
  const footer = plan.length === 0 ? 'no scheduled campaigns, no schedulers' : `schedulers: ${total}${kept}${dryRun ? ' (dry run: nothing changed)' : ''}`;
  return `${[...lines, footer].join('\n')}\n`;
}
