import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { personalizeProvider } from '../src/personalize/personalize-provider-definition.js';
import { personalizeConfigSchema } from '../src/personalize/personalize-config.js';
import type { SegmentQuery } from '../src/segments/segment-provider.js';
import { useExampleAwsCredentials } from './helpers/example-aws-credentials.js';
import { hashSegmenter, startFakePersonalize, type FakePersonalize } from './helpers/fake-personalize.js';

let fake: FakePersonalize;
let stateDir: string;

useExampleAwsCredentials();
beforeEach(async () => {
  fake = await startFakePersonalize({ jobDurationMs: 60 });
  stateDir = await mkdtemp(join(tmpdir(), 'personalize-e2e-'));
});
afterEach(async () => {
  await fake.close();
  await rm(stateDir, { recursive: true, force: true });
});

function provider() {
  const config = personalizeConfigSchema.parse({
    provider: 'personalize',
    solutionVersionArn: 'arn:aws:personalize:eu-west-1:123456789012:solution/retail-attribute-affinity/9a8b7c6d',
    roleArn: 'arn:aws:iam::123456789012:role/PersonalizeS3Access',
    s3: { bucket: 'affinity-demo', prefix: 'segments' },
    pollIntervalMs: 10,
    maxPollIntervalMs: 40,
  });
  // The endpoint comes from the environment, the standard way.
  return personalizeProvider.create(config, { datasets: () => Promise.reject(new Error('unused')), env: { AWS_ENDPOINT_URL: fake.url }, logger: silentLogger, baseDir: '.', stateDir });
}

describe('personalize provider against the local fake (real HTTP, SDK clients, path-style S3)', () => {
  it('runs 12 attribute queries as 2 batch segment jobs and returns each query its users', async () => {
    const categories = ['furniture', 'apparel', 'accessories', 'housewares', 'seasonal', 'groceries', 'homedecor', 'footwear', 'instruments', 'floral', 'electronics', 'outdoors'];
    const queries: SegmentQuery[] = categories.map((category) => ({ itemAttributes: `ITEMS.CATEGORY_L1 = "${category}"` }));
    const progress: string[] = [];

    const results = await provider().generate(queries, { numResults: 5, runId: 'new-arrivals-20241216T020151Z', onProgress: (event) => progress.push(`${event.done}/${event.total}`) });

    expect(results.map((result) => result.input)).toEqual(queries);
    for (const [index, result] of results.entries()) {
      expect(result.error).toBeNull();
      expect(result.output.usersList).toEqual((hashSegmenter(queries[index]!, 5) as { usersList: string[] }).usersList);
    }
    expect(progress).toEqual(['0/2', '1/2', '2/2']);
    expect([...fake.jobs.keys()].sort()).toEqual(['new-arrivals-20241216T020151Z-p1', 'new-arrivals-20241216T020151Z-p2']);
    expect([...fake.objects.keys()].sort()).toEqual([
      'affinity-demo/segments/new-arrivals-20241216T020151Z/input/part-1.json',
      'affinity-demo/segments/new-arrivals-20241216T020151Z/input/part-2.json',
      'affinity-demo/segments/new-arrivals-20241216T020151Z/output/part-1/part-1.json.out',
      'affinity-demo/segments/new-arrivals-20241216T020151Z/output/part-2/part-2.json.out',
    ]);
    expect(fake.calls.filter((call) => call === 'personalize:CreateBatchSegmentJob')).toHaveLength(2);
    expect(fake.jobs.get('new-arrivals-20241216T020151Z-p1')?.batchSegmentJobArn).toBe(
      'arn:aws:personalize:eu-west-1:123456789012:batch-segment-job/new-arrivals-20241216T020151Z-p1',
    );
  });

  it('gives the same results on a second run with the same run id, without creating any job again', async () => {
    const queries: SegmentQuery[] = [{ itemAttributes: 'ITEMS.CATEGORY_L1 = "footwear"' }];
    const first = await provider().generate(queries, { numResults: 3, runId: 'rerun-1' });
    const creates = fake.calls.filter((call) => call === 'personalize:CreateBatchSegmentJob').length;

    const second = await provider().generate(queries, { numResults: 3, runId: 'rerun-1' });

    expect(second).toEqual(first);
    expect(creates).toBe(1);
    expect(fake.calls.filter((call) => call === 'personalize:CreateBatchSegmentJob')).toHaveLength(1);
  });
});
