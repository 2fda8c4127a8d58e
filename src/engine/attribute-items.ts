/**
 * Turns an Item-Attribute-Affinity expression into the trained items the engine scores it with.
 * New items (in the items dataset, without training interactions) carry no collaborative signal,
 * so a query is served through the trained items that share its attribute values
 * (`../shared/reference/evaluation.md` §2, "Attribute affinity").
 */
import type { Items } from '../datasets/datasets.js';
import { matchingItems, type AttributeExpression, type AttributeTerm } from '../expressions/index.js';

/** How a query will be scored. */
export type AttributeItems =
  /** Trained items matching every term. */
  | { kind: 'items'; items: Int32Array }
  /**
   * No trained item matches every term (only new items do): one set of trained items per term
   * whose value was seen in training; `unseen` lists the terms whose value was not.
   */
  | { kind: 'terms'; sets: Int32Array[]; unseen: AttributeTerm[] }
  /** No term value was seen in training: rank by activity. */
  | { kind: 'activity'; unseen: AttributeTerm[] }
  /** No item at all matches the expression. */
  | { kind: 'none' };

/**
 * Maps item-dataset rows to engine item indices (−1 when the item is not in the interactions).
 */
export function interactionIndexOfItems(items: Items, interactionItemIds: readonly string[]): Int32Array {
  const index = new Map<string, number>();
  interactionItemIds.forEach((id, i) => index.set(id, i));
  return Int32Array.from(items.itemIds, (id) => index.get(id) ?? -1);
}

/**
 * Resolves `expression` (already parsed and checked against `items`) to trained items.
 * @param toEngineItem engine item index of each items-dataset row (−1 when absent), see {@link interactionIndexOfItems}.
 * @param isTrained whether an engine item has training interactions.
 */
export function attributeItems(
  expression: AttributeExpression,
  items: Items,
  toEngineItem: Int32Array,
  isTrained: (item: number) => boolean,
): AttributeItems {
  const trainedOf = (rows: Int32Array): Int32Array => {
    const out: number[] = [];
    for (const row of rows) {
      const item = toEngineItem[row]!;
      if (item >= 0 && isTrained(item)) out.push(item);
    }
    return Int32Array.from(out).sort();
  };
  const rows = matchingItems(expression, items);
  if (rows.length === 0) return { kind: 'none' };
  const trained = trainedOf(rows);
  if (trained.length > 0) return { kind: 'items', items: trained };
  const sets: Int32Array[] = [];
  const unseen: AttributeTerm[] = [];
  for (const term of expression.terms) {
    const set = trainedOf(matchingItems({ terms: [term] }, items));
    if (set.length > 0) sets.push(set);
    else unseen.push(term);
  }
  return sets.length > 0 ? { kind: 'terms', sets, unseen } : { kind: 'activity', unseen };
}
