/**
 * A worker in its own process, for the crash tests: the fake pipeline, short lock and stalled
 * intervals (so a killed worker's job is taken over in about a second), drain on SIGTERM.
 * Env: REDIS_URL, AFFINITY_QUEUE_PREFIX. Prints `ready` once it takes jobs.
 */
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { startCampaignWorker } from '../../src/queue/campaign-worker.js';
import { readQueueSettings } from '../../src/queue/queue-settings.js';
import { shutdownOnSignals } from '../../src/queue/shutdown-on-signals.js';
import { createFakePipeline } from './queue-fake-pipeline.js';

const settings = readQueueSettings(process.env);
const redis = new Redis(settings.redisUrl);
const worker = await startCampaignWorker({
  settings,
  pipeline: createFakePipeline(redis, settings.prefix),
  env: process.env,
  logger: silentLogger,
  stateDir: tmpdir(),
  cwd: process.cwd(),
  lockDurationMs: 1000,
  stalledIntervalMs: 300,
});
process.stdout.write('ready\n');
await shutdownOnSignals(() => worker.close());
await redis.quit();
process.stdout.write('closed\n');
