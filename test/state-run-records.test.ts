/**
 * Every run gets a row in the sync-state store, with its trigger and final report: in-process
 * `run` and queued runs, on SQLite and on PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import type { CampaignReport } from '../src/pipeline/run-campaign.js';
import { claimNewRunId } from '../src/pipeline/run-id.js';
import type { DestinationReport } from '../src/pipeline/sync-campaign-destination.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startCampaignWorker } from '../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../src/queue/default-pipeline.js';
import { runSummarySchema } from '../src/queue/job-data.js';
import type { RunRecord, StateStore } from '../src/state/state-store.js';
import { recordRun } from '../src/state/record-run.js';
import { listRuns } from '../src/history/list-runs.js';
import { deletePrefix, uniqueQueueSettings, waitForJobEnd } from './helpers/queue-redis.js';
import { runCli } from './helpers/run-cli.js';
import { createTestStateLocation, stateStoreKinds, type TestStateLocation } from './helpers/state-stores.js';

const repo = resolve(import.meta.dirname, '..');
const campaignFile = join(repo, 'config/campaigns/new-items.yaml');

function addedBySegment(report: CampaignReport): number[] {
  const destination = report.destinations[0] as DestinationReport;
  return destination.segments.map((segment) => segment.sync?.outcomes.added ?? -1);
}

describe.each(stateStoreKinds)('run records on %s', (kind) => {
  let location: TestStateLocation;
  let store: StateStore;
  let cwd: string;
  let fileHash: string;

  beforeAll(async () => {
    location = await createTestStateLocation(kind);
    store = await location.open();
    cwd = await mkdtemp(join(tmpdir(), 'state-runs-'));
    fileHash = createHash('sha256').update(await readFile(campaignFile)).digest('hex');
  });
  afterAll(async () => {
    await store.close();
    await location.dispose();
    await rm(cwd, { recursive: true, force: true });
  });

  it('records an in-process run (trigger cli) with its report, and a dry run as one', async () => {
    const env = { ...process.env, LOG_LEVEL: 'silent', ...location.env };
    const result = await runCli(['run', '--json', '--state-dir', location.stateDir, campaignFile], { cwd, env });
    expect(result.code).toBe(0);
    const printed = (JSON.parse(result.stdout) as CampaignReport[])[0]!;
    expect(result.stderr).toBe(`started run ${printed.runId} (new-arrivals)\n`);
    // Run ids are to the second: the dry run starts in the next one.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const dry = await runCli(['run', '--json', '--dry-run', '--state-dir', location.stateDir, campaignFile], { cwd, env });
    expect(dry.code).toBe(0);
    const dryRunId = (JSON.parse(dry.stdout) as CampaignReport[])[0]!.runId;

    const run = (await store.getRun(printed.runId)) as RunRecord;
    expect(run).toMatchObject({ campaign: 'new-arrivals', trigger: 'cli', status: 'succeeded', dryRun: false, exitCode: 0, error: null, campaignFileHash: fileHash });
    expect(Date.parse(run.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
    const report = run.report as CampaignReport;
    expect(report.segments.map((segment) => [segment.label, segment.members])).toEqual(printed.segments.map((segment) => [segment.label, segment.members]));
    expect(addedBySegment(report)).toEqual(addedBySegment(printed));
    expect(addedBySegment(report).every((added) => added > 0)).toBe(true);
    expect(JSON.stringify(report)).not.toMatch(/@/);

    expect(await store.getRun(dryRunId)).toMatchObject({ trigger: 'cli', status: 'succeeded', dryRun: true });
    expect((await store.listRuns({ campaign: 'new-arrivals' })).map((record) => record.runId)).toEqual([dryRunId, printed.runId]);
  });

  it('records an interrupted run (Ctrl-C aborts its requests) as interrupted, exit 130, without "AbortError:"', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const runId = `interrupted-${kind}-${Date.now()}`;
    const run = { runId, campaign: 'interrupted', trigger: 'cli' as const, dryRun: false, startedAt: new Date() };
    // What a run's request does once Ctrl-C aborted it: fetch rejects with a DOMException named AbortError.
    const body = () => fetch('http://127.0.0.1:9/', { signal: interrupt.signal });
    await expect(recordRun(store, run, body, () => ({ status: 'succeeded', exitCode: 0 }), interrupt.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(await store.getRun(runId)).toMatchObject({ status: 'interrupted', exitCode: 130, error: 'interrupted (Ctrl-C)' });
    const [entry] = await listRuns(store, { campaign: 'interrupted' });
    expect(entry).toMatchObject({ runId, status: 'interrupted', error: 'interrupted (Ctrl-C)' });
  });

  it('claims a new id for each run started in the same second, even when they claim at once', async () => {
    const at = new Date('2026-12-03T10:00:00.400Z');
    const claim = () => claimNewRunId(store, 'same-second', { trigger: 'cli', dryRun: false, at });
    expect(await claim()).toBe('same-second-20261203T100000Z');
    expect(await claim()).toBe('same-second-20261203T100000Z-2');
    const atOnce = await Promise.all([claim(), claim(), claim()]);
    expect([...atOnce].sort()).toEqual(['same-second-20261203T100000Z-3', 'same-second-20261203T100000Z-4', 'same-second-20261203T100000Z-5']);
    const runs = await store.listRuns({ campaign: 'same-second' });
    expect(runs).toHaveLength(5);
    expect(runs.every((run) => run.status === 'running' && run.trigger === 'cli')).toBe(true);
  });

  it('records a queued run (trigger enqueue) with the report assembled from its jobs', async () => {
    const settings = uniqueQueueSettings();
    const queue = await CampaignQueue.open(settings);
    const worker = await startCampaignWorker({ settings, pipeline: createDefaultPipeline(), env: {}, logger: silentLogger, stateDir: location.stateDir, state: store, cwd, concurrency: 2 });
    try {
      const { jobId } = await queue.enqueue({ campaign: 'new-arrivals', campaignFile });
      const { job, state } = await waitForJobEnd(queue.queue, jobId, 90_000);
      expect(state).toBe('completed');
      const summary = runSummarySchema.parse(job.returnvalue);
      const run = (await store.getRun(summary.runId)) as RunRecord;
      expect(run).toMatchObject({ campaign: 'new-arrivals', trigger: 'enqueue', status: 'succeeded', dryRun: false, exitCode: 0, campaignFileHash: fileHash });
      const report = run.report as CampaignReport;
      expect(report).toMatchObject({ campaign: 'new-arrivals', type: 'new-items', runId: summary.runId, file: campaignFile });
      expect(report.segments.map((segment) => segment.label)).toEqual(['footwear', 'jewelry']);
      expect(addedBySegment(report).reduce((sum, added) => sum + added, 0)).toBe(summary.outcomes.added);
      expect(summary.outcomes.added).toBeGreaterThan(0);
    } finally {
      await worker.close();
      await queue.close();
      await deletePrefix(settings.prefix);
    }
  });
});
