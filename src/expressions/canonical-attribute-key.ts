/**
 * The comparison key of an attribute query: two expressions with the same terms in another order
 * (`ITEMS.A = "x" AND ITEMS.B = "y"` and `ITEMS.B = "y" AND ITEMS.A = "x"`), or with a term
 * repeated, select the same items, so they are one segment and one audience.
 */
import { AttributeExpressionError } from './attribute-expression.js';
import { formatAttributeExpression } from './format-attribute-expression.js';
import { parseAttributeExpression } from './parse-attribute-expression.js';

/**
 * The canonical form of an expression, for comparing queries (not for display): its distinct terms
 * sorted by column (case-insensitive, as Personalize matches columns) and value, columns upper-cased.
 * An expression that does not parse is its own key.
 */
export function canonicalAttributeKey(expression: string): string {
  let terms;
  try {
    terms = parseAttributeExpression(expression).terms;
  } catch (error) {
    if (error instanceof AttributeExpressionError) return expression;
    throw error;
  }
  const unique = new Map(terms.map((term) => {
    const canonical = { column: term.column.toUpperCase(), value: term.value };
    return [`${canonical.column}\u0000${canonical.value}`, canonical] as const;
  }));
  const sorted = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, term]) => term);
  return formatAttributeExpression({ terms: sorted });
}
