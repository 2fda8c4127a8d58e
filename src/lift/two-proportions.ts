/**
 * Confidence intervals for comparing two conversion rates (treatment x₁/n₁ vs control x₂/n₂).
 *
 * - Wilson score interval for one proportion: E. B. Wilson, "Probable inference, the law of
 *   succession, and statistical inference", JASA 22 (1927) 209–212.
 * - Absolute lift p₁ − p₂: Newcombe's hybrid score interval (method 10) built from the two Wilson
 *   intervals: R. G. Newcombe, "Interval estimation for the difference between independent
 *   proportions: comparison of eleven methods", Statistics in Medicine 17 (1998) 873–890.
 *   With Wilson limits (l₁, u₁) and (l₂, u₂):
 *     lower = (p₁ − p₂) − √((p₁ − l₁)² + (u₂ − p₂)²)
 *     upper = (p₁ − p₂) + √((u₁ − p₁)² + (p₂ − l₂)²)
 *   It stays inside [−1, 1], behaves at 0 or n conversions, and keeps close to its nominal coverage
 *   at small samples, where the Wald interval does not.
 * - Relative lift p₁/p₂ − 1: the log risk-ratio interval of D. Katz, J. Baptista, S. P. Azen and
 *   M. C. Pike, "Obtaining confidence intervals for the risk ratio in cohort studies", Biometrics 34
 *   (1978) 469–474: ln(p₁/p₂) ± z·√(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂), undefined when x₁ or x₂ is 0.
 */

/** z of a two-sided 95 % interval: Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

/** A closed interval. */
export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Wilson score interval of x successes in n trials.
 * @throws RangeError when n < 1 or x is outside [0, n]
 */
export function wilsonInterval(x: number, n: number, z = Z_95): Interval {
  if (n < 1 || x < 0 || x > n) throw new RangeError(`wilsonInterval: expected 0 ≤ x ≤ n and n ≥ 1, got x=${x}, n=${n}`);
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Newcombe's hybrid score interval (method 10) of p₁ − p₂. */
export function newcombeDifferenceInterval(x1: number, n1: number, x2: number, n2: number, z = Z_95): Interval {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const w1 = wilsonInterval(x1, n1, z);
  const w2 = wilsonInterval(x2, n2, z);
  const difference = p1 - p2;
  return {
    lower: difference - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
    upper: difference + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
  };
}

/** Katz log interval of p₁/p₂ − 1 (relative lift), or undefined when either arm has no success. */
export function relativeLiftInterval(x1: number, n1: number, x2: number, n2: number, z = Z_95): Interval | undefined {
  if (x1 === 0 || x2 === 0) return undefined;
  const logRatio = Math.log(x1 / n1 / (x2 / n2));
  const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2);
  return { lower: Math.exp(logRatio - z * se) - 1, upper: Math.exp(logRatio + z * se) - 1 };
}
