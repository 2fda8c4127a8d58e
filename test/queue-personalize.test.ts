/**
 * A Personalize campaign through the queue: while the batch segment jobs run, the segment job is a
 * delayed re-check (BullMQ `moveToDelayed`), not a worker blocked on a poll loop.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { segmentsJobId } from '../src/queue/campaign-processor.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startCampaignWorker, type CampaignWorker } from '../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../src/queue/default-pipeline.js';
import { runSummarySchema, segmentsJobDataSchema } from '../src/queue/job-data.js';
import type { QueueSettings } from '../src/queue/queue-settings.js';
import { useExampleAwsCredentials } from './helpers/example-aws-credentials.js';
import { startFakePersonalize, type FakePersonalize } from './helpers/fake-personalize.js';
import { deletePrefix, uniqueQueueSettings, waitForJobEnd } from './helpers/queue-redis.js';

const repo = resolve(import.meta.dirname, '..');
let fake: FakePersonalize;
let settings: QueueSettings;
let cwd: string;
let queue: CampaignQueue;
let worker: CampaignWorker;

useExampleAwsCredentials();

beforeEach(async () => {
  fake = await startFakePersonalize({ jobDurationMs: 600 });
  settings = uniqueQueueSettings();
  cwd = await mkdtemp(join(tmpdir(), 'queue-personalize-'));
  queue = await CampaignQueue.open(settings);
});

afterEach(async () => {
  await worker.close();
  await queue.close();
  await fake.close();
  await deletePrefix(settings.prefix);
  await rm(cwd, { recursive: true, force: true });
});

it('delays the segment job while the batch segment jobs run, then syncs their segments', async () => {
  await copyFile(join(repo, 'config/campaigns/new-items.csv'), join(cwd, 'new-items.csv'));
  const campaign = (await readFile(join(repo, 'config/campaigns/new-items.yaml'), 'utf8'))
    .replace(/^data: .*$/m, `data: ${join(repo, 'data/retail-demo-store')}`)
    .replace(
      /^segment:[\s\S]*?(?=^destinations:)/m,
      [
        'segment:',
        '  provider: personalize',
        '  numResults: 25',
        '  solutionVersionArn: arn:aws:personalize:eu-west-1:123456789012:solution/retail-attribute-affinity/9a8b7c6d',
        '  roleArn: arn:aws:iam::123456789012:role/PersonalizeS3Access',
        '  s3: { bucket: affinity-demo, prefix: segments }',
        '  pollIntervalMs: 100',
        '  maxPollIntervalMs: 100',
        '',
        '',
      ].join('\n'),
    );
  const file = join(cwd, 'personalize.yaml');
  await writeFile(file, campaign);

  worker = await startCampaignWorker({
    settings,
    pipeline: createDefaultPipeline(),
    env: { ...process.env, AWS_ENDPOINT_URL: fake.url },
    logger: silentLogger,
    stateDir: join(cwd, '.state'),
    cwd,
  });
  const { jobId } = await queue.enqueue({ campaign: 'new-arrivals', campaignFile: file });
  const { job, state } = await waitForJobEnd(queue.queue, jobId, 60_000);
  expect(job.failedReason).toBeUndefined();
  expect(state).toBe('completed');

  const segmentsJob = await queue.queue.getJob(segmentsJobId(jobId));
  const data = segmentsJobDataSchema.parse(segmentsJob?.data);
  // At least one re-check while the fake's 600 ms jobs ran; attempts untouched by the delays.
  expect(data.checks).toBeGreaterThanOrEqual(1);
  expect(data.stepState).toEqual({ rounds: data.checks });
  expect(segmentsJob?.attemptsMade).toBe(1);

  const summary = runSummarySchema.parse(job.returnvalue);
  expect(summary.segments).toMatchObject({ segments: 2, destinations: ['file'] });
  expect(summary.outcomes.added).toBe(summary.segments?.members);
  expect(summary.outcomes.added).toBeGreaterThan(25);
  const footwear = await readFile(join(cwd, 'out/audiences/new-arrivals-footwear.csv'), 'utf8');
  expect(footwear.trim().split('\n')).toHaveLength(26);
});

