/**
 * Writes an {@link AttributeExpression} in the canonical form Personalize documents:
 * `ITEMS.<column> = "<value>"` terms joined by ` AND `, every value double-quoted with `\` and `"`
 * escaped by a backslash (developer guide, "Preparing input data for user segments").
 */
import type { AttributeExpression } from './attribute-expression.js';

/** Quotes a value: `foot"wear` → `"foot\"wear"`. */
export function quoteAttributeValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/** The canonical text of an expression, e.g. `ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"`. */
export function formatAttributeExpression(expression: AttributeExpression): string {
  return expression.terms.map((term) => `ITEMS.${term.column} = ${quoteAttributeValue(term.value)}`).join(' AND ');
}
