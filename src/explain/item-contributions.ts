/**
 * How much each trained item adds to a user's score for one segment query, with the local
 * engine's formulas (`src/engine/affinity-engine.ts`, `../shared/reference/evaluation.md` §2).
 * Every score there is a sum over the user's distinct past items j (X binary):
 *
 * - Item-Affinity for item i: s(u) = Σ_j X[u,j]·W[j,i], so item j contributes W[j,i];
 * - Item-Attribute-Affinity for the items A matching the query, each with a scale σ (1, or
 *   1/|set| per term set when no trained item matches every term):
 *   s(u) = Σ_{a∈A} σ·((1−γ)·Σ_j X[u,j]·W[j,a] + γ·X[u,a]), so item j contributes
 *   Σ_{a∈A} σ·(1−γ)·W[j,a], plus σ·γ when j itself is in A.
 *
 * W comes from the model's public layout (RP3beta `colPtr`/`rows`/`vals`, EASE `weights`);
 * nothing here changes how the engine ranks.
 */
import type { AffinityModel } from '../engine/affinity-model.js';
import type { QueryScoring } from '../engine/affinity-engine.js';

/**
 * The contribution c_j of every engine item j to the score of any user who interacted with j
 * (a user's score is the sum of c_j over the user's distinct items). Item-item models only
 * (RP3beta, with W by sparse column; EASE, with W dense by column, whose weights may be negative);
 * a factor model (iALS) scores users by their latent factors, not item by item: undefined.
 * @param attributePriorWeight γ of the engine (`AffinityEngine.attributePriorWeight`); unused for Item-Affinity.
 * @returns one value per engine item (length `model.numItems`), or undefined for a factor model.
 */
export function itemContributions(model: AffinityModel, scoring: QueryScoring, attributePriorWeight: number): Float64Array | undefined {
  const numItems = model.numItems;
  const contributions = new Float64Array(numItems);
  let addColumn: (target: number, weight: number) => void;
  if ('colPtr' in model && 'rows' in model && 'vals' in model) {
    const { colPtr, rows, vals } = model;
    addColumn = (target, weight) => {
      for (let p = colPtr[target]!; p < colPtr[target + 1]!; p++) contributions[rows[p]!]! += weight * vals[p]!;
    };
  } else if ('weights' in model && model.weights instanceof Float32Array) {
    // W[i, j] at weights[j·n + i] (see `addUserScores`).
    const weights = model.weights;
    addColumn = (target, weight) => {
      const column = target * numItems;
      for (let i = 0; i < numItems; i++) contributions[i]! += weight * weights[column + i]!;
    };
  } else {
    return undefined;
  }
  const inRange = (target: number): boolean => target >= 0 && target < numItems;
  const addSet = (items: Int32Array, scale: number): void => {
    const gamma = attributePriorWeight;
    for (const target of items) {
      if (!inRange(target)) continue;
      if (gamma < 1) addColumn(target, scale * (1 - gamma));
      if (gamma > 0) contributions[target]! += scale * gamma;
    }
  };
  switch (scoring.kind) {
    case 'item':
      if (inRange(scoring.item)) addColumn(scoring.item, 1);
      break;
    case 'items':
      addSet(scoring.items, 1);
      break;
    case 'terms':
      for (const set of scoring.sets) if (set.length > 0) addSet(set, 1 / set.length);
      break;
    case 'activity':
      break;
  }
  return contributions;
}
