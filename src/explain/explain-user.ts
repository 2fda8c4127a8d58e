/**
 * "Why is this user in that segment?": for each segment of a campaign, the user's rank as the local
 * engine ranks them, and the user's past items that make up their score, biggest share first.
 *
 * The rank is the engine's own (its full ranking of every candidate); the contributions are the
 * terms of the score formula (see {@link itemContributions}), so their sum is the user's score.
 */
import type { LeftOutReason } from '../controls/campaign-controls.js';
import type { PlannedQuery } from '../campaign/planned-query.js';
import { ConfigError } from '../core/errors.js';
import type { Datasets, Items } from '../datasets/datasets.js';
import type { AffinityModel } from '../engine/affinity-model.js';
import type { QueryScoring } from '../engine/affinity-engine.js';
import { LocalSegmenter } from '../engine/local-segmenter.js';
import type { UserItemMatrix } from '../engine/user-item-matrix.js';
import { describeQuery } from '../segments/segment-provider.js';
import { itemContributions } from './item-contributions.js';
import { userItemEvents } from './user-item-events.js';

/** Item columns whose value names an item, in order of preference (as in the run report). */
const ITEM_NAME_COLUMNS = ['PRODUCT_NAME', 'NAME', 'TITLE'];

/** One past item of the user and what it adds to their score. */
export interface ContributingItem {
  itemId: string;
  /** PRODUCT_NAME (or NAME, TITLE), else the ITEM_ID. */
  name: string;
  /** Categorical and numeric attributes from the items dataset (multiple values joined by `|`); empty when the item is not in it. */
  attributes: Record<string, string>;
  /** Whether the item itself is the query's item or matches its expression. */
  matchesQuery: boolean;
  /** What the item adds to the score (≥ 0 for RP3beta; EASE weights may be negative). */
  contribution: number;
  /** `contribution / score` (0–1 when every contribution is ≥ 0); 0 when the score is not positive. */
  share: number;
  /** Event counts by EVENT_TYPE, in order of first occurrence. */
  events: Array<{ eventType: string; count: number }>;
  /** First and last interaction, Unix epoch seconds. */
  firstSeconds: number;
  lastSeconds: number;
}

/** Where the user stands in one segment. */
export type SegmentStanding =
  /**
   * Ranked among `candidates` users. `inSegment` when the user is synced: ranked within
   * `numResults` (counting only the users the controls keep), and not held out. `control`, when
   * the campaign's controls were applied and keep the user out of the destinations.
   */
  | { status: 'ranked'; rank: number; candidates: number; inSegment: boolean; control?: UserControl }
  /** Left out of an Item-Affinity segment because the user already interacted with the item (`excludeInteracted`). */
  | { status: 'excluded' }
  /** The user has no interactions: the engine never puts them in a segment. */
  | { status: 'no-interactions' }
  /** The engine could not build this segment (unknown item, no matching item). */
  | { status: 'error'; message: string };

/** What a campaign's controls do to a ranked user: left out (suppressed, exclusive, capped), or in the holdout's control group. */
export type UserControl = LeftOutReason | { control: 'holdout' };

/** Where the controls put a user of a ranked segment: synced, or kept out (and why). */
export type ControlPlacement = { synced: true } | { synced: false; control?: UserControl };

/** The explanation of one segment for one user. */
export interface SegmentExplanation {
  label: string;
  /** The query as a Personalize expression (`ITEM_ID = "…"` for Item-Affinity). */
  queryText: string;
  /** How the engine scores the query: through one item, the matching items, per-term item sets, or activity only. */
  scoredBy: QueryScoring['kind'] | 'none';
  standing: SegmentStanding;
  /**
   * Whether the score is broken down by past item: true for item-item models (RP3beta, EASE);
   * false for a factor model (iALS), whose scores come from latent factors.
   */
  breakdown: boolean;
  /** The user's score (the sum of every contribution); 0 when scored by activity. */
  score: number;
  /** How many of the user's items contribute (≠ 0). */
  contributingItems: number;
  /** The biggest contributions, at most `topItems`. */
  topItems: ContributingItem[];
}

