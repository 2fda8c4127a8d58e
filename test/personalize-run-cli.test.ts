import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useExampleAwsCredentials } from './helpers/example-aws-credentials.js';
import { hashSegmenter, startFakePersonalize, type FakePersonalize } from './helpers/fake-personalize.js';
import { runCli } from './helpers/run-cli.js';

const campaign = join(import.meta.dirname, 'fixtures', 'personalize', 'new-arrivals-personalize.yaml');
let fake: FakePersonalize;
let workDir: string;

useExampleAwsCredentials();
beforeEach(async () => {
  fake = await startFakePersonalize({ jobDurationMs: 50 });
  workDir = await mkdtemp(join(tmpdir(), 'personalize-run-'));
});
afterEach(async () => {
  await fake.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('affinity-sync run with segment.provider: personalize', () => {
  it('runs the campaign through a batch segment job at the endpoint the environment gives', async () => {
    const { code, stdout, stderr } = await runCli(['run', campaign, '--state-dir', join(workDir, 'state')], { env: { AWS_ENDPOINT_URL: fake.url }, cwd: workDir });

    expect(stderr).not.toContain('error');
    expect(code).toBe(0);
    expect(fake.calls.filter((call) => call.startsWith('personalize:'))[0]).toBe('personalize:CreateBatchSegmentJob');
    expect(fake.jobs.size).toBe(1);
    const [job] = [...fake.jobs.values()];
    expect(job?.status).toBe('ACTIVE');
    expect(job?.numResults).toBe(50);
    const input = fake.objects.get(job!.jobInput.s3DataSource.path.replace('s3://', ''))!.toString('utf8');
    expect(input).toBe('{"itemAttributes":"ITEMS.CATEGORY_L1 = \\"footwear\\""}\n{"itemAttributes":"ITEMS.CATEGORY_L1 = \\"jewelry\\""}\n');
    // The audience file lists the users of the segment in Personalize's order.
    const footwear = (await readFile(join(workDir, 'out', 'audiences', 'new-arrivals-personalize-footwear.csv'), 'utf8')).trim().split('\n');
    const expected = (hashSegmenter({ itemAttributes: 'ITEMS.CATEGORY_L1 = "footwear"' }, 50) as { usersList: string[] }).usersList;
    expect(footwear).toHaveLength(51);
    expect(footwear.slice(1, 4).map((line) => line.split(',')[1])).toEqual(expected.slice(0, 3));
    expect(stdout).toMatch(/│ footwear +│ 50 +│ 50 +│ 0 +│ 50 +│ file/);
  });
});
