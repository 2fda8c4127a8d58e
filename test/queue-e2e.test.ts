/**
 * End to end: the bundled new-items campaign through the queue (real pipeline, local segment
 * provider, file connector) gives the same audience files as the in-process `run`.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startCampaignWorker, type CampaignWorker } from '../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../src/queue/default-pipeline.js';
import { runSummarySchema, type RunSummary } from '../src/queue/job-data.js';
import type { QueueSettings } from '../src/queue/queue-settings.js';
import { runCli } from './helpers/run-cli.js';
import { deletePrefix, uniqueQueueSettings, waitForJobEnd } from './helpers/queue-redis.js';

const repo = resolve(import.meta.dirname, '..');
const campaignFile = join(repo, 'config/campaigns/new-items.yaml');

async function csvFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.csv')).sort()) files.set(name, await readFile(join(dir, name), 'utf8'));
  return files;
}

describe('a campaign run through the queue with the file connector', () => {
  let settings: QueueSettings;
  let queueCwd: string;
  let inProcessCwd: string;
  let queue: CampaignQueue;
  let worker: CampaignWorker;
  let summary: RunSummary;
  let inProcessAdded: number;

  beforeAll(async () => {
    settings = uniqueQueueSettings();
    queueCwd = await mkdtemp(join(tmpdir(), 'queue-e2e-'));
    inProcessCwd = await mkdtemp(join(tmpdir(), 'queue-e2e-run-'));
    queue = await CampaignQueue.open(settings);
    worker = await startCampaignWorker({ settings, pipeline: createDefaultPipeline(), env: {}, logger: silentLogger, stateDir: join(queueCwd, '.state'), cwd: queueCwd, concurrency: 2 });
    const { jobId } = await queue.enqueue({ campaign: 'new-arrivals', campaignFile });
    const { job, state } = await waitForJobEnd(queue.queue, jobId, 90_000);
    expect(job.failedReason).toBeUndefined();
    expect(state).toBe('completed');
    summary = runSummarySchema.parse(job.returnvalue);

    const inProcess = await runCli(['run', '--json', campaignFile], { cwd: inProcessCwd });
    expect(inProcess.code).toBe(0);
    const reports = JSON.parse(inProcess.stdout) as Array<{ destinations: Array<{ segments: Array<{ sync: { outcomes: { added: number } } }> }> }>;
    inProcessAdded = reports[0]?.destinations[0]?.segments.reduce((sum, segment) => sum + segment.sync.outcomes.added, 0) ?? -1;
  }, 180_000);

  afterAll(async () => {
    await worker.close();
    await queue.close();
    await deletePrefix(settings.prefix);
    await rm(queueCwd, { recursive: true, force: true });
    await rm(inProcessCwd, { recursive: true, force: true });
  });

  it('writes the same audience files as the in-process run', async () => {
    const viaQueue = await csvFiles(join(queueCwd, 'out/audiences'));
    expect([...viaQueue.keys()]).toEqual(['new-arrivals-footwear.csv', 'new-arrivals-jewelry.csv']);
    expect(viaQueue).toEqual(await csvFiles(join(inProcessCwd, 'out/audiences')));
  });

  it('sums the run up with the same counts', () => {
    expect(summary.segments).toMatchObject({ segments: 2, destinations: ['file'] });
    expect(summary.destinations).toHaveLength(1);
    expect(summary.destinations[0]?.state).toBe('completed');
    expect(summary.outcomes.added).toBe(inProcessAdded);
    expect(summary.outcomes.added).toBe(summary.segments?.members);
    expect(summary.outcomes.failed).toBe(0);
  });
});
