import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { segmentsJobId, syncJobId } from '../src/queue/campaign-processor.js';
import { CampaignQueue, campaignJobOptions } from '../src/queue/campaign-queue.js';
import { applySchedulePlan, planSchedules } from '../src/queue/schedule-plan.js';
import { makeRunId } from '../src/pipeline/run-id.js';
import { startCampaignWorker, type CampaignWorker } from '../src/queue/campaign-worker.js';
import { campaignRunDataSchema, JobName, runSummarySchema } from '../src/queue/job-data.js';
import type { QueueSettings } from '../src/queue/queue-settings.js';
import { createFakePipeline, fakeMemberEmail, readRecordedWrites, recorderKeys, type FakeCampaignInput } from './helpers/queue-fake-pipeline.js';
import { countPrefixKeys, deletePrefix, testRedisUrl, uniqueQueueSettings, waitFor, waitForJobEnd } from './helpers/queue-redis.js';

let settings: QueueSettings;
let redis: Redis;
let dir: string;
let queue: CampaignQueue;
let workers: CampaignWorker[];

beforeEach(async () => {
  settings = uniqueQueueSettings();
  redis = new Redis(testRedisUrl);
  dir = await mkdtemp(join(tmpdir(), 'queue-worker-'));
  queue = await CampaignQueue.open(settings);
  workers = [];
});

afterEach(async () => {
  for (const worker of workers) await worker.close();
  await queue.close();
  await deletePrefix(settings.prefix);
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
});

async function writeCampaign(input: FakeCampaignInput): Promise<string> {
  const file = join(dir, `${input.name}.json`);
  await writeFile(file, JSON.stringify(input));
  return file;
}

async function startWorker(attempts = 3): Promise<CampaignWorker> {
  const worker = await startCampaignWorker({
    settings,
    pipeline: createFakePipeline(redis, settings.prefix),
    env: {},
    logger: silentLogger,
    stateDir: dir,
    cwd: dir,
    retry: { attempts, backoffDelayMs: 20 },
  });
  workers.push(worker);
  return worker;
}

async function audience(destinationIndex: number): Promise<string[]> {
  return (await redis.smembers(recorderKeys(settings.prefix, destinationIndex).audience)).sort();
}

const expectedEmails = (count: number): string[] => Array.from({ length: count }, (_, index) => fakeMemberEmail(index)).sort();

