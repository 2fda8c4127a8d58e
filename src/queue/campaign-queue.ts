/**
 * The campaign queue as producers see it (`schedule`, `enqueue`, `status`, `dashboard`): a BullMQ
 * queue with this deployment's prefix and the job options every run gets.
 */
import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';
import { makeRunId } from '../pipeline/run-id.js';
import { JobName, type CampaignRunRequest } from './job-data.js';
import { CAMPAIGN_QUEUE_NAME, type JobRetention, type QueueSettings } from './queue-settings.js';
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from './retry-options.js';
import { openRedis } from './redis-connection.js';
import type { RedisOutageLog } from './redis-outage-log.js';

/** BullMQ options of every job of a run: retries with exponential backoff and jitter, retention by count and age. */
export function campaignJobOptions(retention: JobRetention, retry: RetryOptions = DEFAULT_RETRY_OPTIONS): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffDelayMs, jitter: 0.5 },
    removeOnComplete: { count: retention.completedCount, age: retention.completedAgeSeconds },
    removeOnFail: { count: retention.failedCount, age: retention.failedAgeSeconds },
  };
}

/** Deduplication id of manual runs of a campaign: one at a time (BullMQ simple deduplication, until the run finishes). */
export const runDeduplicationId = (campaign: string): string => `campaign-run.${campaign}`;

/** What `enqueue` did. */
export interface EnqueueResult {
  /** The job of the run: the new one, or the active one when deduplicated. */
  jobId: string;
  /** False when a run of this campaign was still waiting or active, so no new run was added. */
  added: boolean;
}

/** A connection to the campaign queue of one deployment. */
export class CampaignQueue {
  private constructor(
    readonly settings: QueueSettings,
    readonly redis: Redis,
    readonly queue: Queue,
    private readonly outages: RedisOutageLog,
  ) {}

  /**
   * Connects (failing fast when Redis is unreachable) and opens the queue.
   * @throws TransientError when Redis is unreachable; ConfigError for a malformed setting.
   */
  static async open(settings: QueueSettings, options: { onWarning?: (message: string) => void; logger?: Logger } = {}): Promise<CampaignQueue> {
    const { client: redis, outages } = await openRedis(settings, { purpose: 'command', onWarning: options.onWarning, logger: options.logger });
    const queue = new Queue(CAMPAIGN_QUEUE_NAME, {
      connection: redis,
      prefix: settings.prefix,
      defaultJobOptions: campaignJobOptions(settings.retention),
    });
    outages.watch(queue, 'queue');
    return new CampaignQueue(settings, redis, queue, outages);
  }

  /** Adds a run of a campaign now, unless one is already waiting or running. */
  async enqueue(request: Omit<CampaignRunRequest, 'trigger' | 'runId'>, retry?: RetryOptions, now = new Date()): Promise<EnqueueResult> {
    const runId = makeRunId(request.campaign, now);
    const requestId = randomUUID();
    const job = await this.queue.add(
      JobName.campaignRun,
      { ...request, trigger: 'enqueue', runId, requestId },
      { ...campaignJobOptions(this.settings.retention, retry), jobId: runId, deduplication: { id: runDeduplicationId(request.campaign) } },
    );
    const jobId = job.id ?? runId;
    // BullMQ answers a deduplicated add (or one whose job id exists) with the existing job's id;
    // the request id tells whether the job there is ours.
    const stored = await this.queue.getJob(jobId);
    const added = stored ? (stored.data as { requestId?: string }).requestId === requestId : jobId === runId;
    return { jobId, added };
  }

  async close(): Promise<void> {
    this.outages.close();
    await this.queue.close();
    await this.redis.quit().catch(() => undefined);
  }
}
