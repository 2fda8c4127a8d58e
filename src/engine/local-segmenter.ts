/**
 * The local engine behind the `local` segment provider: interactions → binary matrix → model →
 * batch segment lines (`{ input, output: { usersList }, error }`).
 */
import type { Interactions, Items } from '../datasets/datasets.js';
import { AttributeExpressionError, formatAttributeExpression, parseAttributeExpression } from '../expressions/index.js';
import type { SegmentQuery, SegmentResult } from '../segments/segment-provider.js';
import { AffinityEngine, type AffinityEngineOptions, type QueryScoring } from './affinity-engine.js';
import type { AffinityModel } from './affinity-model.js';
import { attributeItems, interactionIndexOfItems } from './attribute-items.js';
import type { UserItemMatrix } from './user-item-matrix.js';

/** One served segment, with an optional note for the log (e.g. a fallback that was used). */
export interface ServedSegment {
  result: SegmentResult;
  /** Score of each user of `usersList`, in order (0 for a user ranked only by activity). */
  scores: number[];
  /** Why the segment is less informed than usual (an attribute value never seen in training). */
  note?: string;
}

/** Options of one segment. */
export interface SegmentOptions {
  numResults: number;
  /** Item-Affinity only. @defaultValue true */
  excludeInteracted?: boolean;
}

/** Serves batch segment queries from one trained model. Not safe for concurrent calls. */
export class LocalSegmenter {
  readonly engine: AffinityEngine;
  private readonly itemIndex = new Map<string, number>();
  private readonly toEngineItem: Int32Array;

  constructor(
    private readonly interactions: Interactions,
    private readonly items: Items,
    matrix: UserItemMatrix,
    model: AffinityModel,
    options: AffinityEngineOptions = {},
  ) {
    this.engine = new AffinityEngine(matrix, model, options);
    interactions.itemIds.forEach((id, i) => this.itemIndex.set(id, i));
    this.toEngineItem = interactionIndexOfItems(items, interactions.itemIds);
  }

  /** One batch segment line for `query`. Never throws for a bad query: the line carries `error`. */
  segment(query: SegmentQuery, options: SegmentOptions): ServedSegment {
    const resolved = this.resolve(query);
    if ('error' in resolved) return { result: { input: query, output: { usersList: [] }, error: resolved.error }, scores: [] };
    const ranked = this.engine.rankQuery(resolved.scoring, options);
    const scores = this.engine.lastScores;
    return {
      result: { input: query, output: { usersList: Array.from(ranked, (u) => this.interactions.userIds[u]!) }, error: null },
      scores: Array.from(ranked, (u) => scores[u]!),
      ...(resolved.note ? { note: resolved.note } : {}),
    };
  }

  /**
   * How the engine scores `query`, with a note when it falls back, or why it cannot.
   * Never throws for a bad query.
   */
  resolve(query: SegmentQuery): { scoring: QueryScoring; note?: string } | { error: string } {
    if ('itemId' in query) {
      const item = this.itemIndex.get(query.itemId);
      if (item === undefined) {
        return { error: `unknown item ${JSON.stringify(query.itemId)}: it has no interactions, so the model does not know it` };
      }
      return { scoring: { kind: 'item', item } };
    }

    let expression;
    try {
      expression = parseAttributeExpression(query.itemAttributes, this.items);
    } catch (error) {
      if (error instanceof AttributeExpressionError) return { error: error.message };
      throw error;
    }
    const itemUsers = this.engine.itemUsers;
    const resolved = attributeItems(expression, this.items, this.toEngineItem, (i) => itemUsers.itemPtr[i + 1]! > itemUsers.itemPtr[i]!);
    const unseenNote = (terms: { column: string; value: string }[], fallback: string): string =>
      `${formatAttributeExpression({ terms })}: value never seen in the interactions; ${fallback}`;
    switch (resolved.kind) {
      case 'none':
        return { error: `no item matches ${formatAttributeExpression(expression)}` };
      case 'items':
        return { scoring: { kind: 'items', items: resolved.items } };
      case 'terms':
        return {
          scoring: { kind: 'terms', sets: resolved.sets },
          ...(resolved.unseen.length > 0 ? { note: unseenNote(resolved.unseen, 'ranked by the other terms') } : {}),
        };
      case 'activity':
        return { scoring: { kind: 'activity' }, note: unseenNote(resolved.unseen, 'ranked by user activity') };
    }
  }
}
