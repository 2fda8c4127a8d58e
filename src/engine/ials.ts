/**
 * iALS (Hu, Koren & Volinsky, "Collaborative Filtering for Implicit Feedback Datasets", ICDM 2008)
 * solved with a few conjugate-gradient steps per row (Takács, Pilászy & Tikk, RecSys 2011).
 * Confidence c = 1 + α on observed pairs, preference 1; zero elsewhere with confidence 1.
 */
import { z } from 'zod';
import { seededRandom, standardNormal } from '../evaluation/seeded-random.js';
import { itemUserIndex, type UserItemMatrix } from './user-item-matrix.js';

export const ialsParamsSchema = z.object({
  /** Latent dimension k. @defaultValue 64 */
  factors: z.number().int().min(1).default(64),
  /** L2 regularisation λ. @defaultValue 200 (MovieLens setting quoted in evaluation.md §2) */
  lambda: z.number().positive().default(200),
  /** Confidence weight α of observed pairs. @defaultValue 40 */
  alpha: z.number().positive().default(40),
  /** Alternating epochs. @defaultValue 15 */
  epochs: z.number().int().min(1).default(15),
  /** Conjugate-gradient steps per row and epoch. @defaultValue 3 */
  cgSteps: z.number().int().min(1).default(3),
  /** Seed of the N(0, 0.1/√k) initialisation. @defaultValue 0 */
  seed: z.number().int().default(0),
});
export type IalsParams = z.infer<typeof ialsParamsSchema>;

/** A trained iALS model: user and item factors, row-major (`[row·k .. row·k + k)`). */
export interface IalsModel {
  kind: 'ials';
  params: IalsParams;
  numItems: number;
  numUsers: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
}

/** Trains iALS-CG on `matrix`. Deterministic for a fixed seed. */
export function trainIals(matrix: UserItemMatrix, params: Partial<IalsParams> = {}): IalsModel {
  const p = ialsParamsSchema.parse(params);
  const k = p.factors;
  const random = seededRandom(p.seed);
  const scale = 0.1 / Math.sqrt(k);
  const users = Float32Array.from({ length: matrix.numUsers * k }, () => standardNormal(random) * scale);
  const items = Float32Array.from({ length: matrix.numItems * k }, () => standardNormal(random) * scale);
  const byItem = itemUserIndex(matrix);
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    solveRows(users, items, matrix.userPtr, matrix.items, k, p);
    solveRows(items, users, byItem.itemPtr, byItem.users, k, p);
  }
  return { kind: 'ials', params: p, numItems: matrix.numItems, numUsers: matrix.numUsers, userFactors: users, itemFactors: items };
}

/** Updates every row of `target` given the fixed factors `other` and the CSR `ptr/cols` of observed pairs. */
function solveRows(target: Float32Array, other: Float32Array, ptr: Int32Array, cols: Int32Array, k: number, p: IalsParams): void {
  const otherRows = other.length / k;
  const gram = new Float64Array(k * k);
  for (let r = 0; r < otherRows; r++) {
    const base = r * k;
    for (let a = 0; a < k; a++) {
      const va = other[base + a]!;
      for (let b = 0; b < k; b++) gram[a * k + b]! += va * other[base + b]!;
    }
  }
  for (let a = 0; a < k; a++) gram[a * k + a]! += p.lambda;
  const x = new Float64Array(k);
  const residual = new Float64Array(k);
  const direction = new Float64Array(k);
  const product = new Float64Array(k);
  // product = (Gram + λI + α Σ q qᵀ) · v over the observed columns of the row.
  const multiply = (v: Float64Array, start: number, end: number) => {
    for (let a = 0; a < k; a++) {
      let sum = 0;
      for (let b = 0; b < k; b++) sum += gram[a * k + b]! * v[b]!;
      product[a] = sum;
    }
    for (let e = start; e < end; e++) {
      const base = cols[e]! * k;
      let dot = 0;
      for (let a = 0; a < k; a++) dot += other[base + a]! * v[a]!;
      dot *= p.alpha;
      for (let a = 0; a < k; a++) product[a]! += dot * other[base + a]!;
    }
  };
  const rows = ptr.length - 1;
  for (let row = 0; row < rows; row++) {
    const start = ptr[row]!;
    const end = ptr[row + 1]!;
    const base = row * k;
    if (start === end) {
      target.fill(0, base, base + k);
      continue;
    }
    for (let a = 0; a < k; a++) x[a] = target[base + a]!;
    multiply(x, start, end);
    for (let a = 0; a < k; a++) residual[a] = -product[a]!;
    for (let e = start; e < end; e++) {
      const ob = cols[e]! * k;
      for (let a = 0; a < k; a++) residual[a]! += (1 + p.alpha) * other[ob + a]!;
    }
    direction.set(residual);
    let rr = 0;
    for (let a = 0; a < k; a++) rr += residual[a]! * residual[a]!;
    for (let step = 0; step < p.cgSteps && rr > 1e-20; step++) {
      multiply(direction, start, end);
      let dAd = 0;
      for (let a = 0; a < k; a++) dAd += direction[a]! * product[a]!;
      const stepSize = rr / dAd;
      let rrNext = 0;
      for (let a = 0; a < k; a++) {
        x[a]! += stepSize * direction[a]!;
        residual[a]! -= stepSize * product[a]!;
        rrNext += residual[a]! * residual[a]!;
      }
      const beta = rrNext / rr;
      for (let a = 0; a < k; a++) direction[a] = residual[a]! + beta * direction[a]!;
      rr = rrNext;
    }
    for (let a = 0; a < k; a++) target[base + a] = x[a]!;
  }
}
