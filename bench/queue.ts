/**
 * The queue's own overhead: the same campaign run in-process and through BullMQ (a worker in this
 * process, the real Redis at REDIS_URL), median of several runs.
 *
 * - Tier S: a synthetic campaign (one segment, one destination into an in-memory audience, so the
 *   destination costs ~0) at 1, 100 and 1,000 chunks: overhead per run (parent + segments + sync
 *   jobs, segments through Redis) and per chunk (two Redis round trips: checkpoint read and write).
 * - Tier M: the bundled new-items campaign (local engine, file connector) once each way, after a
 *   warm-up run.
 *
 * `npm run bench -- --tiers S` or `npx tsx bench/queue.ts` (tier S).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { silentLogger } from '../src/core/logger.js';
import type { AudienceMember } from '../src/identity/identity-resolver.js';
import { runCampaign } from '../src/pipeline/run-campaign.js';
import type { RunContext } from '../src/pipeline/run-context.js';
import { loadCampaign } from '../src/campaign/load-campaign.js';
import type { CampaignRunPipeline } from '../src/queue/campaign-run-pipeline.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startCampaignWorker } from '../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../src/queue/default-pipeline.js';
import { JobName } from '../src/queue/job-data.js';
import { DEFAULT_JOB_RETENTION, DEFAULT_REDIS_URL, type QueueSettings } from '../src/queue/queue-settings.js';
import type { DestinationConnector, RecordOutcome } from '../src/sync/destination-connector.js';
import type { ChunkProgress } from '../src/sync/sync-audience.js';
import { syncAudience } from '../src/sync/sync-audience.js';
import type { BenchModule, BenchRow } from './run.js';

const BATCH_SIZE = 10;
const REPEATS = 5;

interface SyntheticCampaign {
  file: string;
  campaign: { name: string; members: number; destinations: Array<{ connector: string }> };
}

/** A destination that keeps the audience in memory: ~0 cost, so what remains is the queue's. */
const memoryConnector: DestinationConnector = {
  id: 'memory',
  configSchema: z.object({ connector: z.string() }),
  limits: { batchSize: BATCH_SIZE, concurrency: 1 },
  capabilities: { modes: ['additive'] },
  modeOf: () => 'additive',
  audienceNameOf: () => 'bench',
  open: () => {
    const audience = new Set<string>();
    return {
      testConnection: () => Promise.resolve('memory'),
      ensureAudience: (spec) => Promise.resolve({ id: 'memory', name: spec.name, created: false }),
      apply: (_ref, batch) =>
        Promise.resolve(batch.add.map((member): RecordOutcome => {
          const added = !audience.has(member.email);
          audience.add(member.email);
          return { email: member.email, kind: added ? 'added' : 'alreadyMember' };
        })),
    };
  },
};

/** Campaign "files" are names: `synthetic-<members>`. */
const syntheticPipeline: CampaignRunPipeline<SyntheticCampaign, { members: AudienceMember[]; runId: string }> = {
  loadCampaign(file) {
    const members = Number(file.split('-').at(-1));
    return Promise.resolve({ file, campaign: { name: 'synthetic', members, destinations: [{ connector: 'memory' }] } });
  },
  generateSegments(loaded, ctx) {
    const members = Array.from({ length: loaded.campaign.members }, (_, index) => ({ email: `m${index}@bench.example`, userIds: [String(index)], rank: index + 1 }));
    return Promise.resolve({ done: true, segments: { members, runId: ctx.runId ?? '' }, summary: { segments: 1, members: members.length } });
  },
  parseSegments: (json) => json as { members: AudienceMember[]; runId: string },
  syncDestination(_loaded, segments, _index, ctx, progressFor) {
    return syncAudience({
      connector: memoryConnector,
      config: { connector: 'memory' },
      session: memoryConnector.open({ connector: 'memory' }, { env: {}, logger: silentLogger, baseDir: '.' }),
      spec: { name: 'bench', campaign: 'synthetic', query: 'all', runId: segments.runId },
      members: segments.members,
      dryRun: ctx.dryRun,
      progress: progressFor(0),
    });
  },
};

const noCheckpoints: ChunkProgress = { isDone: () => false, markDone: () => Promise.resolve() };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function settingsForBench(): QueueSettings {
  return { redisUrl: process.env.REDIS_URL || DEFAULT_REDIS_URL, prefix: `affinity-sync-bench-${randomBytes(4).toString('hex')}`, retention: DEFAULT_JOB_RETENTION };
}

