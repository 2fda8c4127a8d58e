/**
 * Affinity relative to each user's own activity: a user's summed score for a query is turned into
 * the share q of the user's history that points at the query, shrunk toward the population's share,
 * and then into the chance of at least one such item among the user's next purchases.
 *
 * - Share: RP3beta's rows of W sum to 1, so (X·W·v)_u / n_u is the probability that one random-walk
 *   step from a random past item of u lands on the query's items; the content prior X·1_A / n_u is
 *   the share of u's items that have the attribute. Both are shares of u's history.
 * - Shrinkage: q_u = (s_u + m·p) / (n_u + m), the posterior mean of a Beta(m·p, m·(1−p)) prior
 *   centred on the population share p = Σ s / Σ n (empirical Bayes, Efron & Morris, JASA 1975;
 *   "Bayesian average"): a user with a short history gets the population's share, not 0 or 1.
 * - At least one of t_u next items: 1 − (1 − q_u)^{t_u}, ranked by the monotone equivalent
 *   −t_u·ln(1 − q_u). With t_u ∝ n_u (κ = 1; the evaluation's split P holds out 20% of each user's
 *   items) a wholesaler who buys a bit of everything still outranks a small buyer of only the
 *   attribute; t_u = n_u^κ with κ < 1 assumes that heavy buyers' next purchases grow less than
 *   their history and lets affinity outweigh activity.
 *
 * Item-item models only (RP3beta); with EASE or iALS scores are not shares.
 */

/**
 * Replaces `scores` (summed propensities, one per user) in place by −n_u^κ·ln(1 − q_u).
 * @param mass history length per user in the units of `scores` (n_u, or the decayed Σ weights).
 * @param activity n_u, the number of distinct training items of each user (0: not a candidate, left at 0).
 * @param shrinkage m ≥ 0, the prior's weight in items.
 * @param activityExponent κ, how the expected number of next purchases grows with n_u.
 */
export function shrunkShareScores(scores: Float64Array, mass: ArrayLike<number>, activity: Int32Array, shrinkage: number, activityExponent = 1): void {
  let scoreSum = 0;
  let massSum = 0;
  for (let u = 0; u < scores.length; u++) {
    if (activity[u] === 0) continue;
    scoreSum += scores[u]!;
    massSum += mass[u]!;
  }
  const population = massSum > 0 ? Math.max(0, scoreSum / massSum) : 0;
  const ceiling = 1 - 1e-12;
  for (let u = 0; u < scores.length; u++) {
    const n = activity[u]!;
    if (n === 0) {
      scores[u] = 0;
      continue;
    }
    const share = Math.min(ceiling, Math.max(0, (scores[u]! + shrinkage * population) / (mass[u]! + shrinkage)));
    scores[u] = -Math.pow(n, activityExponent) * Math.log1p(-share);
  }
}
