/**
 * `affinity-sync history [campaign]`, `runs show <run-id>`, `audiences [campaign]`: the run
 * history and the audiences the state store remembers. A campaign name the store does not know is
 * bad input (exit 2, listing the known ones).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { StateStore } from '../../state/state-store.js';
import type { CliContext } from '../cli-context.js';

const STATE_DIR_HELP = 'where the SQLite state store lives (ignored when AFFINITY_STATE_URL points to PostgreSQL)';

async function withStore<T>(context: CliContext, stateDir: string, use: (store: StateStore) => Promise<T>): Promise<T> {
  const { openStateStore } = await import('../../state/open-state-store.js');
  const store = await openStateStore({ env: context.env, stateDir: resolve(context.cwd, stateDir) });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw new ConfigError(`--limit: expected a whole number ≥ 1, got "${value}"`);
  return limit;
}

export function register(program: Command, context: CliContext): void {
  registerHistory(program, context);
  registerRetryFailed(program, context);
}

function registerHistory(program: Command, context: CliContext): void {
  program
    .command('history')
    .description('past runs, newest first, from every trigger (cli, enqueue, schedule, retry)')
    .argument('[campaign]', 'only the runs of this campaign (its name)')
    .option('--limit <n>', 'most runs shown', '20')
    .option('--json', 'print the runs as JSON')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.affinity-sync')
    .addHelpText('after', '\nExamples:\n  $ affinity-sync history\n  $ affinity-sync history winter-clearance --limit 5 --json')
    .action(async (campaign: string | undefined, options: { limit: string; json?: boolean; stateDir: string }) => {
      const limit = parseLimit(options.limit);
      const { listRuns } = await import('../../history/list-runs.js');
      const { renderHistory } = await import('../../history/render-history.js');
      const { assertKnownCampaign } = await import('../../history/known-campaigns.js');
      const runs = await withStore(context, options.stateDir, async (store) => {
        if (campaign) await assertKnownCampaign(store, campaign);
        return listRuns(store, { ...(campaign ? { campaign } : {}), limit });
      });
      context.stdout.write(options.json ? `${JSON.stringify(runs, null, 2)}\n` : renderHistory(runs));
    });

  program
    .command('runs')
    .description('one run in detail: `runs show <run-id>`')
    .command('show')
    .description('what a run did per segment and destination, how its segments were made, its alerts, retired audiences and failed records')
    .argument('<run-id>', 'the run id, as `history` or `run` print it, or a campaign name for its latest run')
    .option('--json', 'print the run as JSON')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.affinity-sync')
    .action(async (runId: string, options: { json?: boolean; stateDir: string }) => {
      const { getRun } = await import('../../history/get-run.js');
      const { renderRunDetail } = await import('../../history/render-run-detail.js');
      const run = await withStore(context, options.stateDir, async (store) => {
        const latest = async () => {
          const [last] = await store.listRuns({ campaign: runId, limit: 1 });
          return last ? getRun(store, last.runId) : undefined;
        };
        return (await getRun(store, runId)) ?? (await latest());
      });
      if (!run) throw new ConfigError(`no run "${runId}" (and no campaign of that name) in the state store; \`affinity-sync history\` lists the runs`);
      context.stdout.write(options.json ? `${JSON.stringify(run, null, 2)}\n` : renderRunDetail(run));
    });

  program
    .command('audiences')
    .description('the audiences campaigns made, active and retired: where each lives and its size at the last run')
    .argument('[campaign]', 'only the audiences of this campaign')
    .option('--json', 'print the audiences as JSON')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.affinity-sync')
    .action(async (campaign: string | undefined, options: { json?: boolean; stateDir: string }) => {
      const { listAudiences } = await import('../../history/list-audiences.js');
      const { renderAudiences } = await import('../../history/render-audiences.js');
      const { assertKnownCampaign } = await import('../../history/known-campaigns.js');
      const audiences = await withStore(context, options.stateDir, async (store) => {
        if (campaign) await assertKnownCampaign(store, campaign);
        return listAudiences(store, campaign ? { campaign } : {});
      });
      context.stdout.write(options.json ? `${JSON.stringify(audiences, null, 2)}\n` : renderAudiences(audiences));
    });
}

/** `affinity-sync retry-failed <run-id>`: registered beside the history commands. */
export function registerRetryFailed(program: Command, context: CliContext): void {
  program
    .command('retry-failed')
    .description("send a run's failed records again, now: their emails are looked up again in the users dataset")
    .argument('<run-id>', 'the run whose failed records to retry (`runs show` lists them)')
    .option('--data <dir>', "dataset directory; overrides the campaign's `data`")
    .option('--json', 'print the retry run report as JSON')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.affinity-sync')
    .addHelpText('after', '\nRetryable failures (e.g. Mailchimp\'s signup throttle) are also retried by the campaign\'s next run.\nExit codes: 0 every record resolved, 1 some failed again, 2 bad input (unknown run, nothing to retry).')
    .action(async (runId: string, options: { data?: string; json?: boolean; stateDir: string }) => {
      const { retryFailedRecords } = await import('../../history/retry-failed-records.js');
      const result = await withStore(context, options.stateDir, (store) =>
        retryFailedRecords({ store, runId, env: context.env, logger: context.logger, cwd: context.cwd, ...(options.data ? { dataDir: options.data } : {}) }),
      );
      const records = Object.values(result.resolutions).reduce((sum, count) => sum + count, 0);
      const summary = Object.entries(result.resolutions).map(([resolution, count]) => `${count} ${resolution}`).join(', ');
      context.stdout.write(
        options.json
          ? `${JSON.stringify(result, null, 2)}\n`
          : `retried ${records} failed ${records === 1 ? 'record' : 'records'} of run ${result.runId} as run ${result.retryRunId}: ${summary}\n`,
      );
      if ((result.resolutions['failed again'] ?? 0) > 0) context.setExitCode(1);
    });
}
