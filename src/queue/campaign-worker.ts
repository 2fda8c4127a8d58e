/**
 * A worker of the campaign queue: runs campaign runs (parent jobs), their segment steps and their
 * destination syncs. Several workers, on one machine or many, may share one Redis.
 */
import { Queue, Worker } from 'bullmq';
import type { Logger } from '../core/logger.js';
import type { CampaignRunPipeline, QueuedCampaign } from './campaign-run-pipeline.js';
import { createCampaignProcessor } from './campaign-processor.js';
import { campaignJobOptions } from './campaign-queue.js';
import { CAMPAIGN_QUEUE_NAME, type QueueSettings } from './queue-settings.js';
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from './retry-options.js';
import { openRedis } from './redis-connection.js';
import { RunStateStore } from './run-state-store.js';
import type { StateStore } from '../state/state-store.js';
import type { RateBudgets } from '../rate-budget/rate-budgets.js';
import { createRedisRateBudgets } from '../rate-budget/redis-rate-budgets.js';

export interface CampaignWorkerOptions {
  settings: QueueSettings;
  /** The pipeline steps; the worker command passes `createDefaultPipeline()`. */
  pipeline: CampaignRunPipeline<QueuedCampaign, unknown>;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Directory for run state on this machine (Personalize jobs). */
  stateDir: string;
  /** Campaign files and relative destination paths resolve against this directory. */
  cwd: string;
  /** The sync-state store (runs, snapshots, leases); the caller opens and closes it. */
  state?: StateStore;
  /** Jobs processed at once by this worker. @defaultValue 1 */
  concurrency?: number;
  /** Retries of segment and sync jobs. @defaultValue {@link DEFAULT_RETRY_OPTIONS} */
  retry?: RetryOptions;
  /**
   * How long a job's lock lasts without renewal, in milliseconds: a worker that died is noticed
   * after at most this long plus `stalledIntervalMs`. @defaultValue 30000
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (of dead workers), in milliseconds. @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) before it fails; checkpoints make resuming cheap. @defaultValue 3 */
  maxStalledCount?: number;
  onWarning?: (message: string) => void;
  /**
   * Request budgets per destination credential. @defaultValue budgets in this worker's Redis under its
   * prefix, shared by every worker of the deployment (`src/rate-budget/redis-rate-budgets.ts`)
   */
  rateBudgets?: RateBudgets;
}

/** A running worker. */
export interface CampaignWorker {
  readonly worker: Worker;
  /**
   * Graceful shutdown: no new job starts; a sync in progress stops after its chunk in flight (that
   * chunk is checkpointed, the job goes back to the queue for the next worker); then connections close.
   */
  close(): Promise<void>;
}

/**
 * Starts a worker.
 * @throws TransientError when Redis is unreachable at start (later outages are reconnected).
 */
export async function startCampaignWorker(options: CampaignWorkerOptions): Promise<CampaignWorker> {
  const { settings, logger } = options;
  const { client: redis, outages } = await openRedis(settings, { purpose: 'worker', onWarning: options.onWarning, logger });
  const queue = new Queue(CAMPAIGN_QUEUE_NAME, { connection: redis, prefix: settings.prefix });
  outages.watch(queue, 'queue');
  const store = new RunStateStore(redis, settings.prefix, settings.retention.failedAgeSeconds);
  let draining = false;
  const processor = createCampaignProcessor({
    queue,
    store,
    state: options.state,
    pipeline: options.pipeline,
    env: options.env,
    logger,
    stateDir: options.stateDir,
    cwd: options.cwd,
    childJobOptions: campaignJobOptions(settings.retention, options.retry ?? DEFAULT_RETRY_OPTIONS),
    draining: () => draining,
    rateBudgets: options.rateBudgets ?? createRedisRateBudgets({ redis, prefix: settings.prefix, ...(options.onWarning ? { onWarning: options.onWarning } : {}) }),
  });
  const worker = new Worker(CAMPAIGN_QUEUE_NAME, processor, {
    connection: redis,
    prefix: settings.prefix,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 3,
  });
  worker.on('failed', (job, error) => {
    logger.warn({ job: job?.name, jobId: job?.id, attemptsMade: job?.attemptsMade, error: error.message }, 'job failed');
  });
  // Its blocking connection is a duplicate of `redis`: one outage log covers both.
  outages.watch(worker, 'worker');
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  return {
    worker,
    close() {
      closing ??= (async () => {
        draining = true;
        await worker.close();
        outages.close();
        await queue.close();
        await redis.quit().catch(() => undefined);
      })();
      return closing;
    },
  };
}