/** The explanation of every segment of a campaign for one user. */
export interface UserExplanation {
  userId: string;
  /** Distinct items the user interacted with (what the engine learns from). */
  items: number;
  /** Interaction rows of the user. */
  interactions: number;
  /** First and last interaction, Unix epoch seconds; absent without interactions. */
  firstSeconds?: number;
  lastSeconds?: number;
  /** Users per segment (`numResults`). */
  numResults: number;
  /** Item columns shown in `attributes`, in header order. */
  attributeColumns: string[];
  segments: SegmentExplanation[];
}

/** Everything {@link explainUser} needs: the datasets and a model trained on their interactions. */
export interface ExplainUserInput {
  datasets: Datasets;
  matrix: UserItemMatrix;
  model: AffinityModel;
  /** γ of the engine (the saved model's `engine.attributePriorWeight`). */
  attributePriorWeight: number;
  /** The campaign's segments (from `planQueries`). */
  segments: readonly PlannedQuery[];
  userId: string;
  numResults: number;
  /** Item-Affinity: leave out users who already interacted with the item. @defaultValue true */
  excludeInteracted?: boolean;
  /** Contributing items listed per segment. @defaultValue 5 */
  topItems?: number;
  /**
   * The campaign's controls, applied to the engine's full ranking of a segment (USER_IDs, best
   * first), as a run applies them. @defaultValue none: the user is in the segment when rank ≤ numResults
   */
  placeUser?: (segment: PlannedQuery, ranking: readonly string[]) => ControlPlacement;
}

/**
 * Explains each segment for `userId`.
 * @throws ConfigError when the USER_ID is in neither the interactions nor the users dataset.
 */
