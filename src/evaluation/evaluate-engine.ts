/**
 * Offline evaluation of the local engine with the protocol of `../shared/reference/evaluation.md`
 * §3: splits P (per user, newest 20%) and F (global time cut at the 90th percentile), Item-Affinity
 * per test item, Item-Attribute-Affinity per attribute value, and a cold-item subset; metrics at
 * K = 1% of candidates, 25 and 100; 95% bootstrap intervals; random and activity baselines with
 * the paired difference to activity.
 */
import type { Items } from '../datasets/datasets.js';
import type { Interactions } from '../datasets/datasets.js';
import { AffinityEngine, type AffinityEngineOptions } from '../engine/affinity-engine.js';
import type { AffinityModel } from '../engine/affinity-model.js';
import { defaultAttributePriorWeight } from '../engine/local-model.js';
import { trainEase, type EaseParams } from '../engine/ease.js';
import { trainIals, type IalsParams } from '../engine/ials.js';
import { trainRp3beta, type Rp3betaParams } from '../engine/rp3beta.js';
import { buildUserItemMatrix, type UserItemMatrix } from '../engine/user-item-matrix.js';
import { queryableColumns } from '../expressions/index.js';
import { bootstrapMean, type MeanWithInterval } from './bootstrap.js';
import {
  attributeQueries,
  coldItemSample,
  indexSplit,
  itemQueries,
  type EvaluationQuery,
  type QueryOptions,
} from './evaluation-queries.js';
import { rankingMetrics } from './ranking-metrics.js';
import { seededRandom } from './seeded-random.js';
import { holdOutItems, splitByTime, splitPerUser, type TrainTestSplit } from './splits.js';

/** Split names: `P` (per user, newest 20%), `F` (global time cut). */
export type SplitName = 'P' | 'F';
/** Query sets: Item-Affinity, Item-Attribute-Affinity, attribute queries about new items only. */
export type RecipeName = 'item' | 'attribute' | 'cold';

/** Scoring options of the engine besides γ (recency-weighted histories, shrunk shares). */
export type EngineScoring = Pick<AffinityEngineOptions, 'recencyHalfLife' | 'shareShrinkage' | 'shareActivityExponent'>;

/** A model to evaluate: trains on a split's training matrix. */
export interface CandidateModel {
  name: string;
  /** The trained model, the γ of its attribute scores and any other scoring option of the engine. */
  train(matrix: UserItemMatrix): Promise<{ model: AffinityModel; attributePriorWeight: number; scoring?: EngineScoring }>;
}

/** The default model of the engine (RP3beta with its documented defaults). */
export function rp3betaCandidate(params: Partial<Rp3betaParams> = {}, attributePriorWeight = defaultAttributePriorWeight, name = 'rp3beta'): CandidateModel {
  return { name, train: async (matrix) => ({ model: await trainRp3beta(matrix, params), attributePriorWeight }) };
}

/** iALS-CG with its documented defaults (`src/engine/ials.ts`). */
export function ialsCandidate(params: Partial<IalsParams> = {}): CandidateModel {
  return { name: 'ials', train: (matrix) => Promise.resolve({ model: trainIals(matrix, params), attributePriorWeight: 0 }) };
}

/** EASE with its documented defaults (`src/engine/ease.ts`); small catalogues only. */
export function easeCandidate(params: Partial<EaseParams> = {}): CandidateModel {
  return { name: 'ease', train: (matrix) => Promise.resolve({ model: trainEase(matrix, params), attributePriorWeight: 0 }) };
}

/** Options of {@link evaluateEngine}. */
export interface EvaluationOptions extends QueryOptions {
  splits?: SplitName[];
  recipes?: RecipeName[];
  /** Attribute columns; default: every categorical column a query may use. */
  columns?: string[];
  /** Models to evaluate; default: the engine's default model. */
  models?: CandidateModel[];
  /** Share of trained items held out as new items for the cold subset. @defaultValue 0.1 */
  coldItemFraction?: number;
  /** Bootstrap resamples. @defaultValue 1000 */
  resamples?: number;
  /** Called as each part finishes, for progress lines. */
  onProgress?: (message: string) => void;
}

