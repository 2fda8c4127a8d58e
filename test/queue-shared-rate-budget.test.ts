/**
 * Shared rate budgets: three workers, each in its own process, sync three HubSpot campaigns with one
 * token at once, against the HubSpot stand-in enforcing a rolling window (429 `TEN_SECONDLY_ROLLING`
 * beyond it). The budget lives in the real Redis, so together they stay within the window: no 429,
 * every audience complete. Window and limit are scaled down (20 requests per rolling 2 s instead of
 * 100 per 10 s) so the test takes seconds; the connector is given the same window. (With a budget per
 * process instead, as before, the same test gets 429s: 9 of 90 requests when tried.)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHubSpot, type FakeHubSpot } from '../connectors/hubspot/testing/fake-hubspot-server.js';
import { budgetMemberEmail, hubSpotCampaignFile, spawnHubSpotWorker, type HubSpotWorkerProcess, type HubSpotWorkerSyncResult } from '../connectors/hubspot/testing/hubspot-workers.js';
import { syncJobId } from '../src/queue/campaign-processor.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import type { QueueSettings } from '../src/queue/queue-settings.js';
import { budgetKeyOf } from '../src/rate-budget/rate-budgets.js';
import { deletePrefix, testRedisUrl, uniqueQueueSettings, waitForJobEnd } from './helpers/queue-redis.js';

const REQUESTS_PER_WINDOW = 20;
const WINDOW_MS = 2_000;
const MEMBERS_PER_CAMPAIGN = 1_500;
const CAMPAIGNS = ['north', 'south', 'west'];

describe('three workers, three HubSpot campaigns, one token', () => {
  const token = `pat-na1-${randomBytes(8).toString('hex')}`;
  let settings: QueueSettings;
  let fake: FakeHubSpot;
  let queue: CampaignQueue;
  let workers: HubSpotWorkerProcess[] = [];
  const results: HubSpotWorkerSyncResult[] = [];
  let budgetKeys: string[] = [];

  beforeAll(async () => {
    settings = uniqueQueueSettings();
    fake = await startFakeHubSpot({ accessToken: token, requestsPerWindow: REQUESTS_PER_WINDOW, windowMs: WINDOW_MS });
    fake.addContacts(Array.from({ length: CAMPAIGNS.length * MEMBERS_PER_CAMPAIGN }, (_, index) => ({ email: budgetMemberEmail(index) })));
    const env = {
      REDIS_URL: settings.redisUrl,
      AFFINITY_QUEUE_PREFIX: settings.prefix,
      HUBSPOT_ACCESS_TOKEN: token,
      HUBSPOT_BASE_PATH: fake.basePath,
      HUBSPOT_REQUESTS_PER_WINDOW: String(REQUESTS_PER_WINDOW),
      HUBSPOT_RATE_WINDOW_MS: String(WINDOW_MS),
    };
    workers = await Promise.all(CAMPAIGNS.map(() => spawnHubSpotWorker(env)));
    queue = await CampaignQueue.open(settings);
    const runs = await Promise.all(
      CAMPAIGNS.map((campaign, index) => queue.enqueue({ campaign, campaignFile: hubSpotCampaignFile(campaign, index * MEMBERS_PER_CAMPAIGN, MEMBERS_PER_CAMPAIGN) })),
    );
    for (const { jobId } of runs) {
      const { job, state } = await waitForJobEnd(queue.queue, jobId, 120_000);
      expect(job.failedReason).toBeUndefined();
      expect(state).toBe('completed');
      const sync = await queue.queue.getJob(syncJobId(jobId, 0));
      results.push((sync?.returnvalue as { report: HubSpotWorkerSyncResult }).report);
    }
    const redis = new Redis(testRedisUrl);
    try {
      budgetKeys = await redis.keys(`${settings.prefix}:rate-budget:*`);
    } finally {
      await redis.quit();
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await queue?.close();
    await fake?.close();
    await deletePrefix(settings.prefix);
  });

  it('the three syncs ran at the same time, in three processes', () => {
    expect(new Set(results.map((result) => result.pid)).size).toBe(3);
    expect(new Set(results.map((result) => result.pid))).toEqual(new Set(workers.map((worker) => worker.process.pid)));
    // Every sync was still running when the last one started.
    const lastStart = Math.max(...results.map((result) => result.startedAt));
    for (const result of results) expect(result.finishedAt).toBeGreaterThan(lastStart);
    // More requests than one window holds, so the workers had to share it.
    expect(fake.stats.requests).toBeGreaterThan(2 * REQUESTS_PER_WINDOW);
  });

  it('got no 429 and never exceeded the window: every audience is complete', () => {
    expect(fake.stats.rateLimited).toBe(0);
    expect(fake.stats.peakRequestsPerWindow).toBeLessThanOrEqual(REQUESTS_PER_WINDOW);
    for (const [index, result] of results.entries()) {
      expect(result).toMatchObject({ added: MEMBERS_PER_CAMPAIGN, failed: 0, rateLimitWaits: 0 });
      const emails = new Set(fake.listMemberEmails(result.listId));
      expect(emails.size).toBe(MEMBERS_PER_CAMPAIGN);
      for (let member = 0; member < MEMBERS_PER_CAMPAIGN; member += 1) {
        if (!emails.has(budgetMemberEmail(index * MEMBERS_PER_CAMPAIGN + member))) throw new Error(`campaign ${CAMPAIGNS[index]}: member ${member} is missing`);
      }
    }
  });

  it('the budget they shared is one Redis key per token, named by a SHA-256 of it', () => {
    const hash = budgetKeyOf({ scope: 'hubspot', credential: `${fake.basePath}\n${token}` });
    expect(budgetKeys).toEqual([`${settings.prefix}:rate-budget:hubspot:{${hash}}:slots`]);
    expect(budgetKeys.join()).not.toContain(token);
  });
});
