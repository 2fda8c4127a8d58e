/**
 * Train/test splits of the evaluation protocol (`../shared/reference/evaluation.md` §3), on the
 * deduplicated binary matrix.
 */
import { selectEntries, type UserItemMatrix } from '../engine/user-item-matrix.js';

/** A split: the matrix to train on and the held-out entries to predict. */
export interface TrainTestSplit {
  /** `P` (per user, Personalize's 80/20) or `F` (global time cut). */
  name: string;
  train: UserItemMatrix;
  test: UserItemMatrix;
}

/** Users with fewer interactions than this never give test entries. */
const minInteractionsForTest = 2;

/**
 * Split P: each user's newest ⌊fraction · n_u⌋ items (by first interaction: time, then row) go to
 * test, the rest to train. Personalize holds out "20% of each user's interactions data".
 */
export function splitPerUser(matrix: UserItemMatrix, fraction = 0.2): TrainTestSplit {
  const inTest = new Uint8Array(matrix.items.length);
  for (let u = 0; u < matrix.numUsers; u++) {
    const start = matrix.userPtr[u]!;
    const end = matrix.userPtr[u + 1]!;
    const n = end - start;
    if (n < minInteractionsForTest) continue;
    const held = Math.floor(fraction * n);
    for (let e = end - held; e < end; e++) inTest[e] = 1;
  }
  return { name: 'P', ...partition(matrix, inTest) };
}

/**
 * Split F: a global cut T at the `quantile` of first-interaction times; entries before T train,
 * entries at or after T test (only for users with ≥ 2 interactions; the others' late entries are dropped).
 */
export function splitByTime(matrix: UserItemMatrix, quantile = 0.9): TrainTestSplit {
  const sortedTimes = Float64Array.from(matrix.time).sort();
  const cut = sortedTimes[Math.min(sortedTimes.length - 1, Math.floor(quantile * sortedTimes.length))] ?? 0;
  const inTest = new Uint8Array(matrix.items.length);
  const dropped = new Uint8Array(matrix.items.length);
  for (let u = 0; u < matrix.numUsers; u++) {
    const start = matrix.userPtr[u]!;
    const end = matrix.userPtr[u + 1]!;
    for (let e = start; e < end; e++) {
      if (matrix.time[e]! < cut) continue;
      if (end - start < minInteractionsForTest) dropped[e] = 1;
      else inTest[e] = 1;
    }
  }
  const split = partition(matrix, inTest, dropped);
  return { name: 'F', ...split };
}

/**
 * Removes every entry of `heldOutItems` from `split.train` (they become new items, known only by
 * their attributes) and returns the split with those items' train entries moved to test.
 */
export function holdOutItems(split: TrainTestSplit, heldOut: Uint8Array): TrainTestSplit {
  const { train, test } = split;
  const keepTrain = new Uint8Array(train.items.length);
  for (let e = 0; e < train.items.length; e++) keepTrain[e] = heldOut[train.items[e]!] ? 0 : 1;
  const moved = selectEntries(train, keepTrain.map((keep) => 1 - keep));
  const keepTest = new Uint8Array(test.items.length);
  for (let e = 0; e < test.items.length; e++) keepTest[e] = heldOut[test.items[e]!] ? 1 : 0;
  return { name: `${split.name}-cold`, train: selectEntries(train, keepTrain), test: union(moved, selectEntries(test, keepTest)) };
}

function partition(matrix: UserItemMatrix, inTest: Uint8Array, dropped?: Uint8Array) {
  const inTrain = inTest.map((flag, e) => (flag === 1 || dropped?.[e] === 1 ? 0 : 1));
  return { train: selectEntries(matrix, inTrain), test: selectEntries(matrix, inTest) };
}

/** Entries of both matrices (disjoint pairs assumed), each user's entries in time order. */
function union(a: UserItemMatrix, b: UserItemMatrix): UserItemMatrix {
  const userPtr = new Int32Array(a.numUsers + 1);
  const items = new Int32Array(a.items.length + b.items.length);
  const time = new Float64Array(items.length);
  let out = 0;
  for (let u = 0; u < a.numUsers; u++) {
    const entries: Array<[number, number]> = [];
    for (let e = a.userPtr[u]!; e < a.userPtr[u + 1]!; e++) entries.push([a.time[e]!, a.items[e]!]);
    for (let e = b.userPtr[u]!; e < b.userPtr[u + 1]!; e++) entries.push([b.time[e]!, b.items[e]!]);
    entries.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    for (const [t, i] of entries) {
      items[out] = i;
      time[out] = t;
      out++;
    }
    userPtr[u + 1] = out;
  }
  return { numUsers: a.numUsers, numItems: a.numItems, userPtr, items, time };
}
