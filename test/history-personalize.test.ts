/**
 * `runs show` of a run whose segments came from Amazon Personalize (the local stand-in): the
 * solution version and the batch segment job ARNs are in the history, on SQLite and PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail } from '../src/history/get-run.js';
import { useExampleAwsCredentials } from './helpers/example-aws-credentials.js';
import { startFakePersonalize, type FakePersonalize } from './helpers/fake-personalize.js';
import { runCli } from './helpers/run-cli.js';
import { createTestStateLocation, stateStoreKinds, type TestStateLocation } from './helpers/state-stores.js';

const campaign = join(import.meta.dirname, 'fixtures', 'personalize', 'new-arrivals-personalize.yaml');

useExampleAwsCredentials();

describe.each(stateStoreKinds)('runs show of a Personalize run on %s', (kind) => {
  let fake: FakePersonalize;
  let location: TestStateLocation;
  let cwd: string;
  beforeAll(async () => {
    fake = await startFakePersonalize({ jobDurationMs: 50 });
    location = await createTestStateLocation(kind);
    cwd = await mkdtemp(join(tmpdir(), 'history-personalize-'));
  });
  afterAll(async () => {
    await fake.close();
    await location.dispose();
    await rm(cwd, { recursive: true, force: true });
  });

  it('names the solution version and the batch segment job', async () => {
    const env = { ...process.env, LOG_LEVEL: 'silent', AWS_ENDPOINT_URL: fake.url, ...location.env };
    const run = await runCli(['run', '--json', '--state-dir', location.stateDir, campaign], { cwd, env });
    expect(run.code).toBe(0);
    const runId = (JSON.parse(run.stdout) as Array<{ runId: string }>)[0]!.runId;
    const shown = await runCli(['runs', 'show', runId, '--json', '--state-dir', location.stateDir], { cwd, env });
    expect(shown.code).toBe(0);
    const detail = JSON.parse(shown.stdout) as RunDetail;
    const [job] = [...fake.jobs.values()];
    expect(detail.provenance).toEqual({
      provider: 'personalize',
      solutionVersionArn: 'arn:aws:personalize:us-east-1:123456789012:solution/retail-item-attribute-affinity/4f1d2c3b',
      batchSegmentJobArns: [job!.batchSegmentJobArn],
    });
    expect(detail.results.map((result) => [result.segment, result.outcome, result.members])).toEqual([
      ['footwear', 'synced', 50],
      ['jewelry', 'synced', 50],
    ]);
    const text = await runCli(['runs', 'show', runId, '--state-dir', location.stateDir], { cwd, env });
    expect(text.stdout).toContain('  segments: Amazon Personalize solution version arn:aws:personalize:us-east-1:123456789012:solution/retail-item-attribute-affinity/4f1d2c3b\n');
    expect(text.stdout).toContain(`    batch segment job ${job!.batchSegmentJobArn}\n`);
  });
});
