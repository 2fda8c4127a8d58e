/**
 * The trained models the engine can serve, and the one operation they share: adding to every
 * user's score its propensity for a weighted set of items.
 */
import type { EaseModel } from './ease.js';
import type { IalsModel } from './ials.js';
import type { Rp3betaModel } from './rp3beta.js';
import type { ItemUserIndex } from './user-item-matrix.js';

/** Any trained model of the local engine. */
export type AffinityModel = Rp3betaModel | EaseModel | IalsModel;

/**
 * scores[u] += Σ_n weights[n] · propensity(u, items[n]).
 * Item-item models (RP3beta, EASE): w = W·v over items, then scores += X·w as a sparse push over
 * the users of each item with w[i] ≠ 0. Factor models (iALS): scores += P·(Σ_n v_n q_n).
 * `buffer` (length = items, all zero) is scratch space and is left all zero.
 * `entryWeights` (aligned with `itemUsers.users`, e.g. `recencyWeights`) weighs each past
 * item of each user in the push (X with weights instead of 0/1); factor models ignore it.
 */
export function addUserScores(
  model: AffinityModel,
  itemUsers: ItemUserIndex,
  items: Int32Array,
  weights: Float64Array,
  scores: Float64Array,
  buffer: Float64Array = new Float64Array(itemUsers.numItems),
  entryWeights?: Float64Array,
): void {
  if (model.kind === 'ials') {
    const k = model.params.factors;
    const query = new Float64Array(k);
    for (let n = 0; n < items.length; n++) {
      const base = items[n]! * k;
      if (items[n]! >= model.numItems) continue;
      for (let a = 0; a < k; a++) query[a]! += weights[n]! * model.itemFactors[base + a]!;
    }
    const users = Math.min(model.numUsers, scores.length);
    for (let u = 0; u < users; u++) {
      const base = u * k;
      let dot = 0;
      for (let a = 0; a < k; a++) dot += model.userFactors[base + a]! * query[a]!;
      scores[u]! += dot;
    }
    return;
  }
  const touched: number[] = [];
  if (model.kind === 'ease') {
    const n = model.numItems;
    for (let q = 0; q < items.length; q++) {
      const j = items[q]!;
      if (j >= n) continue;
      const column = j * n;
      for (let i = 0; i < n; i++) {
        const w = model.weights[column + i]!;
        if (w === 0) continue;
        if (buffer[i] === 0) touched.push(i);
        buffer[i]! += weights[q]! * w;
      }
    }
  } else {
    const { colPtr, rows, vals } = model;
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
  }
  const { itemPtr, users } = itemUsers;
  for (const i of touched) {
    const w = buffer[i]!;
    buffer[i] = 0;
    if (entryWeights) for (let p = itemPtr[i]!; p < itemPtr[i + 1]!; p++) scores[users[p]!]! += w * entryWeights[p]!;
    else for (let p = itemPtr[i]!; p < itemPtr[i + 1]!; p++) scores[users[p]!]! += w;
  }
}
