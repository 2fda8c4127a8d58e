/**
 * Crash safety with worker child processes: SIGKILL mid-sync (another worker takes the stalled
 * job over and skips the finished chunks) and SIGTERM (drain: the chunk in flight finishes, exit 0).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncJobId } from '../src/queue/campaign-processor.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { runSummarySchema } from '../src/queue/job-data.js';
import type { QueueSettings } from '../src/queue/queue-settings.js';
import { spawnChildWorker, type ChildWorker } from './helpers/queue-child-worker.js';
import { fakeMemberEmail, readRecordedWrites, recorderKeys, type FakeCampaignInput } from './helpers/queue-fake-pipeline.js';
import { deletePrefix, testRedisUrl, uniqueQueueSettings, waitFor, waitForJobEnd } from './helpers/queue-redis.js';

let settings: QueueSettings;
let redis: Redis;
let dir: string;
let queue: CampaignQueue;
let children: ChildWorker[];

beforeEach(async () => {
  settings = uniqueQueueSettings();
  redis = new Redis(testRedisUrl);
  dir = await mkdtemp(join(tmpdir(), 'queue-crash-'));
  queue = await CampaignQueue.open(settings);
  children = [];
});

afterEach(async () => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
  await queue.close();
  await deletePrefix(settings.prefix);
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
});

async function enqueue(input: FakeCampaignInput): Promise<string> {
  const file = join(dir, `${input.name}.json`);
  await writeFile(file, JSON.stringify(input));
  return (await queue.enqueue({ campaign: input.name, campaignFile: file })).jobId;
}

async function spawnWorker(): Promise<ChildWorker> {
  const child = await spawnChildWorker(settings);
  children.push(child);
  return child;
}

const waitForWrites = (count: number): Promise<number> =>
  waitFor(async () => {
    const length = await redis.llen(recorderKeys(settings.prefix, 0).writes);
    return length >= count ? length : undefined;
  }, `${count} writes`);

const allEmails = (count: number): string[] => Array.from({ length: count }, (_, index) => fakeMemberEmail(index)).sort();

describe('crash safety', () => {
  it('SIGKILL mid-sync: a second worker resumes, the audience equals the segment, only the chunk in flight is written twice', async () => {
    const members = 60;
    const batchSize = 5;
    const jobId = await enqueue({ name: 'crash', members, destinations: [{ connector: 'recorder', batchSize, applyDelayMs: 120 }] });
    const first = await spawnWorker();
    await waitForWrites(3);
    first.process.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const writtenByFirst = (await readRecordedWrites(redis, settings.prefix, 0)).length;

    const second = await spawnWorker();
    const { job, state } = await waitForJobEnd(queue.queue, jobId, 40_000);
    expect(state).toBe('completed');

    expect((await redis.smembers(recorderKeys(settings.prefix, 0).audience)).sort()).toEqual(allEmails(members));
    const writes = await readRecordedWrites(redis, settings.prefix, 0);
    const firstPid = first.process.pid;
    const secondPid = second.process.pid;
    expect(writes.filter((write) => write.pid === firstPid)).toHaveLength(writtenByFirst);
    const bySecond = writes.filter((write) => write.pid === secondPid);
    // The second worker skipped every checkpointed chunk: it wrote the rest, plus at most the chunk in flight.
    expect(bySecond.length).toBeGreaterThanOrEqual(members / batchSize - writtenByFirst);
    expect(bySecond.length).toBeLessThanOrEqual(members / batchSize - writtenByFirst + 1);
    const timesWritten = new Map<string, number>();
    for (const write of writes) for (const email of write.emails) timesWritten.set(email, (timesWritten.get(email) ?? 0) + 1);
    expect([...timesWritten.keys()].sort()).toEqual(allEmails(members));
    const repeated = [...timesWritten].filter(([, times]) => times > 1);
    expect(repeated.every(([, times]) => times === 2)).toBe(true);
    expect([0, batchSize]).toContain(repeated.length);

    const summary = runSummarySchema.parse(job.returnvalue);
    expect(summary.destinations[0]?.chunks).toBe(members / batchSize);
    expect(summary.outcomes.added + summary.outcomes.alreadyMember).toBe(members);
    expect(summary.outcomes.added).toBe(members - repeated.length);
    const sync = await queue.queue.getJob(syncJobId(jobId, 0));
    expect(await sync?.getState()).toBe('completed');
  });

  it('SIGTERM drains: the chunk in flight finishes and is checkpointed, the worker exits 0, the next worker repeats nothing', async () => {
    const members = 40;
    const batchSize = 5;
    const jobId = await enqueue({ name: 'drain', members, destinations: [{ connector: 'recorder', batchSize, applyDelayMs: 200 }] });
    const first = await spawnWorker();
    await waitForWrites(2);
    first.process.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('closed');

    const writtenByFirst = (await readRecordedWrites(redis, settings.prefix, 0)).length;
    expect(writtenByFirst).toBeLessThan(members / batchSize);
    // Every write of the first worker is checkpointed: none was cut off.
    expect(await redis.hlen(`${settings.prefix}:run:${jobId}:checkpoints:0`)).toBe(writtenByFirst);
    const sync = await queue.queue.getJob(syncJobId(jobId, 0));
    expect(await sync?.getState()).toBe('waiting');
    expect(sync?.attemptsMade).toBe(0);

    await spawnWorker();
    expect((await waitForJobEnd(queue.queue, jobId, 40_000)).state).toBe('completed');
    const writes = await readRecordedWrites(redis, settings.prefix, 0);
    expect(writes).toHaveLength(members / batchSize);
    expect(writes.flatMap((write) => write.emails).sort()).toEqual(allEmails(members));
    expect((await redis.smembers(recorderKeys(settings.prefix, 0).audience)).sort()).toEqual(allEmails(members));
  });

  it('affinity-sync worker (the CLI) starts, and on SIGTERM stops with exit code 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'worker', '--concurrency', '2'], {
      cwd: resolve(import.meta.dirname, '..'),
      env: { ...process.env, REDIS_URL: settings.redisUrl, AFFINITY_QUEUE_PREFIX: settings.prefix, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await new Promise<void>((ready, fail) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('SIGTERM or Ctrl-C')) ready();
      });
      void exited.then(() => fail(new Error(`worker exited early: ${stderr}`)));
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr.split('\n')).toEqual([
      `worker: queue ${settings.prefix}:campaign-runs on ${settings.redisUrl}, concurrency 2; SIGTERM or Ctrl-C to drain and stop`,
      'worker: SIGTERM: finishing the chunk in flight, then stopping',
      'worker: stopped',
      '',
    ]);
  });
});
