/**
 * The trained models the engine can serve, and the one operation they share: adding to every
 * user's score its propensity for a weighted set of items.
 */
import type { Rp3betaModel } from './rp3beta.js';
import type { ItemUserIndex } from './user-item-matrix.js';

/** Any trained model of the local engine. */
export type AffinityModel = Rp3betaModel;

/**
 * scores[u] += Σ_n weights[n] · propensity(u, items[n]).
 * For item-item models (RP3beta): w = W·v over items, then scores += X·w as a sparse push over
 * the users of each item with w[i] ≠ 0. `buffer` (length = items, all zero) is scratch space and
 * is left all zero.
 */
export function addUserScores(
  model: AffinityModel,
  itemUsers: ItemUserIndex,
  items: Int32Array,
  weights: Float64Array,
  scores: Float64Array,
  buffer: Float64Array = new Float64Array(itemUsers.numItems),
): void {
  const { colPtr, rows, vals } = model;
  const touched: number[] = [];
  for (let n = 0; n < items.length; n++) {
    const j = items[n]!;
    const v = weights[n]!;
    if (j >= model.numItems) continue;
    for (let p = colPtr[j]!; p < colPtr[j + 1]!; p++) {
      const i = rows[p]!;
      if (buffer[i] === 0) touched.push(i);
      buffer[i]! += v * vals[p]!;
    }
  }
  const { itemPtr, users } = itemUsers;
  for (const i of touched) {
    const w = buffer[i]!;
    buffer[i] = 0;
    for (let p = itemPtr[i]!; p < itemPtr[i + 1]!; p++) scores[users[p]!]! += w;
  }
}
