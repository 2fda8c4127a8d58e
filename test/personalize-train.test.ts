import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useExampleAwsCredentials } from './helpers/example-aws-credentials.js';
import { startFakePersonalize, type FakePersonalize } from './helpers/fake-personalize.js';
import { runCli } from './helpers/run-cli.js';

let fake: FakePersonalize;

useExampleAwsCredentials();
beforeEach(async () => {
  fake = await startFakePersonalize({ trainingDurationMs: 40 });
});
afterEach(async () => {
  await fake.close();
});

describe('affinity-sync personalize train', () => {
  it('creates a solution and a FULL solution version, waits for ACTIVE and prints the metrics', async () => {
    const argv = ['personalize', 'train', '--dataset-group-arn', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail', '--recipe', 'item-attribute-affinity', '--poll-interval-ms', '10'];

    const { code, stdout: text, stderr } = await runCli(argv, { env: { AWS_ENDPOINT_URL: fake.url } });

    expect(code).toBe(0);
    expect(fake.calls.filter((call) => call.startsWith('personalize:Create'))).toEqual(['personalize:CreateSolution', 'personalize:CreateSolutionVersion']);
    expect(text).toContain('solution:         arn:aws:personalize:us-east-1:123456789012:solution/retail-item-attribute-affinity\n');
    expect(text).toMatch(/solution version: arn:aws:personalize:us-east-1:123456789012:solution\/retail-item-attribute-affinity\/[0-9a-f]{8} {2}\(use it as segment\.solutionVersionArn\)/);
    expect(text).toMatch(/│ coverage +│ 0\.6835 +│/);
    expect(text).toMatch(/│ hits_at_1_percent +│ 0\.3230 +│/);
    expect(text).toMatch(/│ recall_at_1_percent +│ 0\.0752 +│/);
    expect(stderr.split('\n')).toContain('solution version: ACTIVE');
  });

  it('refuses a solution ARN where the dataset group ARN belongs, before any call', async () => {
    const argv = ['personalize', 'train', '--dataset-group-arn', 'arn:aws:personalize:us-east-1:123456789012:solution/retail', '--recipe', 'item-affinity'];

    const { code, stderr } = await runCli(argv, { env: { AWS_ENDPOINT_URL: fake.url } });

    expect(code).toBe(2);
    expect(stderr).toBe(
      'error: --dataset-group-arn: expected a dataset group ARN (arn:aws:personalize:<region>:<account>:dataset-group/<name>), got a solution ARN\n',
    );
    expect(fake.calls).toEqual([]);
  });
});
