/**
 * Serves the two user-segmentation recipes from a trained model:
 * - Item-Affinity: users ranked by s = X·W[:,i] (the propensity of each user for item i);
 * - Item-Attribute-Affinity: for the items A matching a query, s = (1−γ)·X·W·1_A + γ·X·1_A, the
 *   collaborative score of a pseudo-item "A" blended with the content prior (how many of u's past
 *   items have the attributes). Both terms count items, so they share one scale.
 * Ties and short lists are filled by activity (see {@link UserRanker}).
 * Optional scoring (both off by default): a time-decayed X (`recency-weights.ts`) and scores
 * relative to each user's activity, shrunk toward the population (`shrunk-share.ts`).
 * Formulas: `../shared/reference/evaluation.md` §2.
 */
import type { AffinityModel } from './affinity-model.js';
import { addUserScores } from './affinity-model.js';
import { recencyWeights, type RecencyWeights } from './recency-weights.js';
import { shrunkShareScores } from './shrunk-share.js';
import { UserRanker } from './user-ranker.js';
import { itemUserIndex, userActivity, type ItemUserIndex, type UserItemMatrix } from './user-item-matrix.js';

/** Options of {@link AffinityEngine}. */
export interface AffinityEngineOptions {
  /**
   * γ, weight of the content prior X·1_A in attribute scores (0 = collaborative only, 1 = prior only).
   * @defaultValue 0 (see `defaultAttributePriorWeight`)
   */
  attributePriorWeight?: number;
  /**
   * Weigh each user's past items by recency: the weight halves every `recencyHalfLife` of the
   * user's history (a share, e.g. 0.25); see {@link recencyWeights}. Off when absent.
   */
  recencyHalfLife?: number;
  /**
   * Rank by the shrunk share of each user's history that points at the query, with this prior
   * weight m in items (e.g. 3); see {@link shrunkShareScores}. Off (plain summed scores) when absent.
   */
  shareShrinkage?: number;
  /**
   * κ of the shrunk share: users are ranked by −n_u^κ·ln(1 − q_u); below 1, affinity weighs more than activity.
   * @defaultValue 1
   */
  shareActivityExponent?: number;
}

/** Options of one Item-Affinity segment. */
export interface ItemSegmentOptions {
  numResults: number;
  /** Leave out users who already interacted with the item. @defaultValue true */
  excludeInteracted?: boolean;
}

/** Which trained items a query is scored through (see {@link AffinityEngine.rankQuery}). */
export type QueryScoring =
  /** Item-Affinity for one engine item. */
  | { kind: 'item'; item: number }
  /** The trained items matching every term of an attribute query. */
  | { kind: 'items'; items: Int32Array }
  /** One set of trained items per term (no trained item matches them all); each set is scaled by 1/|set|. */
  | { kind: 'terms'; sets: Int32Array[] }
  /** Nothing is known of the query: users are ranked by activity. */
  | { kind: 'activity' };

/** A trained model bound to the interactions it scores. Not safe for concurrent queries. */
export class AffinityEngine {
  readonly activity: Int32Array;
  readonly itemUsers: ItemUserIndex;
  readonly attributePriorWeight: number;
  readonly shareShrinkage: number | undefined;
  readonly shareActivityExponent: number;
  private readonly recency: RecencyWeights | undefined;
  private readonly ranker: UserRanker;
  private readonly scores: Float64Array;
  private readonly itemWeights: Float64Array;

  constructor(
    matrix: UserItemMatrix,
    readonly model: AffinityModel,
    options: AffinityEngineOptions = {},
  ) {
    this.activity = userActivity(matrix);
    this.itemUsers = itemUserIndex(matrix);
    this.attributePriorWeight = options.attributePriorWeight ?? 0;
    this.shareShrinkage = options.shareShrinkage;
    this.shareActivityExponent = options.shareActivityExponent ?? 1;
    this.recency = options.recencyHalfLife === undefined ? undefined : recencyWeights(matrix, this.itemUsers, options.recencyHalfLife);
    this.ranker = new UserRanker(this.activity);
    this.scores = new Float64Array(matrix.numUsers);
    this.itemWeights = new Float64Array(matrix.numItems);
  }

