/**
 * Honest deferral of HubSpot's DAILY limit, against the HubSpot stand-in answering 429
 * `policyName: DAILY` (HubSpot's wire format) once its daily budget is spent, to every request
 * (`account-info` too, so the portal's time zone cannot be read and UTC midnight is used):
 * - in-process `run`: the report says which audiences were not synced and when to retry; exit 1;
 * - queue: the sync job sleeps in the delayed set until the reset without spending an attempt,
 *   `status` says "deferred until …", and after the reset it finishes every audience.
 * Real Redis, real SQLite state store, the real pipeline on the tiny shop.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHubSpot, type FakeHubSpot } from '../connectors/hubspot/testing/fake-hubspot-server.js';
import { silentLogger } from '../src/core/logger.js';
import type { CampaignReport } from '../src/pipeline/run-campaign.js';
import { syncJobId } from '../src/queue/campaign-processor.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startCampaignWorker, type CampaignWorker } from '../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../src/queue/default-pipeline.js';
import { runSummarySchema, syncJobDataSchema } from '../src/queue/job-data.js';
import type { QueueSettings } from '../src/queue/queue-settings.js';
import type { CampaignStatus } from '../src/queue/run-status.js';
import type { StateStore } from '../src/state/state-store.js';
import { deletePrefix, testRedisUrl, uniqueQueueSettings, waitFor, waitForJobEnd } from './helpers/queue-redis.js';
import { runCli } from './helpers/run-cli.js';
import { createTestStateLocation, type TestStateLocation } from './helpers/state-stores.js';
import { tinyShopEmail, writeTinyShop } from './helpers/tiny-shop.js';

const TOKEN = 'pat-na1-daily-limit-test';
const CATEGORIES = ['outdoor', 'kitchen', 'jewelry'];
/**
 * Requests the stand-in accepts before its DAILY 429s: the first audience (find list, create list,
 * read contacts, add memberships) and the second audience's list lookup. Its list creation is refused.
 */
const DAILY_LIMIT = 5;

/** The next UTC midnight after `now`. */
const utcMidnightAfter = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));

