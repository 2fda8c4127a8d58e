/**
 * EASE^R (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the closed-form
 * item-item model B = I − P·diagMat(1/diag P) with P = (XᵀX + λI)⁻¹ and diag B = 0. Dense in the
 * number of items (I² floats, O(I³) time), so only for small catalogues.
 */
import { z } from 'zod';
import { easeMaxItems } from './ease-max-items.js';
import type { UserItemMatrix } from './user-item-matrix.js';

export const easeParamsSchema = z.object({
  /**
   * L2 regularisation λ added to the Gram diagonal.
   * @defaultValue 200 (reference range 200–6400; 238.6 on ML-1M [ANL])
   */
  lambda: z.number().positive().default(200),
});
export type EaseParams = z.infer<typeof easeParamsSchema>;

/** A trained EASE model: B by column (`weights[i + j·numItems]` = B[i, j]). */
export interface EaseModel {
  kind: 'ease';
  params: EaseParams;
  numItems: number;
  weights: Float32Array;
}

/** Trains EASE on `matrix`. @throws RangeError above {@link easeMaxItems} items. */
export function trainEase(matrix: UserItemMatrix, params: Partial<EaseParams> = {}): EaseModel {
  const p = easeParamsSchema.parse(params);
  const n = matrix.numItems;
  if (n > easeMaxItems) throw new RangeError(`EASE needs a dense ${n} × ${n} inverse; it is limited to ${easeMaxItems} items`);
  const a = new Float64Array(n * n);
  for (let u = 0; u < matrix.numUsers; u++) {
    const start = matrix.userPtr[u]!;
    const end = matrix.userPtr[u + 1]!;
    for (let x = start; x < end; x++) {
      const row = matrix.items[x]! * n;
      for (let y = start; y < end; y++) a[row + matrix.items[y]!]! += 1;
    }
  }
  for (let i = 0; i < n; i++) a[i * n + i]! += p.lambda;
  invertSymmetricPositiveDefinite(a, n);
  const weights = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    const pjj = a[j * n + j]!;
    for (let i = 0; i < n; i++) if (i !== j) weights[i + j * n] = -a[i * n + j]! / pjj;
  }
  return { kind: 'ease', params: p, numItems: n, weights };
}

/** In-place Gauss–Jordan inverse of a symmetric positive definite matrix (no pivoting needed). */
function invertSymmetricPositiveDefinite(a: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const rowK = k * n;
    const pivot = a[rowK + k]!;
    a[rowK + k] = 1;
    for (let j = 0; j < n; j++) a[rowK + j]! /= pivot;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const rowI = i * n;
      const factor = a[rowI + k]!;
      if (factor === 0) continue;
      a[rowI + k] = 0;
      for (let j = 0; j < n; j++) a[rowI + j]! -= factor * a[rowK + j]!;
    }
  }
}
