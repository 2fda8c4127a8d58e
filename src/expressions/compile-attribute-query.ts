import type { Items } from '../datasets/datasets.js';
import { ConfigError } from '../core/errors.js';
import type { AttributeExpression } from './attribute-expression.js';
import { formatAttributeExpression } from './format-attribute-expression.js';
import { parseAttributeExpression } from './parse-attribute-expression.js';
import { structuredAttributeQuerySchema, type StructuredAttributeQuery } from './structured-attribute-query.js';

/**
 * Compiles a structured query (`{ CATEGORY_L1: footwear, GENDER: F }`) to the canonical expression
 * `ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"`. Columns keep their order; a list value
 * gives one term per value. Numbers are written quoted (the documented form; numeric literal syntax
 * is undocumented). With `items`, columns are checked and written in the dataset's spelling.
 * @throws ConfigError for a malformed query; AttributeExpressionError for a column the items dataset rejects.
 */
export function compileAttributeQuery(query: StructuredAttributeQuery, items?: Items): string {
  const parsed = structuredAttributeQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        field: issue.path.map(String).join('.') || undefined,
        message: `${issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join('; ') : issue.message} in attribute query ${JSON.stringify(query)}`,
      })),
    );
  }
  const expression: AttributeExpression = {
    terms: Object.entries(parsed.data).flatMap(([column, values]) =>
      (Array.isArray(values) ? values : [values]).map((value) => ({ column, value: String(value) })),
    ),
  };
  const text = formatAttributeExpression(expression);
  return items ? formatAttributeExpression(parseAttributeExpression(text, items)) : text;
}

/** Accepts the structured form or an expression string; returns the canonical expression (checked against `items` when given). */
export function canonicalAttributeQuery(query: string | StructuredAttributeQuery, items?: Items): string {
  return typeof query === 'string'
    ? formatAttributeExpression(parseAttributeExpression(query, items))
    : compileAttributeQuery(query, items);
}