describe('a spent HubSpot DAILY limit', () => {
  let cwd: string;
  let fake: FakeHubSpot;
  let location: TestStateLocation;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'daily-limit-'));
    await writeTinyShop(join(cwd, 'data'));
    fake = await startFakeHubSpot({ accessToken: TOKEN, dailyLimit: DAILY_LIMIT });
    fake.addContacts(Array.from({ length: 60 }, (_, index) => tinyShopEmail(index + 1)).filter((email) => email !== undefined).map((email) => ({ email })));
    await writeFile(
      join(cwd, 'hs.yaml'),
      [
        'name: shop-hs',
        'type: new-items',
        'data: data',
        'segment: { provider: local, numResults: 20 }',
        `queries: [${CATEGORIES.map((category) => `ITEMS.CATEGORY_L1 = "${category}"`).join(', ')}]`,
        'destinations:',
        `  - { connector: hubspot, list: "aff {{campaign}} {{label}}", basePath: "${fake.basePath}" }`,
      ].join('\n'),
    );
    location = await createTestStateLocation('sqlite');
    env = { LOG_LEVEL: 'silent', HUBSPOT_ACCESS_TOKEN: TOKEN, ...location.env };
  });
  afterEach(async () => {
    await fake.close();
    await location.dispose();
    await rm(cwd, { recursive: true, force: true });
  });

  it('in-process run: the report says which audiences were not synced and when to retry; exit 1', async () => {
    const before = new Date();
    const text = await runCli(['run', join(cwd, 'hs.yaml'), '--state-dir', location.stateDir], { cwd, env });
    const retryAfter = utcMidnightAfter(before).toISOString();
    expect(text.code, text.stdout + text.stderr).toBe(1);
    const lines = text.stdout.split('\n');
    // The first audience was written; the second hit the limit; the third was not tried.
    expect(lines.filter((line) => /│ added \d+/.test(line))).toHaveLength(1);
    expect(lines.filter((line) => line.includes(`NOT SYNCED: HubSpot daily API limit reached, retry after ${retryAfter}`))).toHaveLength(2);
    expect(text.stdout).toContain('destination 1 (hubspot): 1 of 3 audiences written; NOT SYNCED: 2');
    expect(text.stdout).toContain(
      `destination 1 (hubspot): not synced: HubSpot daily API limit reached while creating the list (HTTP 429, correlationId fake-daily); retry after ${retryAfter} (UTC midnight: the portal's time zone could not be read,`,
    );
    expect(text.stdout).toContain(`Run again after ${retryAfter}.`);
    // Nothing was retried against the spent limit: one refused write, one refused time-zone read.
    expect(fake.stats.dailyLimited).toBe(2);
    expect(fake.stats.rateLimited).toBe(0);

    // The JSON report carries the same, per audience.
    fake.setDailyRemaining(0);
    const json = await runCli(['run', '--json', join(cwd, 'hs.yaml'), '--state-dir', location.stateDir], { cwd, env });
    expect(json.code).toBe(1);
    const report = (JSON.parse(json.stdout) as CampaignReport[])[0]!;
    const destination = report.destinations[0]!;
    expect('segments' in destination).toBe(true);
    if (!('segments' in destination)) return;
    for (const segment of destination.segments) {
      expect(segment.deferred).toMatchObject({ quota: 'HubSpot daily API limit', retryAfter: utcMidnightAfter(new Date()).toISOString() });
      expect(segment.sync).toBeUndefined();
    }
  });

  describe('through the queue', () => {
    let settings: QueueSettings;
    let queue: CampaignQueue;
    let worker: CampaignWorker;
    let store: StateStore;

    beforeEach(async () => {
      settings = uniqueQueueSettings();
      store = await location.open();
      queue = await CampaignQueue.open(settings);
      worker = await startCampaignWorker({ settings, pipeline: createDefaultPipeline(), env, logger: silentLogger, stateDir: location.stateDir, state: store, cwd, concurrency: 2 });
    });
    afterEach(async () => {
      await worker.close();
      await queue.close();
      await store.close();
      await deletePrefix(settings.prefix);
    });

    it('delays the sync job until the reset without spending an attempt; status says "deferred until …"; after the reset every audience is synced', async () => {
      const before = new Date();
      const { jobId: runId } = await queue.enqueue({ campaign: 'shop-hs', campaignFile: join(cwd, 'hs.yaml') });
      const resetAt = utcMidnightAfter(before);

      const syncJob = await waitFor(
        async () => {
          const job = await queue.queue.getJob(syncJobId(runId, 0));
          return job && (await job.getState()) === 'delayed' && syncJobDataSchema.parse(job.data).deferredUntil !== undefined ? job : undefined;
        },
        'the sync job to be deferred',
        60_000,
      );
      const data = syncJobDataSchema.parse(syncJob.data);
      expect(data.deferredUntil).toBe(resetAt.getTime());
      expect(data.deferredReason).toMatch(/^HubSpot daily API limit reached while creating the list .*; retry after .*UTC midnight/);
      expect(syncJob.attemptsMade).toBe(0);
      expect(fake.stats.dailyLimited).toBe(2);

      const cliEnv = { LOG_LEVEL: 'silent', REDIS_URL: settings.redisUrl, AFFINITY_QUEUE_PREFIX: settings.prefix };
      const table = await runCli(['status'], { cwd, env: cliEnv });
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toContain(`deferred until ${resetAt.toISOString()}`);
      expect(table.stdout).toContain('destination 1 (hubspot) deferred: HubSpot daily API limit reached while creating the list');
      const json = await runCli(['status', '--json'], { cwd, env: cliEnv });
      const run = (JSON.parse(json.stdout) as CampaignStatus[])[0]!.runs[0]!;
      expect(run).toMatchObject({ runId, state: 'deferred', deferredUntil: resetAt.toISOString() });
      expect(run.destinations[0]).toMatchObject({ state: 'deferred', deferredUntil: resetAt.toISOString(), outcomes: { added: 18 } });

      // The campaign stays leased to the deferred run past the reset: no other run of it slips in.
      const other = await store.acquireLease('campaign:shop-hs', 'another-run', 1000);
      expect(other.acquired).toBe(false);
      if (!other.acquired) expect(Date.parse(other.expiresAt)).toBeGreaterThan(resetAt.getTime());

      const redis = new Redis(testRedisUrl);
      try {
        // The job sleeps in BullMQ's delayed set until the reset (score: timestamp × 0x1000 + a counter).
        const score = Number(await redis.zscore(`${settings.prefix}:campaign-runs:delayed`, syncJobId(runId, 0)));
        expect(Math.floor(score / 0x1000)).toBeGreaterThanOrEqual(resetAt.getTime() - 1000);
        expect(Math.floor(score / 0x1000)).toBeLessThanOrEqual(resetAt.getTime());
        // The worker's requests went through the shared budget in Redis.
        expect(await redis.keys(`${settings.prefix}:rate-budget:hubspot:*`)).toHaveLength(1);
      } finally {
        await redis.quit();
      }

      // Midnight: the limit resets; the delayed job runs (promoted instead of waiting hours).
      fake.setDailyRemaining(undefined);
      await syncJob.promote();
      const { job, state } = await waitForJobEnd(queue.queue, runId, 60_000);
      expect(job.failedReason).toBeUndefined();
      expect(state).toBe('completed');
      const summary = runSummarySchema.parse(job.returnvalue);
      expect(summary.destinations[0]).toMatchObject({ state: 'completed' });
      const members = summary.segments?.members ?? 0;
      expect(members).toBeGreaterThan(40);
      // The 18 added before the limit are in the audience's snapshot: the resumed sync counts them as already in.
      expect(summary.outcomes.added).toBe(members - 18);
      expect(summary.outcomes.alreadyMember).toBe(18);
      expect(summary.outcomes.failed).toBe(0);
      expect(fake.stats.rateLimited).toBe(0);
    });
  });
});
