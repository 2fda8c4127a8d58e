/**
 * The controls that remember across runs, on the real sync-state store (SQLite and PostgreSQL):
 * frequency caps and exclusivity across campaigns run in sequence and through the queue, holdout
 * assignments recorded with their first entry, and `lift` reading them from the store.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../src/campaign/load-campaign.js';
import { KyselyControlsStore } from '../src/controls/kysely-controls-store.js';
import { silentLogger } from '../src/core/logger.js';
import { runCampaign, type CampaignReport } from '../src/pipeline/run-campaign.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { startCampaignWorker } from '../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../src/queue/default-pipeline.js';
import type { StateStore } from '../src/state/state-store.js';
import { controlsWorkspace, writeCampaign } from './helpers/controls-fixture.js';
import { deletePrefix, uniqueQueueSettings, waitForJobEnd } from './helpers/queue-redis.js';
import { runCli } from './helpers/run-cli.js';
import { createTestStateStore, stateStoreKinds } from './helpers/state-stores.js';

type Workspace = Awaited<ReturnType<typeof controlsWorkspace>>;

async function userIdsOf(file: string): Promise<Set<string>> {
  const rows = parse<{ user_id: string }>(await readFile(file, 'utf8'), { columns: true });
  return new Set(rows.flatMap((row) => row.user_id.split('|')));
}

const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((id) => b.has(id)).length;

describe.each(stateStoreKinds)('controls on the %s state store', (kind) => {
  let workspace: Workspace;
  let state: StateStore;
  let dispose: () => Promise<void>;
  let location: { env: Record<string, string>; stateDir: string };
  const cap = ['frequencyCap: { maxAudiences: 2, window: 7d }'];
  const one = { categories: ['cat-00'], numResults: 50 };

  beforeAll(async () => {
    workspace = await controlsWorkspace();
    await mkdir(workspace.campaigns);
    ({ store: state, dispose, location } = await createTestStateStore(kind));
  }, 60_000);
  afterAll(async () => {
    await dispose();
    await rm(workspace.cwd, { recursive: true, force: true });
  });

  async function run(name: string): Promise<CampaignReport> {
    const loaded = await loadCampaign(join(workspace.campaigns, `${name}.yaml`));
    return runCampaign(loaded, { env: {}, logger: silentLogger, stateDir: join(workspace.cwd, '.state'), cwd: workspace.cwd, dryRun: false, state });
  }
  const audience = (name: string) => userIdsOf(join(workspace.cwd, 'out', `${name}-cat-00.csv`));

  it('caps users at maxAudiences across three campaigns run in sequence; the next-ranked take their places', async () => {
    for (const name of ['first', 'second', 'third']) await writeCampaign(workspace.campaigns, name, cap, one);
    const first = await run('first');
    const second = await run('second');
    const third = await run('third');
    expect(first.segments[0]!.controls!.frequencyCapped).toBe(0);
    expect(second.segments[0]!.controls!.frequencyCapped).toBe(0);
    // The same query ranks the same users: the first two campaigns placed them twice already.
    expect(third.segments[0]!.controls!.frequencyCapped).toBe(50);
    expect(third.segments[0]!.usersInSegment).toBe(50);
    const [a, b, c] = [await audience('first'), await audience('second'), await audience('third')];
    expect(overlap(a, b)).toBe(a.size);
    expect(overlap(a, c)).toBe(0);
    // An audience a user is already in does not count against itself: a re-run keeps its members.
    const again = await run('first');
    expect(again.segments[0]!.controls!.frequencyCapped).toBe(0);
    expect(await audience('first')).toEqual(a);
  }, 120_000);

  it('keeps exclusive campaigns apart: the earlier run wins, a higher priority takes the users back', async () => {
    await writeCampaign(workspace.campaigns, 'base', [], one);
    await writeCampaign(workspace.campaigns, 'rival', ['exclusiveWith: [base]'], one);
    await run('base');
    const rival = await run('rival');
    expect(rival.segments[0]!.controls!.exclusive).toBe(50);
    expect(overlap(await audience('base'), await audience('rival'))).toBe(0);

    await writeCampaign(workspace.campaigns, 'vip', ['exclusiveWith: [base]', 'priority: 5'], one);
    const vip = await run('vip');
    expect(vip.segments[0]!.controls!.exclusive).toBe(0);
    const baseUsers = await audience('base');
    expect(overlap(baseUsers, await audience('vip'))).toBe(baseUsers.size);
    // base names nobody, but vip and rival name base: at its next run base loses vip's users (higher
    // priority) and rival's (equal priority: rival's latest run holds them now), and takes the next 50.
    const base = await run('base');
    expect(base.segments[0]!.controls!.exclusive).toBe(100);
    const rebased = await audience('base');
    expect(overlap(rebased, await audience('vip'))).toBe(0);
    expect(overlap(rebased, await audience('rival'))).toBe(0);
  }, 120_000);

  it('records holdout assignments with their first entry, stable across runs, and lift reads them from the store', async () => {
    await writeCampaign(workspace.campaigns, 'held', ['holdout: { share: 0.3 }'], { categories: ['cat-00'], numResults: 120 });
    const first = await run('held');
    const controls = new KyselyControlsStore(state.db);
    const recorded = await controls.assignments('held');
    expect(recorded).toHaveLength(120);
    expect(recorded.filter((a) => a.arm === 'control')).toHaveLength(first.segments[0]!.controls!.holdout!.control);
    expect(recorded.every((a) => a.runId === first.runId && a.query === JSON.stringify({ itemAttributes: 'ITEMS.CATEGORY = "cat-00"' }))).toBe(true);
    const synced = await audience('held');
    // Control users reach no audience; every treatment user with an email does.
    for (const a of recorded) if (a.arm === 'control') expect(synced.has(a.userId)).toBe(false);
    expect(recorded.filter((a) => a.arm === 'treatment' && synced.has(a.userId))).toHaveLength(first.segments[0]!.matched);

    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await run('held');
    const after = await controls.assignments('held');
    expect(after).toHaveLength(120);
    expect(after.map((a) => [a.userId, a.arm, a.firstEnteredAt.toISOString(), a.runId])).toEqual(recorded.map((a) => [a.userId, a.arm, a.firstEnteredAt.toISOString(), a.runId]));
    expect(second.segments[0]!.controls!.holdout).toEqual(first.segments[0]!.controls!.holdout);
    const placements = await controls.placementsSince(new Date(0));
    expect(placements.filter((p) => p.campaign === 'held' && p.runId === first.runId)).toHaveLength(first.segments[0]!.controls!.holdout!.treatment);

    // The CLI opens the same store (the SQLite file in the state dir, or AFFINITY_STATE_URL).
    const lift = await runCli(['lift', '--json', '--campaign', join(workspace.campaigns, 'held.yaml'), '--event', 'any', '--state-dir', location.stateDir], {
      cwd: workspace.cwd,
      env: { LOG_LEVEL: 'silent', ...location.env },
    });
    expect(lift.stderr).toBe('');
    const report = JSON.parse(lift.stdout) as { segments: Array<{ segment: string; treatment: { users: number }; control: { users: number } }> };
    expect(report.segments.map((segment) => [segment.segment, segment.treatment.users, segment.control.users])).toEqual([
      ['cat-00', first.segments[0]!.controls!.holdout!.treatment, first.segments[0]!.controls!.holdout!.control],
    ]);
  }, 120_000);
});

describe('frequency caps through the queue', () => {
  it('three campaigns enqueued one after the other share the cap through the store', async () => {
    const workspace = await controlsWorkspace();
    await mkdir(workspace.campaigns);
    const { store: state, dispose } = await createTestStateStore('postgres');
    const settings = uniqueQueueSettings();
    const queue = await CampaignQueue.open(settings);
    const worker = await startCampaignWorker({ settings, pipeline: createDefaultPipeline(), env: {}, logger: silentLogger, stateDir: join(workspace.cwd, '.state'), cwd: workspace.cwd, concurrency: 1, state });
    try {
      for (const name of ['q1', 'q2', 'q3']) {
        const campaignFile = await writeCampaign(workspace.campaigns, name, ['frequencyCap: { maxAudiences: 2, window: 7d }'], { categories: ['cat-00'], numResults: 40 });
        const { jobId } = await queue.enqueue({ campaign: name, campaignFile });
        const { job, state: jobState } = await waitForJobEnd(queue.queue, jobId, 90_000);
        expect(job.failedReason).toBeUndefined();
        expect(jobState).toBe('completed');
      }
      const [a, b, c] = await Promise.all(['q1', 'q2', 'q3'].map((name) => userIdsOf(join(workspace.cwd, 'out', `${name}-cat-00.csv`))));
      expect(overlap(a!, b!)).toBe(a!.size);
      expect(overlap(a!, c!)).toBe(0);
      expect(c!.size).toBeGreaterThan(30);
    } finally {
      await worker.close();
      await queue.close();
      await deletePrefix(settings.prefix);
      await dispose();
      await rm(workspace.cwd, { recursive: true, force: true });
    }
  }, 180_000);
});
