/**
 * Percentile bootstrap confidence intervals of a mean over queries (Efron & Tibshirani 1993,
 * ch. 13), seeded so that a report is reproducible.
 */
import { seededRandom } from './seeded-random.js';

/** A mean with its bootstrap interval. */
export interface MeanWithInterval {
  mean: number;
  /** Lower and upper bound of the central `level` interval. */
  low: number;
  high: number;
}

/** Options of {@link bootstrapMean}. */
export interface BootstrapOptions {
  /** @defaultValue 1000 */
  resamples?: number;
  /** @defaultValue 0 */
  seed?: number;
  /** Coverage of the interval. @defaultValue 0.95 */
  level?: number;
}

/** Mean of `values` and its percentile bootstrap interval (resampling values with replacement). */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions = {}): MeanWithInterval {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN };
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const random = seededRandom(options.seed ?? 0);
  let total = 0;
  for (let q = 0; q < n; q++) total += values[q]!;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let q = 0; q < n; q++) sum += values[Math.floor(random() * n)]!;
    means[b] = sum / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  const at = (p: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))]!;
  return { mean: total / n, low: at(tail), high: at(1 - tail) };
}