  /** Users that can appear in a segment (with at least one training interaction). */
  get candidateCount(): number {
    return this.ranker.candidateCount;
  }

  get numUsers(): number {
    return this.activity.length;
  }

  /** The scores (one per user) behind the last ranking; overwritten by the next query. */
  get lastScores(): Float64Array {
    return this.scores;
  }

  /** Users (index, best first) for item `item`; its past users are left out unless told otherwise. */
  itemAffinity(item: number, options: ItemSegmentOptions): Int32Array {
    this.scores.fill(0);
    addUserScores(this.model, this.itemUsers, Int32Array.of(item), Float64Array.of(1), this.scores, this.itemWeights, this.recency?.weights);
    this.relativeToActivity();
    const excluded =
      options.excludeInteracted === false
        ? undefined
        : this.itemUsers.users.subarray(this.itemUsers.itemPtr[item], this.itemUsers.itemPtr[item + 1]);
    return this.ranker.top(this.scores, options.numResults, excluded);
  }

  /**
   * Users (index, best first) for a set of items: the score of a pseudo-item made of `items`
   * (each with weight `weights[n]`, default 1) blended with the content prior.
   */
  itemSetAffinity(items: Int32Array, numResults: number, weights?: Float64Array): Int32Array {
    this.scores.fill(0);
    this.addItemSetScores(items, weights ?? new Float64Array(items.length).fill(1), 1, this.scores);
    this.relativeToActivity();
    return this.ranker.top(this.scores, numResults);
  }

  /**
   * Users (index, best first) for several item sets that must all be liked (the terms of an AND
   * query no item has in training): the sum of each set's score per item of the set.
   */
  itemSetsAffinity(sets: readonly Int32Array[], numResults: number): Int32Array {
    this.scores.fill(0);
    for (const items of sets) {
      if (items.length === 0) continue;
      this.addItemSetScores(items, new Float64Array(items.length).fill(1), 1 / items.length, this.scores);
    }
    this.relativeToActivity();
    return this.ranker.top(this.scores, numResults);
  }

  /** Users (index, best first) by activity only: the fallback when nothing is known of a query. */
  activityRanking(numResults: number): Int32Array {
    this.scores.fill(0);
    return this.ranker.top(this.scores, numResults);
  }

  /** Users (index, best first) for a resolved query, as the local provider serves it; `excludeInteracted` applies to Item-Affinity only. */
  rankQuery(scoring: QueryScoring, options: ItemSegmentOptions): Int32Array {
    switch (scoring.kind) {
      case 'item':
        return this.itemAffinity(scoring.item, options);
      case 'items':
        return this.itemSetAffinity(scoring.items, options.numResults);
      case 'terms':
        return this.itemSetsAffinity(scoring.sets, options.numResults);
      case 'activity':
        return this.activityRanking(options.numResults);
    }
  }

  /** Ranks `scores` (one per user) with this engine's tie-break and candidate rules. */
  rank(scores: Float64Array, numResults: number, excluded?: ArrayLike<number>): Int32Array {
    return this.ranker.top(scores, numResults, excluded);
  }

  private addItemSetScores(items: Int32Array, weights: Float64Array, scale: number, scores: Float64Array): void {
    const gamma = this.attributePriorWeight;
    if (gamma < 1) {
      const scaled = weights.map((w) => w * (1 - gamma) * scale);
      addUserScores(this.model, this.itemUsers, items, scaled, scores, this.itemWeights, this.recency?.weights);
    }
    if (gamma > 0) {
      const { itemPtr, users } = this.itemUsers;
      const entryWeights = this.recency?.weights;
      for (let n = 0; n < items.length; n++) {
        const i = items[n]!;
        const w = weights[n]! * gamma * scale;
        for (let p = itemPtr[i]!; p < itemPtr[i + 1]!; p++) scores[users[p]!]! += entryWeights ? w * entryWeights[p]! : w;
      }
    }
  }

  /** With `shareShrinkage`, turns this.scores into shrunk shares of each user's history. */
  private relativeToActivity(): void {
    if (this.shareShrinkage === undefined) return;
    shrunkShareScores(this.scores, this.recency?.mass ?? this.activity, this.activity, this.shareShrinkage, this.shareActivityExponent);
  }
}