export function explainUser(input: ExplainUserInput): UserExplanation {
  const { datasets, matrix, model, userId, numResults } = input;
  const { interactions, items } = datasets;
  assertKnownUser(datasets, userId);
  const user = interactions.userIds.indexOf(userId);
  const attributeColumns = items.columns.filter((column) => column.kind !== 'textual' && !ITEM_NAME_COLUMNS.includes(column.name)).map((c) => c.name);
  const base = { userId, numResults, attributeColumns };
  if (user < 0) {
    return {
      ...base,
      items: 0,
      interactions: 0,
      segments: input.segments.map(({ label, query }) => ({
        label,
        queryText: describeQuery(query),
        scoredBy: 'none',
        standing: { status: 'no-interactions' },
        breakdown: false,
        score: 0,
        contributingItems: 0,
        topItems: [],
      })),
    };
  }

  const segmenter = new LocalSegmenter(interactions, items, matrix, model, { attributePriorWeight: input.attributePriorWeight });
  const engine = segmenter.engine;
  const events = userItemEvents(interactions, user);
  const userItems = matrix.items.subarray(matrix.userPtr[user], matrix.userPtr[user + 1]);
  const nameOf = itemNamer(items);
  const excludeInteracted = input.excludeInteracted ?? true;
  const topItems = input.topItems ?? 5;
  let firstSeconds = Infinity;
  let lastSeconds = -Infinity;
  let rows = 0;
  for (const entry of events.values()) {
    firstSeconds = Math.min(firstSeconds, entry.firstSeconds);
    lastSeconds = Math.max(lastSeconds, entry.lastSeconds);
    for (const count of entry.eventCounts.values()) rows += count;
  }

  const segments = input.segments.map(({ label, query }): SegmentExplanation => {
    const queryText = describeQuery(query);
    const resolved = segmenter.resolve(query);
    if ('error' in resolved) {
      return { label, queryText, scoredBy: 'none', standing: { status: 'error', message: resolved.error }, breakdown: false, score: 0, contributingItems: 0, topItems: [] };
    }
    const { scoring } = resolved;
    const ranking = engine.rankQuery(scoring, { numResults: Math.max(1, engine.candidateCount), excludeInteracted });
    const position = ranking.indexOf(user);
    let standing: SegmentStanding =
      position >= 0
        ? { status: 'ranked', rank: position + 1, candidates: ranking.length, inSegment: position < numResults }
        : { status: 'excluded' };
    if (standing.status === 'ranked' && input.placeUser) {
      const placed = input.placeUser({ label, query }, Array.from(ranking, (index) => interactions.userIds[index]!));
      standing = { ...standing, inSegment: placed.synced, ...(!placed.synced && placed.control ? { control: placed.control } : {}) };
    }

    const contributions = itemContributions(model, scoring, engine.attributePriorWeight);
    if (contributions === undefined) {
      return { label, queryText, scoredBy: scoring.kind, standing, breakdown: false, score: 0, contributingItems: 0, topItems: [] };
    }
    // The user's items are all trained, so the ones matching the query are among the scored items.
    const matches = new Set<number>(scoring.kind === 'item' ? [scoring.item] : scoring.kind === 'items' ? scoring.items : []);
    let score = 0;
    const contributing: Array<{ item: number; contribution: number }> = [];
    for (const item of userItems) {
      const contribution = contributions[item] ?? 0;
      if (contribution === 0) continue;
      score += contribution;
      contributing.push({ item, contribution });
    }
    contributing.sort((a, b) => b.contribution - a.contribution || a.item - b.item);
    return {
      label,
      queryText,
      scoredBy: scoring.kind,
      standing,
      breakdown: true,
      score,
      contributingItems: contributing.length,
      topItems: contributing.slice(0, topItems).map(({ item, contribution }) => {
        const itemId = interactions.itemIds[item]!;
        const history = events.get(item);
        return {
          itemId,
          name: nameOf(itemId),
          attributes: attributesOf(items, itemId, attributeColumns),
          matchesQuery: matches.has(item),
          contribution,
          share: score > 0 ? contribution / score : 0,
          events: [...(history?.eventCounts ?? [])].map(([eventType, count]) => ({ eventType, count })),
          firstSeconds: history?.firstSeconds ?? 0,
          lastSeconds: history?.lastSeconds ?? 0,
        };
      }),
    };
  });
  return { ...base, items: userItems.length, interactions: rows, firstSeconds, lastSeconds, segments };
}

/**
 * Checks that `userId` is in the interactions or the users dataset.
 * @throws ConfigError (field `--user`) naming the dataset files.
 */
export function assertKnownUser(datasets: Datasets, userId: string): void {
  if (datasets.users.byId.has(userId) || datasets.interactions.userIds.includes(userId)) return;
  const files = [datasets.files.interactions, datasets.files.users].filter((file) => file !== '').join(' or ');
  throw new ConfigError([{ field: '--user', message: `USER_ID "${userId}" is not in ${files}; expected a USER_ID of the campaign's datasets` }]);
}

function itemNamer(items: Items): (itemId: string) => string {
  const column = ITEM_NAME_COLUMNS.map((name) => items.columns.find((candidate) => candidate.name === name)).find((c) => c !== undefined);
  return (itemId) => {
    const row = items.indexOf.get(itemId);
    const name = row === undefined ? undefined : column?.values[row]?.[0];
    return name !== undefined && name.trim() !== '' ? name : itemId;
  };
}

function attributesOf(items: Items, itemId: string, columns: readonly string[]): Record<string, string> {
  const row = items.indexOf.get(itemId);
  const attributes: Record<string, string> = {};
  if (row === undefined) return attributes;
  for (const column of items.columns) {
    if (!columns.includes(column.name)) continue;
    attributes[column.name] = (column.values[row] ?? []).join('|');
  }
  return attributes;
}
