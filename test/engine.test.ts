import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { trainRp3beta } from '../src/engine/rp3beta.js';
import { buildUserItemMatrix, itemUserIndex } from '../src/engine/user-item-matrix.js';
import { localProviderConfigSchema, localProviderDefinition } from '../src/segments/local-provider.js';
import { segmentProviders } from '../src/segments/providers.js';
import type { SegmentQuery } from '../src/segments/segment-provider.js';
import { interactionsOf, kitchenFans, outdoorFans, skippedBy, twoGroupDatasets } from './fixtures/two-taste-groups.js';

function localProvider(config: Record<string, unknown> = {}) {
  const datasets = twoGroupDatasets();
  return localProviderDefinition.create(localProviderConfigSchema.parse({ provider: 'local', ...config }), {
    datasets: () => Promise.resolve(datasets),
    env: {},
    logger: silentLogger,
    baseDir: '/nonexistent',
    stateDir: '/nonexistent',
  });
}

const sorted = (list: string[]) => [...list].sort();

describe('binary user × item matrix', () => {
  it('deduplicates pairs, keeps first-interaction order and sorts each user by time', () => {
    const interactions = interactionsOf([
      ['a', 'x'],
      ['a', 'y'],
      ['b', 'x'],
      ['a', 'x'],
      ['b', 'z'],
    ]);
    // Row 4 (b, z) happened before row 2 (b, x).
    interactions.timestamp[4] = interactions.timestamp[0]! - 10;
    const matrix = buildUserItemMatrix(interactions);
    expect(Array.from(matrix.userPtr)).toEqual([0, 2, 4]);
    expect(Array.from(matrix.items)).toEqual([0, 1, 2, 0]);
    expect(matrix.time[2]).toBe(interactions.timestamp[4]);
  });
});

describe('RP3beta', () => {
  it('gives each item its own group as neighbours, rows summing to 1, no self-loops', async () => {
    const { interactions } = twoGroupDatasets();
    const model = await trainRp3beta(buildUserItemMatrix(interactions), {}, { threads: 1 });
    const tent = interactions.itemIds.indexOf('tent');
    const neighbours = Array.from(model.rows.subarray(model.colPtr[tent], model.colPtr[tent + 1]), (i) => interactions.itemIds[i]!);
    expect(sorted(neighbours)).toEqual(['boots', 'lamp', 'stove']);
    const rowSums = new Float64Array(model.numItems);
    for (let j = 0; j < model.numItems; j++) {
      for (let p = model.colPtr[j]!; p < model.colPtr[j + 1]!; p++) {
        expect(model.rows[p]).not.toBe(j);
        rowSums[model.rows[p]!]! += model.vals[p]!;
      }
    }
    for (const sum of rowSums) expect(sum).toBeCloseTo(1, 5);
  });

  it('keeps the `neighbours` entries of each column that carry most score mass (W[i,j]·pop_i), with the untruncated values', async () => {
    const { interactions } = twoGroupDatasets();
    const matrix = buildUserItemMatrix(interactions);
    const { itemPtr } = itemUserIndex(matrix);
    const full = await trainRp3beta(matrix, {}, { threads: 1 });
    const cut = await trainRp3beta(matrix, { neighbours: 2 }, { threads: 1 });
    let shortened = 0;
    for (let j = 0; j < cut.numItems; j++) {
      const column = new Map(Array.from(full.rows.subarray(full.colPtr[j], full.colPtr[j + 1]), (i, h) => [i, full.vals[full.colPtr[j]! + h]!]));
      const kept = new Map(Array.from(cut.rows.subarray(cut.colPtr[j], cut.colPtr[j + 1]), (i, h) => [i, cut.vals[cut.colPtr[j]! + h]!]));
      expect(kept.size).toBe(Math.min(2, column.size));
      if (column.size > 2) shortened += 1;
      // Each kept value is the untruncated one, and no dropped entry carries more mass than a kept one.
      for (const [i, value] of kept) expect(value).toBe(column.get(i));
      const mass = (i: number) => column.get(i)! * (itemPtr[i + 1]! - itemPtr[i]!);
      const weakestKept = Math.min(...[...kept.keys()].map(mass));
      for (const i of column.keys()) if (!kept.has(i)) expect(mass(i)).toBeLessThanOrEqual(weakestKept);
    }
    expect(shortened).toBeGreaterThan(0);
  });
});

