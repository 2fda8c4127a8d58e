/**
 * `affinity-sync schedule [--dir config/campaigns] [--dry-run]`: one job scheduler per scheduled
 * campaign (id = campaign name, cron and time zone from the file); removes the schedulers of
 * deleted or disabled campaigns.
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
}

export function register(program: Command, context: CliContext): void {
  program
    .command('schedule')
    .description("make the queue's job schedulers match the campaign files (one per scheduled campaign); workers then run them")
    .option('--dir <dir>', 'campaign directory: the source of truth for every schedule of this queue prefix', 'config/campaigns')
    .option('--data <dir>', "dataset directory for the scheduled runs; overrides the campaigns' `data`")
    .option('--dry-run', 'list the changes without making them')
    .option('--remove-all', 'allow an empty campaign directory: removes every scheduler of this queue prefix')
    .addHelpText(
      'after',
      '\nA scheduler whose campaign file is gone, or whose schedule says `enabled: false`, is removed.\nA directory without campaign files is refused (exit 2) unless --remove-all is given.\nRedis: REDIS_URL (default redis://127.0.0.1:6379), key prefix AFFINITY_QUEUE_PREFIX (default affinity-sync).',
    )
    .action(async (options: ScheduleOptions) => {
      const { campaignJobOptions } = await import('../../queue/campaign-queue.js');
      const { campaignFileForJob, loadCampaignDirectory } = await import('../../queue/campaign-directory.js');
      const { openCliQueue } = await import('../../queue/open-cli-queue.js');
      const { applySchedulePlan, existingSchedule, nextCronRun, planSchedules } = await import('../../queue/schedule-plan.js');
      const campaigns = await loadCampaignDirectory(options.dir, context.cwd);
      // A wrong or empty --dir would otherwise read as "every campaign was deleted".
      if (campaigns.length === 0 && !options.removeAll) {
        throw new ConfigError(`no campaign files in ${options.dir}; to remove every schedule of this deployment, pass --remove-all`);
      }
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
          ...(options.data === undefined ? {} : { dataDir: options.data }),
        });
      }

      const campaignQueue = await openCliQueue(context);
      try {
        const existing = (await campaignQueue.queue.getJobSchedulers(0, -1)).map(existingSchedule);
        const plan = planSchedules(desired, disabled, existing);
        const next = options.dryRun
          ? new Map(plan.flatMap((change) => (change.action === 'remove' ? [] : [[change.schedule.campaign, nextCronRun(change.schedule.cron, change.schedule.timezone)] as const])))
          : await applySchedulePlan(campaignQueue.queue, plan, campaignJobOptions(campaignQueue.settings.retention));
        context.stdout.write(renderPlan(plan, next, options.dryRun ?? false));
      } finally {
        await campaignQueue.close();
      }
    });
}

const PAST: Record<ScheduleChange['action'], string> = { create: 'created', update: 'updated', unchanged: 'unchanged', remove: 'removed' };
const FUTURE: Record<ScheduleChange['action'], string> = { create: 'would create', update: 'would update', unchanged: 'unchanged', remove: 'would remove' };

function renderPlan(plan: readonly ScheduleChange[], next: ReadonlyMap<string, number | undefined>, dryRun: boolean): string {
  const words = dryRun ? FUTURE : PAST;
  const rows = plan.map((change) => {
    if (change.action === 'remove') return [words.remove, change.previous.campaign, `(${change.reason})`];
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
  const footer = plan.length === 0 ? 'no scheduled campaigns, no schedulers' : `schedulers: ${total}${dryRun ? ' (dry run: nothing changed)' : ''}`;
  return `${[...lines, footer].join('\n')}\n`;
}
