/**
 * The history's read functions and retention on the real store (SQLite and PostgreSQL), fed with
 * run reports the way a run records them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeRunHistory } from '../src/history/complete-run-history.js';
import { listRuns } from '../src/history/list-runs.js';
import { memberCountsOverTime } from '../src/history/member-counts-over-time.js';
import { historyRetentionDays, pruneHistory } from '../src/history/prune-history.js';
import { silentLogger } from '../src/core/logger.js';
import type { CampaignReport } from '../src/pipeline/run-campaign.js';
import type { StateStore } from '../src/state/state-store.js';
import { createTestStateLocation, stateStoreKinds, type TestStateLocation } from './helpers/state-stores.js';

/** A report of a run that synced `members[i]` members into segment i's file. */
function report(runId: string, startedAt: string, members: number[]): CampaignReport {
  const labels = ['outdoor', 'kitchen', 'jewelry'];
  return {
    campaign: 'shop',
    file: '/campaigns/shop.yaml',
    type: 'new-items',
    runId,
    dryRun: false,
    segments: members.map((count, index) => ({ label: labels[index]!, query: `ITEMS.CATEGORY_L1 = "${labels[index]}"`, usersInSegment: count + 2, matched: count, unmatched: 2, members: count, mergedDuplicates: 0, error: null })),
    notes: [],
    destinations: [
      {
        destinationIndex: 0,
        connector: 'file',
        mode: 'mirror',
        segments: members.map((count, index) => ({
          segment: labels[index]!,
          sync: {
            connector: 'file',
            mode: 'mirror' as const,
            dryRun: false,
            snapshot: true,
            audience: { id: `/out/shop-${labels[index]}.csv`, name: `shop-${labels[index]}`, created: false, location: `/out/shop-${labels[index]}.csv` },
            membersPlanned: count,
            plan: { add: count, remove: 0, unchanged: 0, chunks: 1 },
            outcomes: { added: count, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 },
            skipReasons: {},
            failureCodes: {},
            chunksResumed: 0,
            fullResync: false,
            recovered: 0,
            retries: 0,
            rateLimitWaits: 0,
            durationMs: 5,
          },
        })),
      },
    ],
    startedAt,
    durationMs: 1200,
  };
}

async function record(store: StateStore, runReport: CampaignReport): Promise<void> {
  await store.startRun({ runId: runReport.runId, campaign: runReport.campaign, trigger: 'schedule', dryRun: false, startedAt: new Date(runReport.startedAt) });
  await completeRunHistory({ store, report: runReport, env: {}, logger: silentLogger });
  await store.finishRun(runReport.runId, { status: 'succeeded', report: runReport, exitCode: 0, finishedAt: new Date(Date.parse(runReport.startedAt) + runReport.durationMs) });
}

describe.each(stateStoreKinds)('history read functions on %s', (kind) => {
  let location: TestStateLocation;
  let store: StateStore;

  beforeAll(async () => {
    location = await createTestStateLocation(kind);
    store = await location.open();
    const now = Date.now();
    const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();
    await record(store, report('shop-old', daysAgo(500), [100, 100]));
    await record(store, report('shop-1', daysAgo(5), [120, 80]));
    await record(store, report('shop-2', daysAgo(2), [130, 40, 10]));
    await record(store, report('shop-3', daysAgo(1), [125, 45, 12]));
  });
  afterAll(async () => {
    await store.close();
    await location.dispose();
  });

  it('listRuns: newest first, with totals, match rate and the change vs the previous run', async () => {
    const runs = await listRuns(store, { campaign: 'shop', limit: 2 });
    expect(runs.map((run) => [run.runId, run.trigger, run.status, run.segments, run.members, run.added, run.memberChange, run.previousRunId, run.durationMs])).toEqual([
      ['shop-3', 'schedule', 'succeeded', 3, 182, 182, 2, 'shop-2', 1200],
      ['shop-2', 'schedule', 'succeeded', 3, 180, 180, -20, 'shop-1', 1200],
    ]);
    expect(runs[0]?.matchRate).toBeCloseTo(182 / 188, 10);
  });

  it('memberCountsOverTime: one point per audience and run, oldest first', async () => {
    const points = await memberCountsOverTime(store, { campaign: 'shop', since: new Date(Date.now() - 10 * 86_400_000).toISOString() });
    expect(points.map((point) => [point.runId, point.audience, point.members])).toEqual([
      ['shop-1', 'shop-outdoor', 120],
      ['shop-1', 'shop-kitchen', 80],
      ['shop-2', 'shop-outdoor', 130],
      ['shop-2', 'shop-kitchen', 40],
      ['shop-2', 'shop-jewelry', 10],
      ['shop-3', 'shop-outdoor', 125],
      ['shop-3', 'shop-kitchen', 45],
      ['shop-3', 'shop-jewelry', 12],
    ]);
  });

  it('pruneHistory deletes what is past retention (the old run was already pruned by the runs after it)', async () => {
    expect((await store.getRun('shop-old'))).toBeUndefined();
    expect(await pruneHistory(store, 3)).toEqual({ runs: 1, failedRecords: 0 });
    expect((await listRuns(store, { campaign: 'shop' })).map((run) => run.runId)).toEqual(['shop-3', 'shop-2']);
    expect((await memberCountsOverTime(store, { campaign: 'shop' })).filter((point) => point.runId === 'shop-1')).toEqual([]);
  });

  it('reads the retention from AFFINITY_HISTORY_RETENTION_DAYS (default about 13 months)', () => {
    expect(historyRetentionDays({})).toBe(400);
    expect(historyRetentionDays({ AFFINITY_HISTORY_RETENTION_DAYS: '90' })).toBe(90);
    expect(() => historyRetentionDays({ AFFINITY_HISTORY_RETENTION_DAYS: '3 months' })).toThrow('AFFINITY_HISTORY_RETENTION_DAYS: expected a whole number of days, at least 1 (default 400), got "3 months"');
  });
});
