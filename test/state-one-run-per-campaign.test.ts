/**
 * One run per campaign at a time, whatever started it: the second run is skipped with a clear
 * message and a `skipped` row in the state store (SQLite and PostgreSQL; real Redis for the queue).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startCampaignWorker } from '../src/queue/campaign-worker.js';
import { JobName, runSummarySchema } from '../src/queue/job-data.js';
import type { QueueSettings } from '../src/queue/queue-settings.js';
import { campaignLeaseName } from '../src/state/campaign-lease.js';
import type { StateStore } from '../src/state/state-store.js';
import { createFakePipeline, readRecordedWrites } from './helpers/queue-fake-pipeline.js';
import { deletePrefix, testRedisUrl, uniqueQueueSettings, waitForJobEnd } from './helpers/queue-redis.js';
import { runCli } from './helpers/run-cli.js';
import { createTestStateLocation, stateStoreKinds, type TestStateLocation } from './helpers/state-stores.js';

const repo = resolve(import.meta.dirname, '..');

describe.each(stateStoreKinds)('one run per campaign, state on %s', (kind) => {
  let location: TestStateLocation;
  let store: StateStore;
  let dir: string;

  beforeEach(async () => {
    location = await createTestStateLocation(kind);
    store = await location.open();
    dir = await mkdtemp(join(tmpdir(), 'one-run-'));
  });
  afterEach(async () => {
    await store.close();
    await location.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('run skips a campaign another run holds, says so, exits 1 and records the skip; a dry run is not held back', async () => {
    await store.acquireLease(campaignLeaseName('new-arrivals'), 'new-arrivals-20261203T120000Z', 60_000);
    const env = { ...process.env, LOG_LEVEL: 'silent', ...location.env };
    const args = ['run', '--json', '--state-dir', location.stateDir, join(repo, 'config/campaigns/new-items.yaml')];
    const skipped = await runCli(args, { cwd: dir, env });
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toMatch(
      /^started run (new-arrivals-\d{8}T\d{6}Z) \(new-arrivals\)\nerror: campaign new-arrivals is already being run \(run new-arrivals-20261203T120000Z\); this run was skipped and changed nothing\. If that run's process died, its lease expires at \d{4}-\d\d-\d\dT[\d:.]+Z\.\n$/,
    );
    const runId = /started run (\S+)/.exec(skipped.stderr)?.[1] ?? '';
    expect(await store.getRun(runId)).toMatchObject({ status: 'skipped', trigger: 'cli', exitCode: 1, report: null, error: expect.stringMatching(/^campaign new-arrivals is already being run/) as unknown });

    const dry = await runCli([...args.slice(0, 2), '--dry-run', ...args.slice(2)], { cwd: dir, env });
    expect(dry.code).toBe(0);
    await store.releaseLease(campaignLeaseName('new-arrivals'), 'new-arrivals-20261203T120000Z');
    await new Promise((done) => setTimeout(done, 1_000)); // run ids are to the second
    const after = await runCli(args, { cwd: dir, env });
    expect(after.code).toBe(0);
    expect(await store.acquireLease(campaignLeaseName('new-arrivals'), 'someone', 1_000)).toMatchObject({ acquired: true }); // released at the end
  });

  describe('through the queue', () => {
    let settings: QueueSettings;
    let redis: Redis;
    let queue: CampaignQueue;
    beforeEach(async () => {
      settings = uniqueQueueSettings();
      redis = new Redis(testRedisUrl);
      queue = await CampaignQueue.open(settings);
    });
    afterEach(async () => {
      await queue.close();
      await deletePrefix(settings.prefix);
      await redis.quit();
    });

    it('a scheduled slot and a manual enqueue at once: one run syncs, the other is skipped and recorded', async () => {
      const file = join(dir, 'slow.json');
      await writeFile(file, JSON.stringify({ name: 'slow', members: 40, destinations: [{ connector: 'recorder', batchSize: 5, applyDelayMs: 100 }] }));
      const worker = await startCampaignWorker({ settings, pipeline: createFakePipeline(redis, settings.prefix), env: {}, logger: silentLogger, stateDir: dir, state: store, cwd: dir, concurrency: 4 });
      try {
        const scheduled = await queue.queue.add(JobName.campaignRun, { campaign: 'slow', campaignFile: file, trigger: 'schedule', runId: 'slow-20261203T180000Z' }, { jobId: 'slow-20261203T180000Z' });
        const manual = await queue.enqueue({ campaign: 'slow', campaignFile: file });
        expect(manual.added).toBe(true); // BullMQ cannot deduplicate against a scheduler's job: the lease does
        const ends = await Promise.all([waitForJobEnd(queue.queue, scheduled.id!, 60_000), waitForJobEnd(queue.queue, manual.jobId, 60_000)]);
        expect(ends.map((end) => end.state)).toEqual(['completed', 'completed']);
        const summaries = ends.map((end) => runSummarySchema.parse(end.job.returnvalue));
        const ran = summaries.filter((summary) => summary.skipped === undefined);
        const skipped = summaries.filter((summary) => summary.skipped !== undefined);
        expect(ran).toHaveLength(1);
        expect(skipped).toHaveLength(1);
        expect(ran[0]?.outcomes.added).toBe(40);
        expect(skipped[0]?.skipped).toMatch(new RegExp(`^campaign slow is already being run \\(run ${ran[0]?.runId}\\); this run was skipped and changed nothing`));
        // Every member was written once: the skipped run wrote nothing.
        expect((await readRecordedWrites(redis, settings.prefix, 0)).flatMap((write) => write.emails)).toHaveLength(40);
        const rows = await store.listRuns({ campaign: 'slow' });
        expect(rows.map((row) => [row.runId, row.status, row.trigger]).sort()).toEqual(
          [[ran[0]?.runId, 'succeeded', ran[0]?.runId === 'slow-20261203T180000Z' ? 'schedule' : 'enqueue'], [skipped[0]?.runId, 'skipped', skipped[0]?.runId === 'slow-20261203T180000Z' ? 'schedule' : 'enqueue']].sort(),
        );
        expect(await store.acquireLease(campaignLeaseName('slow'), 'next', 1_000)).toMatchObject({ acquired: true });
      } finally {
        await worker.close();
      }
    });
  });
});
