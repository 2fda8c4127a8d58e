import { describe, expect, it } from 'vitest';
import { AffinityEngine } from '../src/engine/affinity-engine.js';
import { LocalSegmenter } from '../src/engine/local-segmenter.js';
import { recencyWeights } from '../src/engine/recency-weights.js';
import { trainRp3beta } from '../src/engine/rp3beta.js';
import { shrunkShareScores } from '../src/engine/shrunk-share.js';
import { buildUserItemMatrix, itemUserIndex } from '../src/engine/user-item-matrix.js';
import { scoringPresets } from '../src/evaluation/scoring-candidates.js';
import { interactionsOf, itemsOf } from './fixtures/two-taste-groups.js';

/**
 * A shop with known answers: `heavy` buys every trained item (a wholesaler: 3 of its 27 items are
 * candles); `fan`, c3, c4 and c5 buy only the three candles; c1 bought two candles, c2 two candles
 * and a mug; the m* and t* users buy mugs and tins. `candle-new` is a candle without any interaction.
 */
const candles = ['candle-1', 'candle-2', 'candle-3'];
const mugs = Array.from({ length: 10 }, (_, n) => `mug-${n + 1}`);
const tins = Array.from({ length: 14 }, (_, n) => `tin-${n + 1}`);

function shop() {
  const rows: Array<[string, string]> = [];
  for (const item of [...candles, ...mugs, ...tins]) rows.push(['heavy', item]);
  for (const item of candles) rows.push(['fan', item]);
  rows.push(['c1', 'candle-1'], ['c1', 'candle-2'], ['c2', 'candle-2'], ['c2', 'candle-3'], ['c2', 'mug-1']);
  for (const user of ['c3', 'c4', 'c5']) for (const item of candles) rows.push([user, item]);
  for (const user of ['m1', 'm2', 'm3']) for (const item of mugs) rows.push([user, item]);
  for (const user of ['t1', 't2']) for (const item of tins) rows.push([user, item]);
  const interactions = interactionsOf(rows);
  const items = itemsOf([
    ...candles.map((id): [string, string, string] => [id, 'candle', 'classic']),
    ...mugs.map((id): [string, string, string] => [id, 'mug', 'classic']),
    ...tins.map((id): [string, string, string] => [id, 'tin', 'classic']),
    ['candle-new', 'candle', 'spring'],
  ]);
  return { interactions, items, matrix: buildUserItemMatrix(interactions) };
}

const userIds = (ranked: Int32Array, ids: readonly string[]) => Array.from(ranked, (u) => ids[u]!);

describe('shrunk share of the history (affinity relative to activity)', () => {
  it('computes −n·ln(1 − q) with q shrunk toward the population share', () => {
    const activity = Int32Array.of(2, 10, 0);
    const raw = Float64Array.of(1, 2, 0);
    shrunkShareScores(raw, activity, activity, 0);
    expect(raw[0]).toBeCloseTo(-2 * Math.log(0.5), 12);
    expect(raw[1]).toBeCloseTo(-10 * Math.log(0.8), 12);
    expect(raw[2]).toBe(0);
    const shrunk = Float64Array.of(1, 2, 0);
    // Population share p = 3 / 12; with m = 2: q = (1 + 0.5) / 4 and (2 + 0.5) / 12.
    shrunkShareScores(shrunk, activity, activity, 2);
    expect(shrunk[0]).toBeCloseTo(-2 * Math.log(1 - 1.5 / 4), 12);
    expect(shrunk[1]).toBeCloseTo(-10 * Math.log(1 - 2.5 / 12), 12);
  });

  it('ranks a light buyer of only the attribute above a heavy buyer of everything once affinity outweighs activity (κ < 1)', async () => {
    const { interactions, matrix } = shop();
    const model = await trainRp3beta(matrix, {}, { threads: 1 });
    const candleItems = Int32Array.from(candles, (id) => interactions.itemIds.indexOf(id)).sort();
    const rank = (options: ConstructorParameters<typeof AffinityEngine>[2]) =>
      userIds(new AffinityEngine(matrix, model, options).itemSetAffinity(candleItems, interactions.userIds.length), interactions.userIds);
    // Today's summed scores and the at-least-one-purchase reading (κ = 1) both put the wholesaler first.
    expect(rank({})[0]).toBe('heavy');
    expect(rank({ shareShrinkage: 3 })[0]).toBe('heavy');
    const affinity = rank({ shareShrinkage: 3, shareActivityExponent: 0.5 });
    // Equal histories tie; ties go by activity, then by first appearance.
    expect(affinity.slice(0, 4)).toEqual(['fan', 'c3', 'c4', 'c5']);
    expect(affinity.indexOf('heavy')).toBe(4);
    // The mug and tin buyers stay last: their share of candles is the lowest.
    expect(affinity.slice(-5).sort()).toEqual(['m1', 'm2', 'm3', 't1', 't2']);
  });

  it('brings a new item (no interactions) to its attribute’s fans, not to the heavy buyer', async () => {
    const { interactions, items, matrix } = shop();
    const model = await trainRp3beta(matrix, {}, { threads: 1 });
    const segmenter = new LocalSegmenter(interactions, items, matrix, model, { shareShrinkage: 3, shareActivityExponent: 0.5 });
    // Only candle-new is both a candle and "spring": it is reached through the trained candles.
    const served = segmenter.segment({ itemAttributes: 'ITEMS.CATEGORY = "candle" AND ITEMS.STYLE = "spring"' }, { numResults: 4 });
    expect(served.result.error).toBeNull();
    expect(served.result.output.usersList).toEqual(['fan', 'c3', 'c4', 'c5']);
    expect(served.note).toMatch(/"spring": value never seen in the interactions; ranked by the other terms/);
  });

  it('gives the same segments on every run', async () => {
    const { interactions, items, matrix } = shop();
    const serve = async () => {
      const model = await trainRp3beta(matrix, {}, { threads: 1 });
      const segmenter = new LocalSegmenter(interactions, items, matrix, model, scoringPresets['rp3beta-recency-share'].scoring);
      return [
        segmenter.segment({ itemAttributes: 'ITEMS.CATEGORY = "candle"' }, { numResults: 10 }).result.output.usersList,
        segmenter.segment({ itemId: 'mug-5' }, { numResults: 10 }).result.output.usersList,
      ];
    };
    const first = await serve();
    expect(first[0]).toHaveLength(10);
    expect(first[1]).toHaveLength(8);
    expect(await serve()).toEqual(first);
  });
});

