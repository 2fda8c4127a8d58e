import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { buildUserItemMatrix } from '../src/engine/user-item-matrix.js';
import { bootstrapMean } from '../src/evaluation/bootstrap.js';
import { evaluateEngine, type EvaluationReport } from '../src/evaluation/evaluate-engine.js';
import { rankingMetrics } from '../src/evaluation/ranking-metrics.js';
import { splitByTime, splitPerUser } from '../src/evaluation/splits.js';
import { generateSynthetic } from '../src/synthetic/generate-synthetic.js';
import { interactionsOf } from './fixtures/two-taste-groups.js';

describe('ranking metrics', () => {
  it('computes hits, HR, precision, recall and NDCG by their definitions', () => {
    const relevant = new Set([3, 1, 7]);
    const m = rankingMetrics([5, 3, 9, 1], 2, (u) => relevant.has(u), relevant.size);
    expect(m.hits).toBe(1);
    expect(m.hitRate).toBe(1);
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBeCloseTo(1 / 3, 12);
    // DCG = 1/log2(3); ideal over min(K, |rel|) = 2 hits: 1 + 1/log2(3).
    expect(m.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
    const all = rankingMetrics([3, 1, 7], 3, (u) => relevant.has(u), 3);
    expect(all.ndcg).toBeCloseTo(1, 12);
    expect(rankingMetrics([5, 9], 2, (u) => relevant.has(u), 3)).toEqual({ hits: 0, hitRate: 0, precision: 0, recall: 0, ndcg: 0 });
  });
});

describe('bootstrap intervals', () => {
  it('gives a degenerate interval for constant values and a seeded, reproducible one otherwise', () => {
    expect(bootstrapMean([0.25, 0.25, 0.25])).toEqual({ mean: 0.25, low: 0.25, high: 0.25 });
    const values = Array.from({ length: 100 }, (_, q) => q % 2);
    const first = bootstrapMean(values);
    expect(first.mean).toBe(0.5);
    expect(first.low).toBeGreaterThan(0.38);
    expect(first.low).toBeLessThan(0.45);
    expect(first.high).toBeGreaterThan(0.55);
    expect(first.high).toBeLessThan(0.62);
    expect(bootstrapMean(values)).toEqual(first);
  });
});

describe('splits', () => {
  // User a: 10 items; user b: 4 items; user c: 1 item.
  const rows: Array<[string, string]> = [
    ...Array.from({ length: 10 }, (_, k): [string, string] => ['a', `i${k}`]),
    ...Array.from({ length: 4 }, (_, k): [string, string] => ['b', `i${k}`]),
    ['c', 'i0'],
  ];
  const matrix = buildUserItemMatrix(interactionsOf(rows));

  it('P holds out the newest ⌊20%⌋ of each user with at least 2 items', () => {
    const { train, test } = splitPerUser(matrix);
    expect(Array.from(test.userPtr)).toEqual([0, 2, 2, 2]);
    expect(Array.from(test.items)).toEqual([8, 9]);
    expect(train.items.length).toBe(13);
  });

  it('F cuts at the 90th percentile of time and drops late entries of one-item users', () => {
    const { train, test } = splitByTime(matrix);
    // 15 entries; the cut is the time of the 14th (index 13): b's i3, then c's i0 (dropped: c has 1 item).
    expect(Array.from(test.items)).toEqual([3]);
    expect(train.items.length).toBe(13);
  });
});

describe('evaluateEngine', () => {
  it('beats the activity baseline on planted tastes, with intervals above 0, for every query set', async () => {
    const data = generateSynthetic({ users: 800, items: 150, interactions: 16_000, categories: 6, seed: 3 });
    const report = await evaluateEngine(data.interactions, data.items, { splits: ['P'], resamples: 200, maxRelevantShare: 0.5 });
    expect(report.columns).toEqual(['CATEGORY', 'STYLE', 'AUDIENCE']);
    const recipes = report.splits[0]!.recipes;
    expect(recipes.map((r) => r.recipe)).toEqual(['item', 'attribute', 'cold']);
    for (const recipe of recipes) {
      expect(recipe.queries).toBeGreaterThan(3);
      const [model, activity, random] = recipe.methods;
      expect([model!.method, activity!.method, random!.method]).toEqual(['rp3beta', 'activity', 'random']);
      expect(model!.versusActivity.recall_at_1_percent!.low).toBeGreaterThan(0);
      expect(model!.versusActivity.ndcg_at_25!.low).toBeGreaterThan(0);
      expect(activity!.versusActivity.ndcg_at_25).toEqual({ mean: 0, low: 0, high: 0 });
    }
  });
});

describe('affinity-sync evaluate', () => {
  it('reports the Personalize metrics on the bundled retail data as JSON', async () => {
    let out = '';
    const stdout = new Writable({ write: (chunk: Buffer, _encoding, done) => ((out += chunk.toString()), done()) });
    const code = await main(
      ['node', 'affinity-sync', 'evaluate', '--data', 'data/retail-demo-store', '--split', 'P', '--recipe', 'item', '--max-item-queries', '60', '--json'],
      { stdout, stderr: new Writable({ write: (_c, _e, done) => done() }) },
    );
    expect(code).toBe(0);
    const report = JSON.parse(out) as EvaluationReport;
    expect(report).toMatchObject({ users: 6000, items: 2465 });
    const [model, activity] = report.splits[0]!.recipes[0]!.methods;
    expect(report.splits[0]!.recipes[0]!.queries).toBe(60);
    expect(Object.keys(model!.metrics)).toEqual(expect.arrayContaining(['hits_at_1_percent', 'recall_at_1_percent', 'ndcg_at_25', 'precision_at_100', 'hr_at_25']));
    expect(model!.metrics.recall_at_1_percent!.mean).toBeGreaterThan(activity!.metrics.recall_at_1_percent!.mean);
    expect(model!.versusActivity.recall_at_1_percent!.low).toBeGreaterThan(0);
  });

  it('rejects an unknown split name as bad input (exit code 2)', async () => {
    let err = '';
    const code = await main(['node', 'affinity-sync', 'evaluate', '--data', 'data/retail-demo-store', '--split', 'Q'], {
      stdout: new Writable({ write: (_c, _e, done) => done() }),
      stderr: new Writable({ write: (chunk: Buffer, _e, done) => ((err += chunk.toString()), done()) }),
    });
    expect(code).toBe(2);
    expect(err).toMatch(/--split: expected a comma-separated list of P, F, got "Q"/);
  });
});
