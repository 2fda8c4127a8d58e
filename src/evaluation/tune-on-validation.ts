/**
 * Hyperparameter tuning on a validation split inside the training data only
 * (`../shared/reference/evaluation.md` §3.4): the training matrix is split again (newest 20% of
 * each user), every setting of the grid is scored there by mean NDCG@25 over Item-Affinity and
 * attribute queries, and the best setting is refitted on the whole training matrix.
 */
import type { Items } from '../datasets/datasets.js';
import { AffinityEngine } from '../engine/affinity-engine.js';
import { trainRp3beta, type Rp3betaParams } from '../engine/rp3beta.js';
import type { UserItemMatrix } from '../engine/user-item-matrix.js';
import { defaultAttributeColumns, rankWithEngine, type CandidateModel, type EngineScoring } from './evaluate-engine.js';
import { attributeQueries, indexSplit, itemQueries, type EvaluationQuery } from './evaluation-queries.js';
import { rankingMetrics } from './ranking-metrics.js';
import { splitPerUser } from './splits.js';

/** The grid of the reference (§2) plus γ of attribute scores. */
export const tuningGrid = {
  alpha: [0.5, 1],
  beta: [0.3, 0.5, 0.7],
  neighbours: [100, 200, 500],
  attributePriorWeight: [0, 0.25, 0.5],
};

/** With `scoring: true`: the engine scorings tried for every setting of {@link tuningGrid} (off, recency, shrunk share with κ = 1 and 0.75, both). */
export const scoringGrid: EngineScoring[] = [{}, { recencyHalfLife: 0.25 }].flatMap((recency) => [
  recency,
  { ...recency, shareShrinkage: 3 },
  { ...recency, shareShrinkage: 3, shareActivityExponent: 0.75 },
]);

/** The chosen setting and its validation score. */
export interface TunedSetting {
  params: Partial<Rp3betaParams>;
  attributePriorWeight: number;
  /** The chosen engine scoring (empty unless tuned with `scoring: true`). */
  scoring: EngineScoring;
  validationNdcgAt25: number;
}

/** Options of {@link tuneRp3beta}. */
export interface TuneOptions {
  seed?: number;
  /** Also choose the engine scoring from {@link scoringGrid}. @defaultValue false */
  scoring?: boolean;
}

/** Mean NDCG@25 of `engine` over `queries`. */
function meanNdcgAt25(engine: AffinityEngine, queries: EvaluationQuery[]): number {
  if (queries.length === 0) return 0;
  let total = 0;
  for (const query of queries) {
    const relevant = new Set(query.relevant);
    total += rankingMetrics(rankWithEngine(engine, query, 25), 25, (u) => relevant.has(u), relevant.size).ndcg;
  }
  return total / queries.length;
}

/** Tunes RP3beta and γ (and with `scoring`, the engine scoring) on a validation split of `train`. */
export async function tuneRp3beta(train: UserItemMatrix, items: Items, itemIds: readonly string[], options: TuneOptions = {}): Promise<TunedSetting> {
  const validation = splitPerUser(train);
  const index = indexSplit(validation);
  const itemSet = itemQueries(index, itemIds, { maxItemQueries: 200, seed: options.seed ?? 0 });
  const attributeSet = attributeQueries(index, items, itemIds, defaultAttributeColumns(items));
  let best: TunedSetting | undefined;
  for (const alpha of tuningGrid.alpha) {
    for (const beta of tuningGrid.beta) {
      for (const neighbours of tuningGrid.neighbours) {
        const params = { alpha, beta, neighbours };
        const model = await trainRp3beta(validation.train, params);
        for (const scoring of options.scoring ? scoringGrid : [{}]) {
          const itemScore = meanNdcgAt25(new AffinityEngine(validation.train, model, scoring), itemSet);
          for (const attributePriorWeight of tuningGrid.attributePriorWeight) {
            const engine = new AffinityEngine(validation.train, model, { ...scoring, attributePriorWeight });
            const score = attributeSet.length > 0 ? (itemScore + meanNdcgAt25(engine, attributeSet)) / 2 : itemScore;
            if (!best || score > best.validationNdcgAt25) best = { params, attributePriorWeight, scoring, validationNdcgAt25: score };
          }
        }
      }
    }
  }
  return best!;
}

/** A candidate that tunes on a validation split of each training matrix it is given, then refits. */
export function tunedRp3betaCandidate(items: Items, itemIds: readonly string[], options: TuneOptions & { onTuned?: (setting: TunedSetting) => void } = {}): CandidateModel {
  return {
    name: 'rp3beta-tuned',
    train: async (matrix) => {
      const setting = await tuneRp3beta(matrix, items, itemIds, options);
      options.onTuned?.(setting);
      return { model: await trainRp3beta(matrix, setting.params), attributePriorWeight: setting.attributePriorWeight, scoring: setting.scoring };
    },
  };
}