/** Metric keys: Personalize's names at K = 1%, then `<metric>_at_<K>`. */
export const cutoffs = ['1_percent', '25', '100'] as const;
export type Cutoff = (typeof cutoffs)[number];

/** Metrics of one method on one query set. */
export interface MethodResult {
  method: string;
  /** Macro-averaged metrics with 95% bootstrap intervals, e.g. `recall_at_1_percent`, `ndcg_at_25`. */
  metrics: Record<string, MeanWithInterval>;
  /** Per metric: mean paired difference (this method − activity) with its bootstrap interval. */
  versusActivity: Record<string, MeanWithInterval>;
  /** Share of candidate users that appear in at least one top-1% segment. */
  coverage: number;
}

/** Results of one query set of one split. */
export interface RecipeResult {
  recipe: RecipeName;
  queries: number;
  /** Mean number of relevant users per query. */
  meanRelevant: number;
  /** Mean K at 1% of candidates. */
  meanK1Percent: number;
  methods: MethodResult[];
}

export interface SplitResult {
  split: SplitName;
  trainEntries: number;
  testEntries: number;
  recipes: RecipeResult[];
}

/** The whole evaluation, JSON-serialisable. */
export interface EvaluationReport {
  users: number;
  items: number;
  /** Distinct (user, item) pairs. */
  pairs: number;
  columns: string[];
  splits: SplitResult[];
}

const metricNames = ['hits', 'hr', 'precision', 'recall', 'ndcg'] as const;

/** Runs the evaluation protocol on `interactions` and `items`. Deterministic for fixed options. */
export async function evaluateEngine(interactions: Interactions, items: Items, options: EvaluationOptions = {}): Promise<EvaluationReport> {
  const matrix = buildUserItemMatrix(interactions);
  const columns = options.columns ?? defaultAttributeColumns(items);
  const models = options.models ?? [rp3betaCandidate()];
  const recipes = options.recipes ?? ['item', 'attribute', 'cold'];
  const splits: SplitResult[] = [];
  for (const name of options.splits ?? ['P', 'F']) {
    const split = name === 'P' ? splitPerUser(matrix) : splitByTime(matrix);
    const index = indexSplit(split);
    const result: SplitResult = { split: name, trainEntries: split.train.items.length, testEntries: split.test.items.length, recipes: [] };
    const warmQueries = new Map<RecipeName, EvaluationQuery[]>();
    if (recipes.includes('item')) warmQueries.set('item', itemQueries(index, interactions.itemIds, options));
    if (recipes.includes('attribute')) warmQueries.set('attribute', attributeQueries(index, items, interactions.itemIds, columns, options));
    if (warmQueries.size > 0) {
      result.recipes.push(...(await evaluateQuerySets(split, warmQueries, models, options)));
      options.onProgress?.(`split ${name}: warm queries done`);
    }
    if (recipes.includes('cold')) {
      const cold = coldItemSample(index, options.coldItemFraction ?? 0.1, options.seed ?? 0);
      const coldSplit = holdOutItems(split, cold);
      const coldQueries = attributeQueries(indexSplit(coldSplit), items, interactions.itemIds, columns, { ...options, relevantItems: cold });
      result.recipes.push(...(await evaluateQuerySets(coldSplit, new Map([['cold', coldQueries]]), models, options)));
      options.onProgress?.(`split ${name}: cold-item queries done`);
    }
    splits.push(result);
  }
  return { users: matrix.numUsers, items: matrix.numItems, pairs: matrix.items.length, columns, splits };
}

/**
 * Categorical columns a query may use, without near-identifiers: a column with more distinct
 * values than half the items (e.g. a product name typed as categorical) describes items, not tastes.
 */
export function defaultAttributeColumns(items: Items): string[] {
  return queryableColumns(items).filter((name) => {
    const column = items.columns.find((c) => c.name === name);
    if (column?.kind !== 'categorical') return false;
    const distinct = new Set(column.values.flat()).size;
    return distinct >= 2 && distinct <= items.itemIds.length / 2;
  });
}

