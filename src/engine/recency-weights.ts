/**
 * Time-decayed user histories: each of a user's past items counts with a weight that halves every
 * `halfLife` of the user's own history, newest item first (Ding & Li, "Time weight collaborative
 * filtering", CIKM 2005: f(t) = e^{−λt} with λ = ln 2 / half-life; here t is the item's position
 * from the newest, in items, and the half-life is a share of each user's history, so a wholesaler's
 * and an occasional buyer's recent tastes count alike).
 */
import type { ItemUserIndex, UserItemMatrix } from './user-item-matrix.js';

/** Weights of every (item, user) entry, aligned with an {@link ItemUserIndex}. */
export interface RecencyWeights {
  /** `weights[p]` belongs to `itemUsers.users[p]` (same layout as the index). */
  weights: Float64Array;
  /** Σ of each user's weights (the decayed history length). */
  mass: Float64Array;
}

/**
 * Weight of the r-th newest item (r = 0 for the newest) of a user with n items:
 * 0.5^(r / max(1, halfLife·n)).
 * @param itemUsers the uncapped index of `matrix` (`itemUserIndex(matrix)`), whose order the weights follow.
 * @param halfLife share of each user's history after which a weight halves, > 0 (e.g. 0.25).
 * @throws RangeError when `halfLife` is not positive.
 */
export function recencyWeights(matrix: UserItemMatrix, itemUsers: ItemUserIndex, halfLife: number): RecencyWeights {
  if (!(halfLife > 0)) throw new RangeError(`halfLife must be > 0, got ${halfLife}`);
  const { numUsers, userPtr, items } = matrix;
  const weights = new Float64Array(itemUsers.users.length);
  const mass = new Float64Array(numUsers);
  const cursor = itemUsers.itemPtr.slice(0, itemUsers.numItems);
  // itemUserIndex fills each item's users in ascending user order: replaying that order aligns the weights.
  for (let u = 0; u < numUsers; u++) {
    const start = userPtr[u]!;
    const end = userPtr[u + 1]!;
    const steps = Math.max(1, halfLife * (end - start));
    // Oldest first (the index order): start at 0.5^((n−1)/steps) and double every `steps` items.
    const growth = Math.pow(2, 1 / steps);
    let w = Math.pow(0.5, (end - 1 - start) / steps);
    for (let e = start; e < end; e++, w *= growth) {
      weights[cursor[items[e]!]!++] = w;
      mass[u]! += w;
    }
  }
  return { weights, mass };
}