describe('campaign run as a BullMQ flow', () => {
  it('runs segments, then one sync job per destination, and sums the run up', async () => {
    const file = await writeCampaign({ name: 'shoes', members: 25, destinations: [{ connector: 'recorder', batchSize: 10 }, { connector: 'recorder', batchSize: 7 }] });
    await startWorker();
    const { jobId, added } = await queue.enqueue({ campaign: 'shoes', campaignFile: file }, undefined, new Date('2024-12-16T02:01:51Z'));
    expect(added).toBe(true);
    expect(jobId).toBe('shoes-20241216T020151Z');

    const { job, state } = await waitForJobEnd(queue.queue, jobId);
    expect(state).toBe('completed');
    const summary = runSummarySchema.parse(job.returnvalue);
    expect(summary.segments).toEqual({ segments: 1, members: 25, destinations: ['recorder', 'recorder'] });
    expect(summary.destinations.map((destination) => [destination.state, destination.outcomes.added, destination.chunks])).toEqual([
      ['completed', 25, 3],
      ['completed', 25, 4],
    ]);
    expect(summary.outcomes).toEqual({ added: 50, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });
    expect(campaignRunDataSchema.parse(job.data).step).toBe('finished');

    expect(await audience(0)).toEqual(expectedEmails(25));
    expect(await audience(1)).toEqual(expectedEmails(25));
    expect((await readRecordedWrites(redis, settings.prefix, 1)).map((write) => write.emails.length)).toEqual([7, 7, 7, 4]);

    const children = await Promise.all([segmentsJobId(jobId), syncJobId(jobId, 0), syncJobId(jobId, 1)].map((id) => queue.queue.getJob(id)));
    expect(await Promise.all(children.map((child) => (child ? child.getState() : Promise.resolve('missing'))))).toEqual(['completed', 'completed', 'completed']);
    // The run's segments and checkpoints are deleted once it completed.
    expect(await redis.keys(`${settings.prefix}:run:*`)).toEqual([]);
  });

  it('delays the segment job while a long external step runs, instead of holding the worker', async () => {
    const file = await writeCampaign({ name: 'slow', members: 3, destinations: [{ connector: 'recorder' }], segmentChecks: 2, segmentWaitMs: 100 });
    await startWorker();
    const { jobId } = await queue.enqueue({ campaign: 'slow', campaignFile: file });
    const delayedSeen = new Set<string>();
    const end = waitForJobEnd(queue.queue, jobId);
    const poll = setInterval(() => {
      void queue.queue.getJob(segmentsJobId(jobId)).then(async (job) => {
        if (job) delayedSeen.add(await job.getState());
      });
    }, 20);
    const { state } = await end;
    clearInterval(poll);
    expect(state).toBe('completed');
    const segmentsJob = await queue.queue.getJob(segmentsJobId(jobId));
    expect(segmentsJob?.data).toMatchObject({ checks: 2, stepState: 2 });
    expect(segmentsJob?.attemptsMade).toBe(1);
    expect(delayedSeen.has('delayed')).toBe(true);
    expect(await audience(0)).toEqual(expectedEmails(3));
  });

  it('deduplicates a second enqueue while the run is active', async () => {
    const file = await writeCampaign({ name: 'dedupe', members: 5, destinations: [{ connector: 'recorder' }] });
    const first = await queue.enqueue({ campaign: 'dedupe', campaignFile: file }, undefined, new Date('2024-12-16T02:00:00Z'));
    const second = await queue.enqueue({ campaign: 'dedupe', campaignFile: file }, undefined, new Date('2024-12-16T02:00:05Z'));
    expect(first).toEqual({ jobId: 'dedupe-20241216T020000Z', added: true });
    expect(second).toEqual({ jobId: 'dedupe-20241216T020000Z', added: false });
    expect(await queue.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });

    await startWorker();
    expect((await waitForJobEnd(queue.queue, first.jobId)).state).toBe('completed');
    // Once the run is over, a new one may start.
    const third = await queue.enqueue({ campaign: 'dedupe', campaignFile: file }, undefined, new Date('2024-12-16T03:00:00Z'));
    expect(third).toEqual({ jobId: 'dedupe-20241216T030000Z', added: true });
  });
});

describe('scheduled runs', () => {
  it('a job scheduler makes runs that the worker completes, each with the id of its slot', async () => {
    const file = await writeCampaign({ name: 'ticker', members: 3, destinations: [{ connector: 'recorder' }] });
    const plan = planSchedules('campaigns', [{ campaign: 'ticker', campaignFile: file, cron: '* * * * * *', timezone: 'UTC', owner: 'campaigns' }], new Set(), []);
    await applySchedulePlan(queue.queue, plan, campaignJobOptions(settings.retention));
    await startWorker();
    const completed = await waitFor(async () => {
      const jobs = (await queue.queue.getCompleted()).filter((job) => job.name === JobName.campaignRun);
      return jobs.length > 0 ? jobs : undefined;
    }, 'a scheduled run');
    await queue.queue.removeJobScheduler('ticker');
    const run = completed[0];
    const data = campaignRunDataSchema.parse(run?.data);
    expect(data.trigger).toBe('schedule');
    const slot = new Date(run?.opts.prevMillis ?? 0);
    expect(run?.id).toBe(`repeat:ticker:${slot.getTime()}`);
    expect(slot.getUTCMilliseconds()).toBe(0);
    expect(data.runId).toBe(makeRunId('ticker', slot));
    expect(runSummarySchema.parse(run?.returnvalue).outcomes.added).toBe(3);
    expect(await audience(0)).toEqual(expectedEmails(3));
  });
});

