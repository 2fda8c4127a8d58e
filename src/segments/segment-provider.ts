/**
 * The SegmentProvider port: turns segment queries into user segments shaped like the output of an
 * Amazon Personalize batch segment job.
 *
 * Formats: Personalize developer guide, "Preparing input data for user segments" (one JSON object
 * per line: `{"itemId": "…"}` for Item-Affinity, `{"itemAttributes": "ITEMS.X = \"v\""}` for
 * Item-Attribute-Affinity) and "Batch segment job output examples"
 * (`{"input": …, "output": {"usersList": […]}, "error": null}`). See `../shared/reference/personalize.md` §2–3.
 */
import type { AffinityCounts } from '../controls/affinity-floor.js';

import { canonicalAttributeKey } from '../expressions/canonical-attribute-key.js';
import type { SegmentProvenance } from './segment-provenance.js';

/** One input line of a batch segment job. */
export type SegmentQuery = ItemAffinityQuery | ItemAttributeAffinityQuery;

/** Item-Affinity (`aws-item-affinity`): users most likely to interact with one item. */
export interface ItemAffinityQuery {
  itemId: string;
}

/** Item-Attribute-Affinity (`aws-item-attribute-affinity`): users most likely to interact with items matching an expression. */
export interface ItemAttributeAffinityQuery {
  /** A Personalize attribute expression, e.g. `ITEMS.CATEGORY_L1 = "footwear"`. */
  itemAttributes: string;
}

/** One output line of a batch segment job. */
export interface SegmentResult {
  /** The query, echoed; results are joined to queries by this, never by position. */
  input: SegmentQuery;
  /** USER_IDs by descending propensity, at most `numResults`; empty when `error` is set. */
  output: { usersList: string[] };
  /** Why this segment could not be generated (e.g. an unknown item), else null. */
  error: string | null;
  /**
   * Not in Personalize's output (its `usersList` has no scores): the local engine's score of each
   * user of `usersList`, in order.
   */
  scores?: number[];
  /** Local engine only: how many users had any affinity, how many were padded (`segment.fill`). */
  affinity?: AffinityCounts;
}

/** Options of one batch segment job. */
export interface SegmentJobOptions {
  /** Users per query (Personalize `numResults`). */
  numResults: number;
  /**
   * Item-Affinity only: leave out users who already interacted with the item.
   * @defaultValue true
   */
  excludeInteracted?: boolean;
  /**
   * Extra users to rank after the first `numResults` (local provider only), so that users the
   * marketing controls leave out (suppressed, capped) can be replaced by the next-ranked ones.
   * @defaultValue 0
   */
  reserve?: number;
  /** A stable id of this run, for providers that name remote jobs after it. */
  runId?: string;
  /** Aborts the job (SIGTERM, a cancelled run). */
  signal?: AbortSignal;
  /** Something the user should know about one query's segment (e.g. a fallback was used); shown in the run report. */
  onNote?: (query: SegmentQuery, note: string) => void;
  /** Progress, for steps that take more than a second. */
  onProgress?: (event: { step: string; done: number; total: number }) => void;
}

/** A source of user segments: the local engine or Amazon Personalize. */
export interface SegmentProvider {
  /** `local` or `personalize`, as in campaign files (`segment.provider`). */
  readonly id: string;
  /**
   * Generates one segment per query. A query that cannot be served (unknown item, attribute value
   * never seen) gives a result with `error` set; only whole-job problems throw.
   * @throws ConfigError, AuthError, TransientError, PermanentError
   */
  generate(queries: readonly SegmentQuery[], options: SegmentJobOptions): Promise<SegmentResult[]>;
  /**
   * Providers that keep remote jobs between attempts: true when the run `runId` left state to
   * resume. Providers without this keep nothing between runs.
   */
  hasRun?(runId: string): Promise<boolean>;
  /** How the segments of run `runId` were made (model, solution version, job ARNs), once generated. */
  provenance?(runId: string): Promise<SegmentProvenance | undefined>;
}

/**
 * Stable text key of a query, for joining output lines to their input and for telling two queries
 * apart: attribute queries compare in canonical form (terms sorted, repeats dropped), so the same
 * terms in another order are one query.
 */
export function queryKey(query: SegmentQuery): string {
  return 'itemId' in query ? `itemId:${query.itemId}` : `itemAttributes:${canonicalAttributeKey(query.itemAttributes)}`;
}

/** Human-readable form of a query, for reports. */
export function describeQuery(query: SegmentQuery): string {
  return 'itemId' in query ? `ITEM_ID = "${query.itemId}"` : query.itemAttributes;
}
