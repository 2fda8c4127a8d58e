/**
 * Three queue workers (three processes), one HubSpot token, three campaigns at once, against the
 * HubSpot stand-in enforcing 100 requests per rolling 10 s (429 `TEN_SECONDLY_ROLLING` beyond):
 * requests per 10 s, share of that ceiling, peak in any rolling 10 s, and 429s, with the request
 * budget shared in Redis (what workers do now) and, for comparison, one budget per worker process
 * (as before budgets were shared).
 *
 * Members per campaign: tiers S 2,000, M 10,000, L 50,000, or `--members N[,N…]` (one row pair per count).
 * `npm run bench -- --only workers --tiers M`
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startFakeHubSpot } from '../connectors/hubspot/testing/fake-hubspot-server.js';
import { budgetMemberEmail, hubSpotCampaignFile, spawnHubSpotWorker, type HubSpotWorkerProcess, type HubSpotWorkerSyncResult } from '../connectors/hubspot/testing/hubspot-workers.js';
import { syncJobId } from '../src/queue/campaign-processor.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { DEFAULT_JOB_RETENTION, DEFAULT_REDIS_URL, type QueueSettings } from '../src/queue/queue-settings.js';
import type { BenchModule, BenchRow } from './run.js';

const CEILING_PER_WINDOW = 100;
const WINDOW_MS = 10_000;
const WORKERS = 3;
const CAMPAIGNS = ['north', 'south', 'west'];
const tierMembers: Record<string, number> = { S: 2_000, M: 10_000, L: 50_000 };

async function waitForRun(queue: CampaignQueue, runId: string): Promise<void> {
  for (;;) {
    const state = await queue.queue.getJobState(runId);
    if (state === 'completed') return;
    if (state === 'failed') throw new Error(`run ${runId} failed: ${(await queue.queue.getJob(runId))?.failedReason ?? '?'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One row: three workers with `budgets`, `members` per campaign. */
async function benchWorkers(members: number, budgets: 'redis' | 'memory'): Promise<BenchRow> {
  const settings: QueueSettings = { redisUrl: process.env.REDIS_URL || DEFAULT_REDIS_URL, prefix: `affinity-sync-bench-${randomBytes(4).toString('hex')}`, retention: DEFAULT_JOB_RETENTION };
  const token = `pat-bench-${randomBytes(6).toString('hex')}`;
  const fake = await startFakeHubSpot({ accessToken: token, requestsPerWindow: CEILING_PER_WINDOW, windowMs: WINDOW_MS });
  fake.addContacts(Array.from({ length: CAMPAIGNS.length * members }, (_, index) => ({ email: budgetMemberEmail(index) })));
  let workers: HubSpotWorkerProcess[] = [];
  let queue: CampaignQueue | undefined;
  try {
    const env = {
      REDIS_URL: settings.redisUrl,
      AFFINITY_QUEUE_PREFIX: settings.prefix,
      HUBSPOT_ACCESS_TOKEN: token,
      HUBSPOT_BASE_PATH: fake.basePath,
      HUBSPOT_REQUESTS_PER_WINDOW: String(CEILING_PER_WINDOW),
      HUBSPOT_RATE_WINDOW_MS: String(WINDOW_MS),
      RATE_BUDGETS: budgets,
    };
    workers = await Promise.all(Array.from({ length: WORKERS }, () => spawnHubSpotWorker(env)));
    queue = await CampaignQueue.open(settings);
    const started = Date.now();
    const runs = await Promise.all(CAMPAIGNS.map((campaign, index) => queue!.enqueue({ campaign, campaignFile: hubSpotCampaignFile(campaign, index * members, members) })));
    await Promise.all(runs.map(({ jobId }) => waitForRun(queue!, jobId)));
    const elapsedMs = Date.now() - started;
    const results = await Promise.all(runs.map(async ({ jobId }) => ((await queue!.queue.getJob(syncJobId(jobId, 0)))?.returnvalue as { report: HubSpotWorkerSyncResult }).report));

    const times = fake.acceptedRequestTimes();
    const spanMs = (times.at(-1) ?? 0) - (times[0] ?? 0);
    // The fastest any client can make R requests under a rolling C / W limit: C at once, then C per
    // window, so the last starts (ceil(R / C) - 1) windows after the first (as in bench/hubspot.ts).
    const idealMs = (Math.ceil(times.length / CEILING_PER_WINDOW) - 1) * WINDOW_MS;
    const lost = results.reduce((sum, result, index) => {
      const inList = new Set(fake.listMemberEmails(result.listId));
      let missing = 0;
      for (let member = 0; member < members; member += 1) if (!inList.has(budgetMemberEmail(index * members + member))) missing += 1;
      return sum + missing;
    }, 0);
    return {
      budget: budgets === 'redis' ? 'shared in Redis' : 'one per worker process',
      workers: WORKERS,
      'members × campaigns': `${members.toLocaleString('en-US')} × ${CAMPAIGNS.length}`,
      requests: fake.stats.requests,
      '429s': fake.stats.rateLimited,
      'requests/10 s': Number(((times.length / Math.max(spanMs, 1)) * WINDOW_MS).toFixed(1)),
      'of ceiling': idealMs > 0 ? `${((idealMs / spanMs) * 100).toFixed(1)}%` : `n/a (≤ ${CEILING_PER_WINDOW} requests)`,
      'peak/10 s': fake.stats.peakRequestsPerWindow,
      'rate-limit waits': results.reduce((sum, result) => sum + result.rateLimitWaits, 0),
      seconds: Number((elapsedMs / 1000).toFixed(1)),
      added: results.reduce((sum, result) => sum + result.added, 0),
      lost,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await queue?.close();
    await fake.close();
    const redis = new Redis(settings.redisUrl);
    const keys = await redis.keys(`${settings.prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}

export const bench: BenchModule = {
  name: `${WORKERS} workers (processes), 1 HubSpot token, ${CAMPAIGNS.length} campaigns → fake HubSpot at ${CEILING_PER_WINDOW} requests / 10 s (rolling)`,
  async run(options) {
    const sizes = options.members ? options.members : options.tiers.map((tier) => tierMembers[tier]).filter((size): size is number => size !== undefined);
    const rows: BenchRow[] = [];
    for (const size of sizes) {
      rows.push(await benchWorkers(size, 'redis'));
      rows.push(await benchWorkers(size, 'memory'));
    }
    return rows;
  },
};