describe('errors mapped to BullMQ', () => {
  it('retries a TransientError with exponential backoff and jitter, spending attempts', async () => {
    const file = await writeCampaign({
      name: 'flaky',
      members: 4,
      destinations: [{ connector: 'recorder' }],
      syncFailures: [{ destinationIndex: 0, kind: 'transient', times: 2 }],
    });
    await startWorker(3);
    const { jobId } = await queue.enqueue({ campaign: 'flaky', campaignFile: file }, { attempts: 3, backoffDelayMs: 20 });
    expect((await waitForJobEnd(queue.queue, jobId)).state).toBe('completed');
    const sync = await queue.queue.getJob(syncJobId(jobId, 0));
    expect(sync?.attemptsMade).toBe(3);
    expect(sync?.opts.backoff).toEqual({ type: 'exponential', delay: 20, jitter: 0.5 });
    expect(await redis.get(recorderKeys(settings.prefix, 0).calls)).toBe('3');
    expect(await audience(0)).toEqual(expectedEmails(4));
  });

  it('fails the destination when the attempts run out, and keeps the reason on the run', async () => {
    const file = await writeCampaign({
      name: 'down',
      members: 4,
      destinations: [{ connector: 'recorder' }, { connector: 'recorder' }],
      syncFailures: [{ destinationIndex: 1, kind: 'transient', times: 99 }],
    });
    await startWorker(2);
    const { jobId } = await queue.enqueue({ campaign: 'down', campaignFile: file });
    const { job, state } = await waitForJobEnd(queue.queue, jobId);
    expect(state).toBe('failed');
    expect(job.failedReason).toBe('destination 2 (recorder): fake: connection reset');
    const summary = campaignRunDataSchema.parse(job.data).summary;
    expect(summary?.destinations.map((destination) => destination.state)).toEqual(['completed', 'failed']);
    expect(summary?.outcomes.added).toBe(4);
    expect(await redis.get(recorderKeys(settings.prefix, 1).calls)).toBe('2');
    expect(await audience(0)).toEqual(expectedEmails(4));
  });

  it('waits out a RateLimitedError without spending an attempt', async () => {
    const file = await writeCampaign({
      name: 'limited',
      members: 4,
      destinations: [{ connector: 'recorder' }],
      syncFailures: [{ destinationIndex: 0, kind: 'rateLimited', times: 2, retryAfterMs: 50 }],
    });
    await startWorker(1);
    const { jobId } = await queue.enqueue({ campaign: 'limited', campaignFile: file }, { attempts: 1, backoffDelayMs: 20 });
    expect((await waitForJobEnd(queue.queue, jobId)).state).toBe('completed');
    const sync = await queue.queue.getJob(syncJobId(jobId, 0));
    // Three calls with a single attempt allowed: the two rate-limited ones were not attempts.
    expect(await redis.get(recorderKeys(settings.prefix, 0).calls)).toBe('3');
    expect(sync?.opts.attempts).toBe(1);
    expect(sync?.attemptsMade).toBe(1);
    expect(await audience(0)).toEqual(expectedEmails(4));
  });

  it('does not retry a PermanentError and keeps its reason', async () => {
    const file = await writeCampaign({
      name: 'gone',
      members: 4,
      destinations: [{ connector: 'recorder' }],
      syncFailures: [{ destinationIndex: 0, kind: 'permanent', times: 99 }],
    });
    await startWorker(5);
    const { jobId } = await queue.enqueue({ campaign: 'gone', campaignFile: file });
    const { job, state } = await waitForJobEnd(queue.queue, jobId);
    expect(state).toBe('failed');
    const sync = await queue.queue.getJob(syncJobId(jobId, 0));
    expect(sync?.failedReason).toBe('PermanentError: fake: the list was deleted');
    expect(sync?.attemptsMade).toBe(1);
    expect(await redis.get(recorderKeys(settings.prefix, 0).calls)).toBe('1');
    expect(job.failedReason).toBe('destination 1 (recorder): fake: the list was deleted');
    expect(await audience(0)).toEqual([]);
  });
});

describe('test hygiene', () => {
  it('leaves no key behind under its prefix once cleaned', async () => {
    const file = await writeCampaign({ name: 'tidy', members: 2, destinations: [{ connector: 'recorder' }] });
    await startWorker();
    const { jobId } = await queue.enqueue({ campaign: 'tidy', campaignFile: file });
    await waitForJobEnd(queue.queue, jobId);
    expect(await countPrefixKeys(settings.prefix)).toBeGreaterThan(0);
    await deletePrefix(settings.prefix);
    expect(await countPrefixKeys(settings.prefix)).toBe(0);
  });
});
