/**
 * Ranking metrics of one segment against the users who really interacted
 * (`../shared/reference/evaluation.md` §3.8). Personalize's `hits_at_1_percent` and
 * `recall_at_1_percent` are hits@K and recall@K at K = 1% of the candidate users.
 */

/** Metrics of one ranked list at one cut-off K. */
export interface RankingMetrics {
  /** |top-K ∩ relevant| (Personalize "hit"). */
  hits: number;
  /** 1 when hits > 0. */
  hitRate: number;
  /** hits / K. */
  precision: number;
  /** hits / |relevant|. */
  recall: number;
  /** DCG with gain 1/log2(rank + 1), over the ideal DCG of min(K, |relevant|) hits. */
  ndcg: number;
}

/**
 * Scores `ranked` (user indices, best first; only the first `k` count) against `relevant`.
 * @param isRelevant membership test of the relevant users.
 */
export function rankingMetrics(ranked: ArrayLike<number>, k: number, isRelevant: (user: number) => boolean, relevantCount: number): RankingMetrics {
  let hits = 0;
  let dcg = 0;
  const cut = Math.min(k, ranked.length);
  for (let r = 0; r < cut; r++) {
    if (isRelevant(ranked[r]!)) {
      hits++;
      dcg += 1 / Math.log2(r + 2);
    }
  }
  let ideal = 0;
  for (let r = 0; r < Math.min(k, relevantCount); r++) ideal += 1 / Math.log2(r + 2);
  return {
    hits,
    hitRate: hits > 0 ? 1 : 0,
    precision: hits / k,
    recall: relevantCount > 0 ? hits / relevantCount : 0,
    ndcg: ideal > 0 ? dcg / ideal : 0,
  };
}
