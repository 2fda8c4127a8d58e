/**
 * A seeded synthetic shop in the Amazon Personalize layout, generated straight into the typed
 * arrays of {@link Interactions} and {@link Items}, with the planted truth kept for scoring.
 *
 * Model of the data: each user has a primary and a secondary favourite category; an interaction
 * picks the primary with probability 0.6, the secondary with 0.25 and any category with 0.15
 * (the mix of the Retail Demo Store generator), then an item of that category by a Zipf law of
 * popularity (exponent 1). User activity is log-normal (σ = 1, a heavy right tail), at least 2.
 * A share of items are new: in the items dataset, never in the interactions.
 */
import type { Interactions, Items, UserRecord } from '../datasets/datasets.js';
import { seededRandom, shuffleInPlace, standardNormal } from '../evaluation/seeded-random.js';

/** Size and shape of a synthetic dataset. */
export interface SyntheticSpec {
  users: number;
  /** Items in the catalogue, new items included. */
  items: number;
  /** Target number of interaction rows (the result is within a few percent). */
  interactions: number;
  categories: number;
  /** STYLE values per category. @defaultValue 5 */
  stylesPerCategory?: number;
  /** Share of items that are new (no interactions). @defaultValue 0.02 */
  newItemShare?: number;
  /** @defaultValue 0 */
  seed?: number;
}

/** The tiers of the benchmark. */
export const syntheticTiers = {
  S: { users: 10_000, items: 2_000, interactions: 500_000, categories: 20 },
  M: { users: 100_000, items: 20_000, interactions: 5_000_000, categories: 40 },
  L: { users: 1_000_000, items: 100_000, interactions: 50_000_000, categories: 50 },
} satisfies Record<string, SyntheticSpec>;
export type SyntheticTier = keyof typeof syntheticTiers;

/** Generated data and the truth it was planted with. */
export interface SyntheticData {
  interactions: Interactions;
  /** Items: CATEGORY, STYLE (`<category>-s<k>`), AUDIENCE (M/F/Any, independent of taste). */
  items: Items;
  /** Per user: the primary and secondary category index. */
  primary: Int32Array;
  secondary: Int32Array;
  /** Category index of each item (items-dataset order). */
  itemCategory: Int32Array;
  /** Items-dataset rows of the new items. */
  newItems: Int32Array;
  categoryNames: string[];
}

const days30 = 30 * 24 * 3600;
const startEpochSeconds = 1_730_419_200; // 2024-11-01T00:00:00Z