async function evaluateQuerySets(
  split: TrainTestSplit,
  querySets: Map<RecipeName, EvaluationQuery[]>,
  models: CandidateModel[],
  options: EvaluationOptions,
): Promise<RecipeResult[]> {
  const engines: Array<{ name: string; engine: AffinityEngine }> = [];
  for (const candidate of models) {
    const { model, attributePriorWeight, scoring } = await candidate.train(split.train);
    engines.push({ name: candidate.name, engine: new AffinityEngine(split.train, model, { ...scoring, attributePriorWeight }) });
  }
  const base = engines[0]?.engine ?? new AffinityEngine(split.train, (await rp3betaCandidate().train(split.train)).model);
  const results: RecipeResult[] = [];
  for (const [recipe, queries] of querySets) {
    const perMethod = new Map<string, { values: Map<string, number[]>; covered: Set<number> }>();
    const methodNames = [...engines.map((e) => e.name), 'activity', 'random'];
    for (const method of methodNames) perMethod.set(method, { values: new Map(), covered: new Set() });
    let relevantTotal = 0;
    let kTotal = 0;
    queries.forEach((query, q) => {
      const k1 = Math.max(1, Math.round(0.01 * query.candidateCount));
      const depth = Math.max(k1, 100);
      relevantTotal += query.relevant.length;
      kTotal += k1;
      const relevantSet = new Set(query.relevant);
      const isRelevant = (u: number) => relevantSet.has(u);
      const excluded =
        query.item === undefined
          ? undefined
          : base.itemUsers.users.subarray(base.itemUsers.itemPtr[query.item], base.itemUsers.itemPtr[query.item + 1]);
      const rankings: Array<[string, Int32Array]> = engines.map(({ name, engine }) => [name, rankWithEngine(engine, query, depth)]);
      rankings.push(['activity', base.rank(new Float64Array(base.numUsers), depth, excluded)]);
      const random = seededRandom(1_000_003 * (q + 1));
      rankings.push(['random', base.rank(Float64Array.from({ length: base.numUsers }, () => random()), depth, excluded)]);
      for (const [method, ranked] of rankings) {
        const store = perMethod.get(method)!;
        for (let r = 0; r < Math.min(k1, ranked.length); r++) store.covered.add(ranked[r]!);
        for (const cutoff of cutoffs) {
          const k = cutoff === '1_percent' ? k1 : Number(cutoff);
          const m = rankingMetrics(ranked, k, isRelevant, query.relevant.length);
          const row: Record<(typeof metricNames)[number], number> = { hits: m.hits, hr: m.hitRate, precision: m.precision, recall: m.recall, ndcg: m.ndcg };
          for (const metric of metricNames) {
            const key = `${metric}_at_${cutoff}`;
            const list = store.values.get(key) ?? [];
            list.push(row[metric]);
            store.values.set(key, list);
          }
        }
      }
    });
    const candidates = base.candidateCount;
    const activityValues = perMethod.get('activity')!.values;
    const bootstrapOptions = { resamples: options.resamples ?? 1000, seed: 0 };
    results.push({
      recipe,
      queries: queries.length,
      meanRelevant: queries.length > 0 ? relevantTotal / queries.length : 0,
      meanK1Percent: queries.length > 0 ? kTotal / queries.length : 0,
      methods: methodNames.map((method) => {
        const store = perMethod.get(method)!;
        const metrics: Record<string, MeanWithInterval> = {};
        const versusActivity: Record<string, MeanWithInterval> = {};
        for (const [key, values] of store.values) {
          metrics[key] = bootstrapMean(values, bootstrapOptions);
          const reference = activityValues.get(key)!;
          versusActivity[key] = bootstrapMean(
            values.map((value, q) => value - reference[q]!),
            bootstrapOptions,
          );
        }
        return { method, metrics, versusActivity, coverage: candidates > 0 ? store.covered.size / candidates : 0 };
      }),
    });
  }
  return results;
}

/** Ranks the users of one query with a model engine, the way the local provider would. */
export function rankWithEngine(engine: AffinityEngine, query: EvaluationQuery, depth: number): Int32Array {
  if (query.item !== undefined) return engine.rankQuery({ kind: 'item', item: query.item }, { numResults: depth, excludeInteracted: true });
  const attribute = query.attribute!;
  return engine.rankQuery(attribute.kind === 'none' ? { kind: 'activity' } : attribute, { numResults: depth });
}
