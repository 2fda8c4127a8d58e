/**
 * Minimum affinity instead of padding (`segment.fill`, `segment.minPercentile`): cuts a ranked
 * segment at the last user with a positive affinity score, or at a percentile of the positive
 * scores, and says how many users had any affinity and how many were padded by activity.
 */

/**
 * `none`: a segment stops at the last user with a positive affinity score. `activity`: it is
 * filled up to `numResults` with the most active users whose score is 0 (the engine's tie-break).
 */
export type SegmentFill = 'none' | 'activity';

/** What the floor did to one segment. */
export interface AffinityCounts {
  fill: SegmentFill;
  /** Users of the segment with a positive affinity score. */
  withAffinity: number;
  /** Users of the segment with a score of 0, ranked by activity only (`fill: activity`). */
  padded: number;
  /** Users with a positive score left out by `minPercentile`. */
  belowPercentile: number;
}

/** Options of {@link applyAffinityFloor}. */
export interface AffinityFloorOptions {
  numResults: number;
  fill: SegmentFill;
  /**
   * Keep only users whose score is at or above this percentile (0–100, nearest-rank method) of the
   * positive scores in `scores`; 90 keeps about the top 10 % of the users with any affinity.
   */
  minPercentile?: number;
}

/**
 * The nearest-rank percentile of `values` (Hyndman & Fan 1996, definition 1; NIST/SEMATECH
 * e-Handbook §7.2.6.2): the smallest value such that at least `percentile` % of the values are ≤ it.
 * @param values - at least one value, in any order
 */
export function nearestRankPercentile(values: readonly number[], percentile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * Cuts a ranked segment by its scores.
 * @param usersList - USER_IDs best first, as long as the caller could get (all candidates with a
 *   positive score when `minPercentile` is set, so the percentile is taken over all of them)
 * @param scores - the score of each user of `usersList`, descending
 * @returns at most `numResults` users with their scores, and the counts for the report
 */
export function applyAffinityFloor(
  usersList: readonly string[],
  scores: readonly number[],
  options: AffinityFloorOptions,
): { usersList: string[]; scores: number[]; counts: AffinityCounts } {
  const positive = scores.filter((score) => score > 0);
  const threshold = options.minPercentile !== undefined && positive.length > 0 ? nearestRankPercentile(positive, options.minPercentile) : 0;
  const keptUsers: string[] = [];
  const keptScores: number[] = [];
  const counts: AffinityCounts = { fill: options.fill, withAffinity: 0, padded: 0, belowPercentile: 0 };
  for (const [index, userId] of usersList.entries()) {
    if (keptUsers.length >= options.numResults) break;
    const score = scores[index] ?? 0;
    if (score > 0 && score < threshold) continue;
    if (score > 0) counts.withAffinity += 1;
    else if (options.fill === 'none' || options.minPercentile !== undefined) break;
    else counts.padded += 1;
    keptUsers.push(userId);
    keptScores.push(score);
  }
  counts.belowPercentile = positive.filter((score) => score < threshold).length;
  return { usersList: keptUsers, scores: keptScores, counts };
}

/** The line the run report shows for a segment the floor shortened or padded, or undefined. */
export function describeAffinityCounts(counts: AffinityCounts, numResults: number): string | undefined {
  const number = (value: number) => value.toLocaleString('en-US');
  if (counts.padded > 0) {
    return `${number(counts.withAffinity)} users with affinity; ${number(counts.padded)} more padded by activity (score 0) to reach numResults ${number(numResults)} (fill: activity)`;
  }
  if (counts.belowPercentile > 0) {
    return `${number(counts.withAffinity)} users at or above minPercentile; ${number(counts.belowPercentile)} with a lower positive score left out`;
  }
  if (counts.withAffinity < numResults) return `${number(counts.withAffinity)} users with affinity; numResults ${number(numResults)} not reached (fill: none)`;
  return undefined;
}
