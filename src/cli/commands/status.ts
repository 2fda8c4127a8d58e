/**
 * `affinity-sync status [--json]`: recent runs per campaign (state, step, counts per outcome,
 * durations) and each campaign's next scheduled run.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CampaignStatus, RunStatus } from '../../queue/run-status.js';
import type { CliContext } from '../cli-context.js';

interface StatusOptions {
  json?: boolean;
  runs: number;
}

export function register(program: Command, context: CliContext): void {
  program
    .command('status')
    .description('show recent queued runs per campaign and the next scheduled run')
    .option('--json', 'print JSON instead of a table')
    .option('--runs <count>', 'runs listed per campaign', positiveInteger, 5)
    .action(async (options: StatusOptions) => {
      const { openCliQueue } = await import('../../queue/open-cli-queue.js');
      const { collectRunStatus } = await import('../../queue/run-status.js');
      const campaignQueue = await openCliQueue(context);
      try {
        const statuses = await collectRunStatus(campaignQueue, { runsPerCampaign: options.runs });
        context.stdout.write(options.json ? `${JSON.stringify(statuses, null, 2)}\n` : await renderStatus(statuses));
      } finally {
        await campaignQueue.close();
      }
    });
}

/** Commander parser of a positive integer option. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

async function renderStatus(statuses: readonly CampaignStatus[]): Promise<string> {
  if (statuses.length === 0) return 'no scheduled campaigns and no runs in this queue\n';
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: ['campaign', 'run', 'state', 'step', 'added', 'already', 'removed', 'skipped', 'failed', 'duration', 'next run'],
    style: { head: [], border: [] },
  });
  for (const status of statuses) {
    const next = status.schedule?.nextRunAt ? `${status.schedule.nextRunAt}\n${status.schedule.cron ?? ''} (${status.schedule.timezone ?? 'UTC'})` : '';
    if (status.runs.length === 0) table.push([status.campaign, '(no runs yet)', '', '', '', '', '', '', '', '', next]);
    for (const [index, run] of status.runs.entries()) {
      const { outcomes, plan } = run;
      table.push([
        index === 0 ? status.campaign : '',
        [run.runId, run.error ? `error: ${run.error}` : undefined, ...deferredReasons(run)].filter(Boolean).join('\n'),
        [run.state === 'deferred' ? `deferred until ${run.deferredUntil ?? '?'}` : run.state, run.dryRun ? 'DRY RUN' : undefined].filter(Boolean).join('\n'),
        run.step,
        // A dry run writes nothing: its columns are what it would do.
        plan ? `would add ${plan.add}` : run.dryRun ? '—' : outcomes.added,
        plan ? plan.unchanged : outcomes.alreadyMember,
        plan ? `would remove ${plan.remove}` : run.dryRun ? '—' : outcomes.removed,
        outcomes.skipped,
        outcomes.failed,
        run.durationMs === undefined ? '' : formatDuration(run.durationMs),
        index === 0 ? next : '',
      ]);
    }
  }
  return `${table.toString()}\n`;
}

/** Why each deferred destination waits (`destination 1 (hubspot): HubSpot daily API limit reached …`). */
function deferredReasons(run: RunStatus): string[] {
  return run.destinations.flatMap((destination) =>
    destination.state === 'deferred' ? [`destination ${destination.destinationIndex + 1} (${destination.connector}) deferred: ${destination.deferredReason ?? `until ${destination.deferredUntil ?? '?'}`}`] : [],
  );
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
