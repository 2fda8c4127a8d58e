import type { Items } from '../datasets/datasets.js';
import { AttributeExpressionError, type AttributeExpression } from './attribute-expression.js';
import { formatAttributeExpression } from './format-attribute-expression.js';
import { lookUpItemColumn } from './item-column-lookup.js';
import { parseAttributeExpression } from './parse-attribute-expression.js';

/**
 * Indices (into `items.itemIds`, ascending) of the items an attribute expression selects.
 *
 * A term matches an item when any of the item's values in that column equals the term's value
 * (multi-valued categorical cells were split on `|`); numeric columns compare as numbers
 * (`"10"` matches `10.0`); categorical values compare exactly, case-sensitively. Terms are joined
 * by AND, so the result is the intersection of the terms' matches.
 * @throws AttributeExpressionError for a malformed expression or a column the items dataset lacks.
 */
export function matchingItems(expression: string | AttributeExpression, items: Items): Int32Array {
  const parsed = typeof expression === 'string' ? parseAttributeExpression(expression, items) : expression;
  let selected: number[] | undefined;
  for (const term of parsed.terms) {
    const lookup = lookUpItemColumn(items, term.column);
    if (!lookup.ok) throw new AttributeExpressionError(lookup.reason, formatAttributeExpression(parsed));
    const cells = lookup.column.values;
    let matches: (index: number) => boolean;
    if (lookup.column.kind === 'numeric') {
      const wanted = Number(term.value);
      const numbers = lookup.column.numbers;
      matches = numbers
        ? (index) => numbers[index] === wanted
        : (index) => (cells[index] ?? []).some((cell) => cell.trim() !== '' && Number(cell) === wanted);
    } else {
      matches = (index) => (cells[index] ?? []).includes(term.value);
    }
    if (selected === undefined) {
      selected = [];
      for (let index = 0; index < items.itemIds.length; index++) if (matches(index)) selected.push(index);
    } else {
      selected = selected.filter(matches);
    }
  }
  return Int32Array.from(selected ?? []);
}
