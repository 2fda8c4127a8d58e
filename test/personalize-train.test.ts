import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { startFakePersonalize, type FakePersonalize } from './helpers/fake-personalize.js';

const savedEnv = { ...process.env };
let fake: FakePersonalize;

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_PERSONALIZE', 'AWS_PROFILE']) delete process.env[name];
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(async () => {
  fake = await startFakePersonalize({ trainingDurationMs: 40 });
});
afterEach(async () => {
  await fake.close();
});

describe('affinity-sync personalize train', () => {
  it('creates a solution and a FULL solution version, waits for ACTIVE and prints the metrics', async () => {
    const stdout = capture();
    const stderr = capture();
    const argv = ['node', 'affinity-sync', 'personalize', 'train', '--dataset-group-arn', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail', '--recipe', 'item-attribute-affinity', '--poll-interval-ms', '10'];

    const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, env: { AWS_ENDPOINT_URL: fake.url }, cwd: process.cwd() });

    expect(code).toBe(0);
    expect(fake.calls.filter((call) => call.startsWith('personalize:Create'))).toEqual(['personalize:CreateSolution', 'personalize:CreateSolutionVersion']);
    const text = stdout.text();
    expect(text).toContain('solution:         arn:aws:personalize:us-east-1:123456789012:solution/retail-item-attribute-affinity\n');
    expect(text).toMatch(/solution version: arn:aws:personalize:us-east-1:123456789012:solution\/retail-item-attribute-affinity\/[0-9a-f]{8} {2}\(use it as segment\.solutionVersionArn\)/);
    expect(text).toMatch(/│ coverage +│ 0\.6835 +│/);
    expect(text).toMatch(/│ hits_at_1_percent +│ 0\.3230 +│/);
    expect(text).toMatch(/│ recall_at_1_percent +│ 0\.0752 +│/);
    expect(stderr.text().split('\n')).toContain('solution version: ACTIVE');
  });

  it('refuses a solution ARN where the dataset group ARN belongs, before any call', async () => {
    const stdout = capture();
    const stderr = capture();
    const argv = ['node', 'affinity-sync', 'personalize', 'train', '--dataset-group-arn', 'arn:aws:personalize:us-east-1:123456789012:solution/retail', '--recipe', 'item-affinity'];

    const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, env: { AWS_ENDPOINT_URL: fake.url }, cwd: process.cwd() });

    expect(code).toBe(2);
    expect(stderr.text()).toBe(
      'error: --dataset-group-arn: expected a dataset group ARN (arn:aws:personalize:<region>:<account>:dataset-group/<name>), got a solution ARN\n',
    );
    expect(fake.calls).toEqual([]);
  });
});
