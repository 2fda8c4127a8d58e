/**
 * Binary implicit feedback as a compressed sparse row (CSR) matrix: one entry per distinct
 * (user, item) pair, each user's items in the order of their first interaction.
 *
 * Deduplication keeps the first timestamp of a pair, as in the evaluation protocol
 * (`../shared/reference/evaluation.md` §3.1). Everything lives in typed arrays: no object per
 * interaction.
 */
import type { Interactions } from '../datasets/datasets.js';

/** Users × items, binary, CSR; user and item indices are those of the {@link Interactions}. */
export interface UserItemMatrix {
  numUsers: number;
  numItems: number;
  /** `items[userPtr[u] .. userPtr[u+1])` are the items of user `u`. Length `numUsers + 1`. */
  userPtr: Int32Array;
  /** Item index of each entry, per user in order of first interaction (time, then row). */
  items: Int32Array;
  /** First TIMESTAMP of each entry (epoch seconds). */
  time: Float64Array;
}

/** Options of {@link buildUserItemMatrix}. */
export interface BuildMatrixOptions {
  /** Only rows whose EVENT_TYPE is in this list count; all rows when absent or empty. */
  eventTypes?: readonly string[];
}

/**
 * Builds the binary user × item matrix from interaction rows in O(rows): a counting sort by user,
 * then per user a stable time order (skipped when already sorted) and deduplication.
 */
export function buildUserItemMatrix(interactions: Interactions, options: BuildMatrixOptions = {}): UserItemMatrix {
  const numUsers = interactions.userIds.length;
  const numItems = interactions.itemIds.length;
  const { user, item, timestamp, eventType, length } = interactions;
  let keepCode: Uint8Array | undefined;
  if (options.eventTypes && options.eventTypes.length > 0) {
    keepCode = new Uint8Array(256);
    for (const name of options.eventTypes) {
      const code = interactions.eventTypes.indexOf(name);
      if (code >= 0) keepCode[code] = 1;
    }
  }

  const rowPtr = new Int32Array(numUsers + 1);
  for (let r = 0; r < length; r++) {
    if (keepCode && keepCode[eventType[r]!] === 0) continue;
    rowPtr[user[r]! + 1]!++;
  }
  for (let u = 0; u < numUsers; u++) rowPtr[u + 1]! += rowPtr[u]!;
  const rowsByUser = new Int32Array(rowPtr[numUsers]!);
  const cursor = rowPtr.slice(0, numUsers);
  for (let r = 0; r < length; r++) {
    if (keepCode && keepCode[eventType[r]!] === 0) continue;
    rowsByUser[cursor[user[r]!]!++] = r;
  }

  const lastSeenBy = new Int32Array(numItems).fill(-1);
  const userPtr = new Int32Array(numUsers + 1);
  const items = new Int32Array(rowsByUser.length);
  const time = new Float64Array(rowsByUser.length);
  let out = 0;
  for (let u = 0; u < numUsers; u++) {
    const start = rowPtr[u]!;
    const end = rowPtr[u + 1]!;
    let sorted = true;
    for (let k = start + 1; k < end; k++) {
      if (timestamp[rowsByUser[k]!]! < timestamp[rowsByUser[k - 1]!]!) {
        sorted = false;
        break;
      }
    }
    if (!sorted) {
      rowsByUser.subarray(start, end).sort((a, b) => timestamp[a]! - timestamp[b]! || a - b);
    }
    for (let k = start; k < end; k++) {
      const r = rowsByUser[k]!;
      const i = item[r]!;
      if (lastSeenBy[i] === u) continue;
      lastSeenBy[i] = u;
      items[out] = i;
      time[out] = timestamp[r]!;
      out++;
    }
    userPtr[u + 1] = out;
  }
  return { numUsers, numItems, userPtr, items: items.slice(0, out), time: time.slice(0, out) };
}

/** The entries of `matrix` whose flag in `keep` (one per entry) is 1, as a new matrix. */
export function selectEntries(matrix: UserItemMatrix, keep: Uint8Array): UserItemMatrix {
  const userPtr = new Int32Array(matrix.numUsers + 1);
  let count = 0;
  for (let e = 0; e < keep.length; e++) count += keep[e]!;
  const items = new Int32Array(count);
  const time = new Float64Array(count);
  let out = 0;
  for (let u = 0; u < matrix.numUsers; u++) {
    for (let e = matrix.userPtr[u]!; e < matrix.userPtr[u + 1]!; e++) {
      if (keep[e] === 0) continue;
      items[out] = matrix.items[e]!;
      time[out] = matrix.time[e]!;
      out++;
    }
    userPtr[u + 1] = out;
  }
  return { numUsers: matrix.numUsers, numItems: matrix.numItems, userPtr, items, time };
}

/** Items × users view (CSC of the user × item matrix): the users of each item, by user index. */
export interface ItemUserIndex {
  numUsers: number;
  numItems: number;
  /** `users[itemPtr[i] .. itemPtr[i+1])` are the users of item `i`, ascending. Length `numItems + 1`. */
  itemPtr: Int32Array;
  users: Int32Array;
}

/**
 * Transposes `matrix` into an {@link ItemUserIndex}. With `maxItemsPerUser`, only each user's
 * newest `maxItemsPerUser` items are kept (the cap that bounds RP3beta's Σ n_u² training cost).
 */
export function itemUserIndex(matrix: UserItemMatrix, maxItemsPerUser = Infinity): ItemUserIndex {
  const { numUsers, numItems, userPtr, items } = matrix;
  const itemPtr = new Int32Array(numItems + 1);
  for (let u = 0; u < numUsers; u++) {
    const end = userPtr[u + 1]!;
    for (let e = Math.max(userPtr[u]!, end - maxItemsPerUser); e < end; e++) itemPtr[items[e]! + 1]!++;
  }
  for (let i = 0; i < numItems; i++) itemPtr[i + 1]! += itemPtr[i]!;
  const users = new Int32Array(itemPtr[numItems]!);
  const cursor = itemPtr.slice(0, numItems);
  for (let u = 0; u < numUsers; u++) {
    const end = userPtr[u + 1]!;
    for (let e = Math.max(userPtr[u]!, end - maxItemsPerUser); e < end; e++) users[cursor[items[e]!]!++] = u;
  }
  return { numUsers, numItems, itemPtr, users };
}

/** Number of items of each user (n_u). */
export function userActivity(matrix: UserItemMatrix): Int32Array {
  const activity = new Int32Array(matrix.numUsers);
  for (let u = 0; u < matrix.numUsers; u++) activity[u] = matrix.userPtr[u + 1]! - matrix.userPtr[u]!;
  return activity;
}
