/**
 * One queue worker in its own process, syncing HubSpot campaigns of `hubspot-workers.ts`; prints
 * `ready` once it takes jobs and drains on SIGTERM. Settings: see `hubspot-workers.ts`.
 */
import { tmpdir } from 'node:os';
import { silentLogger } from '../../../src/core/logger.js';
import { startCampaignWorker } from '../../../src/queue/campaign-worker.js';
import { readQueueSettings } from '../../../src/queue/queue-settings.js';
import { shutdownOnSignals } from '../../../src/queue/shutdown-on-signals.js';
import { createMemoryRateBudgets } from '../../../src/rate-budget/memory-rate-budgets.js';
import { createHubSpotWorkerPipeline } from './hubspot-workers.js';

const settings = readQueueSettings(process.env);
const worker = await startCampaignWorker({
  settings,
  pipeline: createHubSpotWorkerPipeline(process.env),
  env: process.env,
  logger: silentLogger,
  stateDir: tmpdir(),
  cwd: process.cwd(),
  ...(process.env.RATE_BUDGETS === 'memory' ? { rateBudgets: createMemoryRateBudgets() } : {}),
});
process.stdout.write('ready\n');
await shutdownOnSignals(() => worker.close());
process.stdout.write('closed\n');