async function deletePrefix(settings: QueueSettings): Promise<void> {
  const redis = new Redis(settings.redisUrl);
  const keys = await redis.keys(`${settings.prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

/** Runs `campaignFile` through the queue `REPEATS` times; median milliseconds from enqueue to the parent's completion. */
async function timeThroughQueue(
  settings: QueueSettings,
  pipeline: CampaignRunPipeline,
  campaign: string,
  campaignFile: string,
  cwd: string,
  repeats: number,
): Promise<number> {
  const queue = await CampaignQueue.open(settings);
  const worker = await startCampaignWorker({ settings, pipeline, env: {}, logger: silentLogger, stateDir: join(cwd, '.state'), cwd, concurrency: 2 });
  const times: number[] = [];
  try {
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      const done = new Promise<void>((resolvePromise, reject) => {
        const onCompleted = (job: { name: string }): void => {
          if (job.name !== JobName.campaignRun) return;
          worker.worker.off('completed', onCompleted);
          resolvePromise();
        };
        worker.worker.on('completed', onCompleted);
        worker.worker.once('failed', (job, error) => {
          if (job?.name === JobName.campaignRun) reject(error);
        });
      });
      const started = performance.now();
      await queue.enqueue({ campaign, campaignFile }, undefined, new Date(Date.UTC(2030, 0, 1, 0, 0, repeat)));
      await done;
      times.push(performance.now() - started);
    }
  } finally {
    await worker.close();
    await queue.close();
  }
  return median(times);
}

async function syntheticRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cwd = await mkdtemp(join(tmpdir(), 'bench-queue-'));
  let baseline: { chunks: number; overheadMs: number } | undefined;
  try {
    for (const chunks of [1, 100, 1000]) {
      const members = chunks * BATCH_SIZE;
      const file = `synthetic-${members}`;
      const inProcess: number[] = [];
      for (let repeat = 0; repeat < REPEATS; repeat += 1) {
        const started = performance.now();
        const loaded = await syntheticPipeline.loadCampaign(file);
        const ctx: RunContext = { env: {}, logger: silentLogger, stateDir: cwd, cwd, dryRun: false, runId: `bench-${repeat}` };
        const step = await syntheticPipeline.generateSegments(loaded, ctx, undefined);
        if (!step.done) throw new Error('synthetic segments are immediate');
        await syntheticPipeline.syncDestination(loaded, step.segments, 0, ctx, () => noCheckpoints);
        inProcess.push(performance.now() - started);
      }
      const settings = settingsForBench();
      try {
        const inProcessMs = median(inProcess);
        const queueMs = await timeThroughQueue(settings, syntheticPipeline, 'synthetic', file, cwd, REPEATS);
        const overheadMs = queueMs - inProcessMs;
        baseline ??= { chunks, overheadMs };
        rows.push({
          campaign: 'synthetic (in-memory destination)',
          members,
          chunks,
          'in-process ms': inProcessMs.toFixed(1),
          'queue ms': queueMs.toFixed(1),
          'overhead ms': overheadMs.toFixed(1),
          'per chunk ms': chunks === baseline.chunks ? '' : ((overheadMs - baseline.overheadMs) / (chunks - baseline.chunks)).toFixed(3),
        });
      } finally {
        await deletePrefix(settings);
      }
    }
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
  return rows;
}

async function bundledCampaignRow(): Promise<BenchRow> {
  const repo = resolve(import.meta.dirname, '..');
  const file = join(repo, 'config/campaigns/new-items.yaml');
  const inProcessCwd = await mkdtemp(join(tmpdir(), 'bench-queue-run-'));
  const queueCwd = await mkdtemp(join(tmpdir(), 'bench-queue-worker-'));
  const settings = settingsForBench();
  try {
    const loaded = await loadCampaign(file);
    const runInProcess = () => runCampaign(loaded, { env: {}, logger: silentLogger, stateDir: join(inProcessCwd, '.state'), cwd: inProcessCwd, dryRun: false });
    await runInProcess(); // warm-up: file cache and JIT, so neither side pays them alone
    const started = performance.now();
    const report = await runInProcess();
    const inProcessMs = performance.now() - started;
    const queueMs = await timeThroughQueue(settings, createDefaultPipeline(), loaded.campaign.name, file, queueCwd, 1);
    const members = report.segments.reduce((sum, segment) => sum + segment.matched, 0);
    return {
      campaign: `${loaded.campaign.name} (bundled, file connector)`,
      members,
      chunks: '',
      'in-process ms': inProcessMs.toFixed(0),
      'queue ms': queueMs.toFixed(0),
      'overhead ms': (queueMs - inProcessMs).toFixed(0),
      'per chunk ms': '',
    };
  } finally {
    await deletePrefix(settings);
    await rm(inProcessCwd, { recursive: true, force: true });
    await rm(queueCwd, { recursive: true, force: true });
  }
}

export const bench: BenchModule = {
  name: 'queue overhead (BullMQ + Redis vs in-process, median of 5; bundled campaign: 1 run each)',
  async run({ tiers }) {
    const rows: BenchRow[] = [];
    if (tiers.includes('S')) rows.push(...(await syntheticRows()));
    if (tiers.includes('M')) rows.push(await bundledCampaignRow());
    return rows;
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const tiers = process.argv.includes('--bundled') ? ['S', 'M'] : ['S'];
  for (const row of await bench.run({ tiers })) process.stdout.write(`${JSON.stringify(row)}\n`);
}
