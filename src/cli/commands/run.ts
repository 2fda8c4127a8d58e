/**
 * `affinity-sync run <campaign files…>`: run campaigns in-process, now, and print what happened.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, ExitCode } from '../../core/errors.js';
import type { Datasets } from '../../datasets/datasets.js';
import type { CampaignReport } from '../../pipeline/run-campaign.js';
import type { CliContext } from '../cli-context.js';
import { EXIT_CODE_HELP } from '../exit-code-help.js';

interface RunOptions {
  data?: string;
  dryRun?: boolean;
  json?: boolean;
  stateDir: string;
  runId?: string;
  fullResync?: boolean;
}

export function register(program: Command, context: CliContext): void {
  program
    .command('run')
    .description('run campaigns now: build their segments and sync them into their destinations')
    .argument('<campaign-files...>', 'campaign files (YAML or JSON)')
    .option('--data <dir>', 'dataset directory (interactions, items, users CSV); overrides the campaigns\' `data`')
    .option('--dry-run', 'build the segments and show what would change in each destination, without writing anything')
    .option('--json', 'print the run report as JSON instead of a table')
    .option('--state-dir <dir>', 'where run state is kept: the sync-state store (state.db, unless AFFINITY_STATE_URL names PostgreSQL) and Amazon Personalize jobs in flight', '.affinity-sync')
    .option('--full-resync', 'send every member to every destination, not only the change since the last sync (repairs edits made inside Mailchimp or HubSpot)')
    .option('--run-id <id>', 'resume an earlier run of one campaign by its id (e.g. after a crash while a Personalize job ran): its remote jobs are reused, not created again')
    .addHelpText(
      'after',
      `\nExamples:\n  $ affinity-sync run config/campaigns/*.yaml\n  $ affinity-sync run --dry-run config/campaigns/new-items.yaml\n\n${EXIT_CODE_HELP}`,
    )
    .action(async (files: string[], options: RunOptions) => {
      const { loadCampaigns } = await import('../../campaign/load-campaign.js');
      const { runCampaign, reportExitCode } = await import('../../pipeline/run-campaign.js');
      const { claimNewRunId } = await import('../../pipeline/run-id.js');
      const { renderRunReport } = await import('../../report/render-run-report.js');
      const { createProgressLine } = await import('../progress-line.js');
      const { openStateStore } = await import('../../state/open-state-store.js');
      const loaded = await loadCampaigns(files.map((file) => resolve(context.cwd, file)));
      if (options.runId !== undefined && loaded.length !== 1) {
        throw new ConfigError(`--run-id resumes one campaign's run; got ${loaded.length} campaign files`);
      }
      if (options.runId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(options.runId)) {
        throw new ConfigError(`--run-id: expected a run id as printed by an earlier run (letters, digits, . _ -), got "${options.runId}"`);
      }
      const stateDir = resolve(context.cwd, options.stateDir);
      const state = await openStateStore({ env: context.env, stateDir });
      const progress = options.json ? undefined : createProgressLine(context.stderr);
      const reports: CampaignReport[] = [];
      const printReports = () =>
        context.stdout.write(options.json ? `${JSON.stringify(reports, null, 2)}\n` : renderRunReport(reports, context.cwd));
      const interrupt = new AbortController();
      let current: { name: string; runId: string } | undefined;
      const onSigint = () => {
        context.stderr.write('\ninterrupted: stopping after the request in flight (press Ctrl-C again to quit at once)\n');
        process.removeListener('SIGINT', onSigint);
        interrupt.abort();
      };
      process.on('SIGINT', onSigint);
      const datasetCache = new Map<string, Promise<Datasets>>();
      try {
        for (const campaign of loaded) {
          current = { name: campaign.campaign.name, runId: options.runId ?? (await claimNewRunId(state, campaign.campaign.name, { trigger: 'cli', dryRun: options.dryRun ?? false })) };
          // First thing, on stderr: a run killed later (SIGKILL, a lost machine) still told its id, which `--run-id` resumes.
          context.stderr.write(`${options.runId === undefined ? 'started' : 'resuming'} run ${current.runId} (${campaign.campaign.name})\n`);
          const report = await runCampaign(campaign, {
            env: context.env,
            logger: context.logger,
            stateDir,
            state,
            cwd: context.cwd,
            dryRun: options.dryRun ?? false,
            fullResync: options.fullResync ?? false,
            dataDir: options.data,
            runId: current.runId,
            resume: options.runId !== undefined,
            onProgress: progress,
            datasetCache,
            signal: interrupt.signal,
          });
          reports.push(report);
          context.setExitCode(reportExitCode(report));
        }
      } catch (error) {
        if (!interrupt.signal.aborted) throw error;
        if (reports.length > 0) printReports();
        context.stderr.write(
          [
            `interrupted during ${current?.name ?? 'the run'} (run ${current?.runId ?? '?'}): stopped after the request in flight.`,
            'Audiences being written may be partly updated (file audiences stay as they were); running the campaign again finishes them.',
            `A run with Amazon Personalize jobs resumes them with: --run-id ${current?.runId ?? '<run id>'}`,
            '',
          ].join('\n'),
        );
        context.setExitCode(ExitCode.interrupted);
        return;
      } finally {
        process.removeListener('SIGINT', onSigint);
        progress?.stop();
        await state.close();
      }
      printReports();
    });
}
