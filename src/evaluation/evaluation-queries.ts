/**
 * The queries of the evaluation protocol (`../shared/reference/evaluation.md` §3.5) and their
 * relevant users, built from a train/test split.
 */
import type { Items } from '../datasets/datasets.js';
import { attributeItems, interactionIndexOfItems, type AttributeItems } from '../engine/attribute-items.js';
import { itemUserIndex, userActivity, type ItemUserIndex } from '../engine/user-item-matrix.js';
import type { TrainTestSplit } from './splits.js';
import { seededRandom, shuffleInPlace } from './seeded-random.js';

/** One evaluation query. */
export interface EvaluationQuery {
  /** `item:<ITEM_ID>` or the attribute expression. */
  label: string;
  /** Item-Affinity: the engine item; absent for attribute queries. */
  item?: number;
  /** Attribute queries: the trained items it is scored with. */
  attribute?: AttributeItems;
  /** Relevant users (ascending). */
  relevant: Int32Array;
  /** Users that may be ranked (for K = 1%). */
  candidateCount: number;
}

/** Options of the query builders. */
export interface QueryOptions {
  /** At most this many Item-Affinity queries (seeded sample stratified by popularity decile). @defaultValue 500 */
  maxItemQueries?: number;
  /** @defaultValue 0 */
  seed?: number;
  /** Attribute queries need at least this many relevant users. @defaultValue 5 */
  minRelevant?: number;
  /** Attribute queries need at most this share of the candidate users relevant. @defaultValue 0.2 */
  maxRelevantShare?: number;
}

/** Train-side facts of a split that every query builder needs. */
export interface SplitIndex {
  activity: Int32Array;
  trainItems: ItemUserIndex;
  testItems: ItemUserIndex;
  candidateCount: number;
}

export function indexSplit(split: TrainTestSplit): SplitIndex {
  const activity = userActivity(split.train);
  let candidateCount = 0;
  for (const n of activity) if (n > 0) candidateCount++;
  return { activity, trainItems: itemUserIndex(split.train), testItems: itemUserIndex(split.test), candidateCount };
}

/**
 * Item-Affinity queries: items with ≥ 1 train and ≥ 1 test interaction; relevant = their test
 * users that have training interactions. Over `maxItemQueries`, a seeded sample with an equal
 * share from each popularity decile.
 */
export function itemQueries(index: SplitIndex, itemIds: readonly string[], options: QueryOptions = {}): EvaluationQuery[] {
  const { activity, trainItems, testItems, candidateCount } = index;
  const eligible: Array<{ item: number; relevant: Int32Array; pop: number }> = [];
  for (let i = 0; i < trainItems.numItems; i++) {
    const pop = trainItems.itemPtr[i + 1]! - trainItems.itemPtr[i]!;
    if (pop === 0) continue;
    const relevant = testItems.users.subarray(testItems.itemPtr[i], testItems.itemPtr[i + 1]).filter((u) => activity[u]! > 0);
    if (relevant.length > 0) eligible.push({ item: i, relevant, pop });
  }
  const max = options.maxItemQueries ?? 500;
  let chosen = eligible;
  if (eligible.length > max) {
    const random = seededRandom(options.seed ?? 0);
    const byPopularity = [...eligible].sort((a, b) => a.pop - b.pop || a.item - b.item);
    const deciles = Array.from({ length: 10 }, (_, d) =>
      shuffleInPlace(byPopularity.slice(Math.floor((d * byPopularity.length) / 10), Math.floor(((d + 1) * byPopularity.length) / 10)), random),
    );
    chosen = [];
    for (let round = 0; chosen.length < max; round++) {
      for (const decile of deciles) if (round < decile.length && chosen.length < max) chosen.push(decile[round]!);
    }
    chosen.sort((a, b) => a.item - b.item);
  }
  return chosen.map(({ item, relevant, pop }) => ({
    label: `item:${itemIds[item]}`,
    item,
    relevant,
    candidateCount: candidateCount - pop,
  }));
}

/** Distinct values of a categorical column, in first-seen order. */
function columnValues(items: Items, column: string): string[] {
  const values = new Set<string>();
  for (const cell of items.columns.find((c) => c.name === column)?.values ?? []) for (const value of cell) values.add(value);
  return [...values];
}

/**
 * Item-Attribute-Affinity queries, one per value of each column: relevant = users with training
 * interactions who have a test interaction with an item carrying the value (only with the
 * `relevantItems` flagged items, for the cold subset). Scored through the trained items that
 * carry the value. Values with too few or too many relevant users are skipped.
 */
export function attributeQueries(
  index: SplitIndex,
  items: Items,
  interactionItemIds: readonly string[],
  columns: readonly string[],
  options: QueryOptions & { relevantItems?: Uint8Array } = {},
): EvaluationQuery[] {
  const { activity, trainItems, testItems, candidateCount } = index;
  const toEngine = interactionIndexOfItems(items, interactionItemIds);
  const isTrained = (i: number) => trainItems.itemPtr[i + 1]! > trainItems.itemPtr[i]!;
  const minRelevant = options.minRelevant ?? 5;
  const maxRelevant = (options.maxRelevantShare ?? 0.2) * candidateCount;
  const queries: EvaluationQuery[] = [];
  const seen = new Uint8Array(activity.length);
  for (const column of columns) {
    const cells = items.columns.find((c) => c.name === column)?.values ?? [];
    for (const value of columnValues(items, column)) {
      const expression = { terms: [{ column, value }] };
      const relevant: number[] = [];
      cells.forEach((cell, row) => {
        const i = toEngine[row]!;
        if (i < 0 || !cell.includes(value) || (options.relevantItems && options.relevantItems[i] !== 1)) return;
        for (let p = testItems.itemPtr[i]!; p < testItems.itemPtr[i + 1]!; p++) {
          const u = testItems.users[p]!;
          if (activity[u]! > 0 && seen[u] === 0) {
            seen[u] = 1;
            relevant.push(u);
          }
        }
      });
      for (const u of relevant) seen[u] = 0;
      if (relevant.length < minRelevant || relevant.length > maxRelevant) continue;
      const attribute = attributeItems(expression, items, toEngine, isTrained);
      if (attribute.kind === 'none') continue;
      queries.push({
        label: `ITEMS.${column} = ${JSON.stringify(value)}`,
        attribute,
        relevant: Int32Array.from(relevant).sort(),
        candidateCount,
      });
    }
  }
  return queries;
}

/**
 * Items to treat as new in the cold-item subset: those with test but no train interactions,
 * plus a seeded `fraction` of the trained items, an equal share from each popularity decile.
 */
export function coldItemSample(index: SplitIndex, fraction: number, seed = 0): Uint8Array {
  const { trainItems, testItems } = index;
  const flags = new Uint8Array(trainItems.numItems);
  const trained: Array<{ item: number; pop: number }> = [];
  for (let i = 0; i < trainItems.numItems; i++) {
    const pop = trainItems.itemPtr[i + 1]! - trainItems.itemPtr[i]!;
    if (pop > 0) trained.push({ item: i, pop });
    else if (testItems.itemPtr[i + 1]! > testItems.itemPtr[i]!) flags[i] = 1;
  }
  trained.sort((a, b) => a.pop - b.pop || a.item - b.item);
  const random = seededRandom(seed);
  for (let d = 0; d < 10; d++) {
    const decile = trained.slice(Math.floor((d * trained.length) / 10), Math.floor(((d + 1) * trained.length) / 10));
    shuffleInPlace(decile, random);
    for (const { item } of decile.slice(0, Math.round(fraction * decile.length))) flags[item] = 1;
  }
  return flags;
}