describe('local segment provider', () => {
  it('ranks an item’s own group first and leaves out users who already interacted with it', async () => {
    const [tent] = await localProvider().generate([{ itemId: 'tent' }], { numResults: 2 });
    // Only o1 and o5 skipped the tent; every other outdoor fan already has it.
    expect(tent!.input).toEqual({ itemId: 'tent' });
    expect(tent!.error).toBeNull();
    expect(sorted(tent!.output.usersList)).toEqual(['o1', 'o5']);
  });

  it('keeps past users with excludeInteracted: false, and honours numResults', async () => {
    const provider = localProvider({ excludeInteracted: false });
    const [lamp] = await provider.generate([{ itemId: 'lamp' }], { numResults: 6 });
    expect(sorted(lamp!.output.usersList)).toEqual(outdoorFans);
    const [short] = await provider.generate([{ itemId: 'pan' }], { numResults: 3 });
    expect(short!.output.usersList).toHaveLength(3);
    for (const user of short!.output.usersList) expect(kitchenFans).toContain(user);
  });

  it('with fill: activity, pads a segment past the item’s fans with the most active other users, and counts them', async () => {
    const [tent] = await localProvider({ fill: 'activity' }).generate([{ itemId: 'tent' }], { numResults: 8 });
    const users = tent!.output.usersList;
    expect(users).toHaveLength(8);
    expect(tent!.affinity).toEqual({ fill: 'activity', withAffinity: 2, padded: 6, belowPercentile: 0 });
    expect(tent!.scores!.slice(2)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(sorted(users.slice(0, 2))).toEqual(['o1', 'o5']);
    // No one who had the tent appears, even in the fill.
    const hadTent = outdoorFans.filter((fan) => skippedBy[fan] !== 'tent');
    for (const user of users) expect(hadTent).not.toContain(user);
  });

  it('with fill: none (the default), stops at the last user with a positive score', async () => {
    const [tent] = await localProvider().generate([{ itemId: 'tent' }], { numResults: 8 });
    expect(sorted(tent!.output.usersList)).toEqual(['o1', 'o5']);
    expect(tent!.affinity).toEqual({ fill: 'none', withAffinity: 2, padded: 0, belowPercentile: 0 });
    for (const score of tent!.scores!) expect(score).toBeGreaterThan(0);
  });

  it('minPercentile keeps only the users at or above that percentile of the positive scores', async () => {
    const [all] = await localProvider({ excludeInteracted: false }).generate([{ itemId: 'lamp' }], { numResults: 12 });
    const positive = all!.scores!.filter((score) => score > 0);
    const [top] = await localProvider({ excludeInteracted: false, minPercentile: 50 }).generate([{ itemId: 'lamp' }], { numResults: 12 });
    const threshold = [...positive].sort((a, b) => a - b)[Math.ceil(0.5 * positive.length) - 1]!;
    const expected = positive.filter((score) => score >= threshold).length;
    expect(top!.output.usersList).toHaveLength(expected);
    expect(expected).toBeLessThan(positive.length);
    expect(top!.affinity).toEqual({ fill: 'none', withAffinity: expected, padded: 0, belowPercentile: positive.length - expected });
    for (const score of top!.scores!) expect(score).toBeGreaterThanOrEqual(threshold);
  });

  it('serves attribute queries, reaching a new item’s attribute fans', async () => {
    const provider = localProvider();
    const queries: SegmentQuery[] = [
      { itemAttributes: 'ITEMS.CATEGORY = "outdoor"' },
      { itemAttributes: 'ITEMS.CATEGORY = "kitchen"' },
      // Only the new solar-lantern (no interactions) has STYLE lighting: served through CATEGORY outdoor.
      { itemAttributes: 'ITEMS.CATEGORY = "outdoor" AND ITEMS.STYLE = "lighting"' },
    ];
    const [outdoor, kitchen, lantern] = await provider.generate(queries, { numResults: 6 });
    expect(sorted(outdoor!.output.usersList)).toEqual(outdoorFans);
    expect(sorted(kitchen!.output.usersList)).toEqual(kitchenFans);
    expect(lantern!.error).toBeNull();
    expect(sorted(lantern!.output.usersList)).toEqual(outdoorFans);
  });

  it('ranks by the attribute’s warm items when a new item shares a value with them', async () => {
    // STYLE camping: the tent (a trained outdoor item) and the new solar-lantern.
    const [camping] = await localProvider().generate([{ itemAttributes: 'ITEMS.STYLE = "camping"' }], { numResults: 6 });
    expect(sorted(camping!.output.usersList)).toEqual(outdoorFans);
  });

  it('falls back to activity for a value never seen in the interactions', async () => {
    const [lighting] = await localProvider({ fill: 'activity' }).generate([{ itemAttributes: 'ITEMS.STYLE = "lighting"' }], { numResults: 6 });
    expect(lighting!.error).toBeNull();
    // Kitchen fans have 6 items each, outdoor fans 3: activity puts the kitchen fans first.
    expect(sorted(lighting!.output.usersList)).toEqual(kitchenFans);
  });

  it('answers an unknown item, an unknown column and a query matching nothing with an error line', async () => {
    const results = await localProvider({ fill: 'activity' }).generate(
      [{ itemId: 'no-such-item' }, { itemAttributes: 'ITEMS.COLOUR = "red"' }, { itemAttributes: 'ITEMS.CATEGORY = "garden"' }, { itemId: 'pan' }],
      { numResults: 5 },
    );
    expect(results.map((result) => result.input)).toEqual([
      { itemId: 'no-such-item' },
      { itemAttributes: 'ITEMS.COLOUR = "red"' },
      { itemAttributes: 'ITEMS.CATEGORY = "garden"' },
      { itemId: 'pan' },
    ]);
    expect(results[0]!.error).toMatch(/unknown item "no-such-item"/);
    expect(results[1]!.error).toMatch(/COLOUR/);
    expect(results[2]!.error).toMatch(/no item matches ITEMS.CATEGORY = "garden"/);
    for (const result of results.slice(0, 3)) expect(result.output.usersList).toEqual([]);
    expect(results[3]!.error).toBeNull();
    expect(results[3]!.output.usersList).toHaveLength(5);
  });

  it('is deterministic: two providers give identical segments', async () => {
    const queries: SegmentQuery[] = [{ itemId: 'boots' }, { itemId: 'kettle' }, { itemAttributes: 'ITEMS.STYLE = "gear"' }];
    const first = await localProvider({ fill: 'activity' }).generate(queries, { numResults: 12 });
    const second = await localProvider({ fill: 'activity' }).generate(queries, { numResults: 12 });
    expect(second).toEqual(first);
    // 12 users, minus the 4 outdoor fans who already have the boots.
    expect(first[0]!.output.usersList).toHaveLength(8);
  });

  it('is registered, with the documented config defaults', () => {
    expect(segmentProviders.map((definition) => definition.id)).toContain('local');
    expect(localProviderConfigSchema.parse({ provider: 'local' })).toEqual({ provider: 'local', numResults: 25, excludeInteracted: true, fill: 'none' });
    expect(localProviderConfigSchema.safeParse({ provider: 'local', minPercentile: 100 }).success).toBe(false);
    expect(localProviderConfigSchema.safeParse({ provider: 'local', fill: 'random' }).success).toBe(false);
    expect(localProviderConfigSchema.safeParse({ provider: 'local', numResults: 0 }).success).toBe(false);
    expect(localProviderConfigSchema.safeParse({ provider: 'local', extra: 1 }).success).toBe(false);
  });
});

describe('RP3beta in worker threads', () => {
  it('gives exactly the single-thread model', async () => {
    const { generateSynthetic } = await import('../src/synthetic/generate-synthetic.js');
    const data = generateSynthetic({ users: 1_500, items: 300, interactions: 30_000, categories: 5, seed: 2 });
    const matrix = buildUserItemMatrix(data.interactions);
    const single = await trainRp3beta(matrix, { neighbours: 50 }, { threads: 1 });
    const parallel = await trainRp3beta(matrix, { neighbours: 50 }, { threads: 2 });
    expect(single.rows.length).toBeGreaterThan(10_000);
    expect(Array.from(parallel.colPtr)).toEqual(Array.from(single.colPtr));
    expect(Array.from(parallel.rows)).toEqual(Array.from(single.rows));
    expect(Array.from(parallel.vals)).toEqual(Array.from(single.vals));
  });
});

describe('EASE and iALS candidates', () => {
  it('rank an item’s own group first too', async () => {
    const { trainEase } = await import('../src/engine/ease.js');
    const { trainIals } = await import('../src/engine/ials.js');
    const { AffinityEngine } = await import('../src/engine/affinity-engine.js');
    const { interactions } = twoGroupDatasets();
    const matrix = buildUserItemMatrix(interactions);
    const lamp = interactions.itemIds.indexOf('lamp');
    for (const model of [trainEase(matrix, { lambda: 1 }), trainIals(matrix, { factors: 4, lambda: 0.1, alpha: 10 })]) {
      const engine = new AffinityEngine(matrix, model);
      const top = Array.from(engine.itemAffinity(lamp, { numResults: 6, excludeInteracted: false }), (u) => interactions.userIds[u]!);
      expect(sorted(top)).toEqual(outdoorFans);
    }
  });
});