describe('recency-weighted histories', () => {
  it('halves an item’s weight every halfLife of the user’s history, aligned with the item → user index', () => {
    const interactions = interactionsOf([
      ['a', 'w'],
      ['a', 'x'],
      ['a', 'y'],
      ['a', 'z'],
      ['b', 'x'],
    ]);
    const matrix = buildUserItemMatrix(interactions);
    const index = itemUserIndex(matrix);
    const { weights, mass } = recencyWeights(matrix, index, 0.5);
    // User a has 4 items: the half-life is 2 items; w is the oldest (3 steps from the newest).
    const weightOf = (user: string, item: string) => {
      const i = interactions.itemIds.indexOf(item);
      const u = interactions.userIds.indexOf(user);
      for (let p = index.itemPtr[i]!; p < index.itemPtr[i + 1]!; p++) if (index.users[p] === u) return weights[p]!;
      return Number.NaN;
    };
    expect(weightOf('a', 'w')).toBeCloseTo(0.5 ** 1.5, 12);
    expect(weightOf('a', 'y')).toBeCloseTo(0.5 ** 0.5, 12);
    expect(weightOf('a', 'z')).toBeCloseTo(1, 12);
    expect(weightOf('b', 'x')).toBeCloseTo(1, 12);
    expect(mass[0]).toBeCloseTo(1 + 0.5 ** 0.5 + 0.5 + 0.5 ** 1.5, 12);
    expect(() => recencyWeights(matrix, index, 0)).toThrow(RangeError);
  });

  it('ranks the user who bought the attribute recently above the one who bought it long ago', async () => {
    // Same items, opposite order: `late` turned to candles, `early` turned away from them.
    const rows: Array<[string, string]> = [];
    for (const item of [...candles, ...mugs]) rows.push(['early', item]);
    for (const item of [...mugs, ...candles]) rows.push(['late', item]);
    rows.push(['c1', 'candle-1'], ['c1', 'candle-2'], ['c1', 'candle-3'], ['m1', 'mug-1'], ['m1', 'mug-2'], ['m1', 'mug-3']);
    const interactions = interactionsOf(rows);
    const matrix = buildUserItemMatrix(interactions);
    const model = await trainRp3beta(matrix, {}, { threads: 1 });
    const candleItems = Int32Array.from(candles, (id) => interactions.itemIds.indexOf(id)).sort();
    const engine = new AffinityEngine(matrix, model, { recencyHalfLife: 0.25 });
    const ranked = userIds(engine.itemSetAffinity(candleItems, 4), interactions.userIds);
    expect(ranked.indexOf('late')).toBeLessThan(ranked.indexOf('early'));
    // Without recency the two histories are the same set of items: a tie, broken by user index.
    const plain = userIds(new AffinityEngine(matrix, model).itemSetAffinity(candleItems, 4), interactions.userIds);
    expect(plain.indexOf('early')).toBeLessThan(plain.indexOf('late'));
  });
});
