/**
 * `affinity-sync worker [--concurrency N]`: runs queued and scheduled campaign runs until SIGTERM or
 * SIGINT, then drains (the chunk in flight finishes, the rest goes back to the queue) and exits 0.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../../core/errors.js';
import { DEFAULT_RETRY_OPTIONS } from '../../queue/retry-options.js';
import type { CliContext } from '../cli-context.js';
import { positiveInteger } from './status.js';

interface WorkerOptions {
  concurrency: number;
  attempts: number;
  backoffDelayMs: number;
  stateDir: string;
}

export function register(program: Command, context: CliContext): void {
  program
    .command('worker')
    .description('run queued and scheduled campaign runs (several workers may share one Redis); SIGTERM drains and stops')
    .option('--concurrency <n>', 'jobs at once in this worker (segment steps and destination syncs)', positiveInteger, 1)
    .option('--attempts <n>', 'attempts of a segment or sync job after transient errors', positiveInteger, DEFAULT_RETRY_OPTIONS.attempts)
    .option('--backoff-delay-ms <ms>', 'first retry delay in milliseconds; doubles each attempt, with jitter', positiveInteger, DEFAULT_RETRY_OPTIONS.backoffDelayMs)
    .option('--state-dir <dir>', 'where run state is kept on this machine: the sync-state store (state.db, unless AFFINITY_STATE_URL names PostgreSQL) and Personalize jobs', '.affinity-sync')
    .addHelpText('after', '\nRedis: REDIS_URL (default redis://127.0.0.1:6379), key prefix AFFINITY_QUEUE_PREFIX (default affinity-sync).')
    .action(async (options: WorkerOptions) => {
      const { startCampaignWorker } = await import('../../queue/campaign-worker.js');
      const { createDefaultPipeline } = await import('../../queue/default-pipeline.js');
      const { CAMPAIGN_QUEUE_NAME, readQueueSettings, redactRedisUrl } = await import('../../queue/queue-settings.js');
      const { shutdownOnSignals } = await import('../../queue/shutdown-on-signals.js');
      const { openStateStore } = await import('../../state/open-state-store.js');
      const settings = readQueueSettings(context.env);
      const stateDir = resolve(context.cwd, options.stateDir);
      const state = await openStateStore({ env: context.env, stateDir });
      const worker = await startCampaignWorker({
        settings,
        pipeline: createDefaultPipeline(),
        env: context.env,
        logger: context.logger,
        stateDir,
        state,
        cwd: context.cwd,
        concurrency: options.concurrency,
        retry: { attempts: options.attempts, backoffDelayMs: options.backoffDelayMs },
        onWarning: (message) => context.stderr.write(`warning: ${message}\n`),
      }).catch(async (error: unknown) => {
        await state.close();
        throw error;
      });
      // Listen for signals before saying how to stop, so a signal right after the banner drains too.
      const stopped = shutdownOnSignals(() => worker.close(), {
        onSignal: (signal) => context.stderr.write(`worker: ${signal}: finishing the chunk in flight, then stopping\n`),
        onSecondSignal: () => process.exit(ExitCode.runFailed),
      });
      context.stderr.write(
        `worker: queue ${settings.prefix}:${CAMPAIGN_QUEUE_NAME} on ${redactRedisUrl(settings.redisUrl)}, concurrency ${options.concurrency}; SIGTERM or Ctrl-C to drain and stop\n`,
      );
      await stopped;
      await state.close();
      context.stderr.write('worker: stopped\n');
    });
}