/** Generates a dataset; the same spec always gives the same data. */
export function generateSynthetic(spec: SyntheticSpec): SyntheticData {
  const random = seededRandom(spec.seed ?? 0);
  const { users, categories } = spec;
  const styles = spec.stylesPerCategory ?? 5;
  const newCount = Math.round(spec.items * (spec.newItemShare ?? 0.02));
  const warmCount = spec.items - newCount;
  const categoryNames = Array.from({ length: categories }, (_, c) => `cat-${String(c).padStart(2, '0')}`);

  // Items: warm items first (interaction index = items row), new items after them.
  const itemCategory = new Int32Array(spec.items);
  const itemIds: string[] = new Array<string>(spec.items);
  const categoryValues: string[][] = new Array<string[]>(spec.items);
  const styleValues: string[][] = new Array<string[]>(spec.items);
  const audienceValues: string[][] = new Array<string[]>(spec.items);
  const audiences = ['M', 'F', 'Any'];
  for (let i = 0; i < spec.items; i++) {
    const c = Math.floor(random() * categories);
    itemCategory[i] = c;
    itemIds[i] = i < warmCount ? `item-${i}` : `new-item-${i - warmCount}`;
    categoryValues[i] = [categoryNames[c]!];
    styleValues[i] = [`${categoryNames[c]}-s${Math.floor(random() * styles)}`];
    audienceValues[i] = [audiences[Math.floor(random() * 3)]!];
  }
  const items: Items = {
    itemIds,
    indexOf: new Map(itemIds.map((id, i) => [id, i])),
    columns: [
      { name: 'CATEGORY', kind: 'categorical', values: categoryValues },
      { name: 'STYLE', kind: 'categorical', values: styleValues },
      { name: 'AUDIENCE', kind: 'categorical', values: audienceValues },
    ],
  };

  // Per category: its warm items in a random popularity order, with a Zipf cumulative weight.
  const byCategory: number[][] = Array.from({ length: categories }, () => []);
  for (let i = 0; i < warmCount; i++) byCategory[itemCategory[i]!]!.push(i);
  const categoryItems = byCategory.map((list) => Int32Array.from(shuffleInPlace(list, random)));
  const categoryCdf = categoryItems.map((list) => {
    const cdf = new Float64Array(list.length);
    let total = 0;
    for (let rank = 0; rank < list.length; rank++) cdf[rank] = total += 1 / (rank + 1);
    for (let rank = 0; rank < list.length; rank++) cdf[rank]! /= total;
    return cdf;
  });
  const usable = categoryItems.map((list) => list.length > 0);

  // Users: tastes and log-normal activity scaled to the target mean.
  const primary = new Int32Array(users);
  const secondary = new Int32Array(users);
  const activity = new Float64Array(users);
  let activityTotal = 0;
  for (let u = 0; u < users; u++) {
    primary[u] = Math.floor(random() * categories);
    secondary[u] = (primary[u]! + 1 + Math.floor(random() * (categories - 1))) % categories;
    activity[u] = Math.exp(standardNormal(random));
    activityTotal += activity[u]!;
  }
  const scale = spec.interactions / activityTotal;
  const counts = new Int32Array(users);
  let rows = 0;
  for (let u = 0; u < users; u++) {
    counts[u] = Math.max(2, Math.round(activity[u]! * scale));
    rows += counts[u]!;
  }

  const user = new Int32Array(rows);
  const item = new Int32Array(rows);
  const timestamp = new Float64Array(rows);
  let r = 0;
  const pickCategory = (u: number): number => {
    for (;;) {
      const x = random();
      const c = x < 0.6 ? primary[u]! : x < 0.85 ? secondary[u]! : Math.floor(random() * categories);
      if (usable[c]) return c;
    }
  };
  for (let u = 0; u < users; u++) {
    const start = r;
    for (let k = 0; k < counts[u]!; k++, r++) {
      const c = pickCategory(u);
      const cdf = categoryCdf[c]!;
      const x = random();
      let low = 0;
      let high = cdf.length - 1;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (cdf[mid]! < x) low = mid + 1;
        else high = mid;
      }
      user[r] = u;
      item[r] = categoryItems[c]![low]!;
      timestamp[r] = startEpochSeconds + Math.floor(random() * days30);
    }
    timestamp.subarray(start, r).sort();
  }

  const interactions: Interactions = {
    userIds: Array.from({ length: users }, (_, u) => `u${u}`),
    itemIds: itemIds.slice(0, warmCount),
    eventTypes: ['View'],
    length: rows,
    user,
    item,
    timestamp,
    eventType: new Uint8Array(rows),
  };
  const newItems = Int32Array.from({ length: newCount }, (_, k) => warmCount + k);
  return { interactions, items, primary, secondary, itemCategory, newItems, categoryNames };
}

/**
 * The users dataset of a synthetic shop, one record at a time (so a million users never sit in
 * memory as objects unless the caller keeps them): about 2% share another user's email and 1%
 * have none.
 */
export function* syntheticUsers(users: number, seed = 0): Generator<UserRecord> {
  const random = seededRandom(seed + 1);
  for (let u = 0; u < users; u++) {
    const x = random();
    const email = x < 0.01 ? '' : x < 0.03 && u > 0 ? `user${Math.floor(random() * u)}@example.com` : `user${u}@example.com`;
    yield { userId: `u${u}`, email, firstName: `First${u}`, lastName: `Last${u}` };
  }
}
