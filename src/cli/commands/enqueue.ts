/**
 * `affinity-sync enqueue <campaign>`: run a campaign now, on the workers. A second enqueue while
 * that run is waiting or in progress is deduplicated.
 */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

interface EnqueueOptions {
  dir: string;
  data?: string;
  dryRun?: boolean;
}

export function register(program: Command, context: CliContext): void {
  program
    .command('enqueue')
    .description('run a campaign now on the workers (one run at a time per campaign)')
    .argument('<campaign>', 'campaign name (`name:` in its file)')
    .option('--dir <dir>', 'campaign directory', 'config/campaigns')
    .option('--data <dir>', "dataset directory; overrides the campaign's `data`")
    .option('--dry-run', 'build the segments and plan each destination, without writing anything')
    .action(async (name: string, options: EnqueueOptions) => {
      const { campaignFileForJob, findCampaign } = await import('../../queue/campaign-directory.js');
      const { openCliQueue } = await import('../../queue/open-cli-queue.js');
      const loaded = await findCampaign(options.dir, name, context.cwd);
      const campaignQueue = await openCliQueue(context);
      try {
        const result = await campaignQueue.enqueue({
          campaign: loaded.campaign.name,
          campaignFile: campaignFileForJob(loaded.file, context.cwd),
          dryRun: options.dryRun ?? false,
          ...(options.data === undefined ? {} : { dataDir: options.data }),
        });
        context.stdout.write(
          result.added
            ? `enqueued ${name}: run ${result.jobId}${options.dryRun ? ' (dry run)' : ''}\n`
            : `${name} already has a run waiting or in progress (${result.jobId}); not enqueued again\n`,
        );
      } finally {
        await campaignQueue.close();
      }
    });
}
