/**
 * Values of an attribute expression that no item of the items dataset has: `CATEGORY_L1 = "Footwear"`
 * when the catalog says `footwear`. Such a query selects no item, so its segment would fail later;
 * finding it while planning lets the user fix the campaign file, with the closest existing values
 * suggested (equal ignoring case first, else a small edit distance).
 */
import type { ItemColumn, Items } from '../datasets/datasets.js';
import type { AttributeExpression, AttributeTerm } from './attribute-expression.js';
import { formatAttributeExpression, quoteAttributeValue } from './format-attribute-expression.js';
import { lookUpItemColumn } from './item-column-lookup.js';
import { matchingItems } from './matching-items.js';

/** Most values suggested or listed in one message. */
const MAX_SHOWN = 5;

/**
 * What is wrong with the values of an expression whose columns are known (see
 * `parseAttributeExpression(text, items)`): one message per term no item matches, or, when every
 * term matches some item, one message if no item matches them all. Empty when the expression selects items.
 */
export function attributeValueProblems(expression: AttributeExpression, items: Items): string[] {
  const problems: string[] = [];
  for (const term of expression.terms) {
    const lookup = lookUpItemColumn(items, term.column);
    if (!lookup.ok) continue; // column problems are reported by the parser
    if (matchingItems({ terms: [term] }, items).length > 0) continue;
    problems.push(`no item has ${lookup.column.name} = ${quoteAttributeValue(term.value)}; ${hint(term, lookup.column)}`);
  }
  if (problems.length === 0 && expression.terms.length > 1 && matchingItems(expression, items).length === 0) {
    problems.push(`no item has all of ${formatAttributeExpression(expression)}, though each term matches some item`);
  }
  return problems;
}

function hint(term: AttributeTerm, column: ItemColumn): string {
  const values = distinctValues(column);
  if (values.length === 0) return `the column ${column.name} has no values`;
  const close = column.kind === 'numeric' ? nearestNumbers(term.value, values) : closestWords(term.value, values);
  if (close.length > 0) return `did you mean ${close.map(quoteAttributeValue).join(' or ')}?`;
  const shown = values.slice(0, MAX_SHOWN).map(quoteAttributeValue).join(', ');
  return values.length <= MAX_SHOWN
    ? `its values are ${shown}`
    : `it has ${values.length} distinct values, e.g. ${shown}`;
}

function distinctValues(column: ItemColumn): string[] {
  const values = new Set<string>();
  for (const cell of column.values) for (const value of cell ?? []) if (value.trim() !== '') values.add(value);
  return [...values].sort();
}

/** Values equal ignoring case; else the ones at the smallest edit distance, if it is small for the word. */
function closestWords(wanted: string, values: readonly string[]): string[] {
  const lower = wanted.toLowerCase();
  const sameLetters = values.filter((value) => value.toLowerCase() === lower);
  if (sameLetters.length > 0) return sameLetters.slice(0, MAX_SHOWN);
  const allowed = Math.max(1, Math.floor(wanted.length / 3));
  let best = Infinity;
  let closest: string[] = [];
  for (const value of values) {
    const distance = editDistance(lower, value.toLowerCase(), allowed);
    if (distance > allowed || distance > best) continue;
    if (distance < best) {
      best = distance;
      closest = [];
    }
    closest.push(value);
  }
  return closest.slice(0, MAX_SHOWN);
}

/** The 3 values numerically nearest to `wanted`. */
function nearestNumbers(wanted: string, values: readonly string[]): string[] {
  const target = Number(wanted);
  return values
    .map((value) => ({ value, distance: Math.abs(Number(value) - target) }))
    .filter(({ distance }) => Number.isFinite(distance))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ value }) => value);
}

/**
 * Levenshtein distance (insertions, deletions, substitutions) of `a` and `b`; any value above
 * `limit` means "more than `limit`" (the computation stops early).
 */
function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}
