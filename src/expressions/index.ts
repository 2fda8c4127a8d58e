/** Item-Attribute-Affinity query expressions: parse, compile from the structured form, format, match items. */
export { AttributeExpressionError, type AttributeExpression, type AttributeTerm } from './attribute-expression.js';
export { parseAttributeExpression } from './parse-attribute-expression.js';
export { formatAttributeExpression, quoteAttributeValue } from './format-attribute-expression.js';
export { compileAttributeQuery, canonicalAttributeQuery } from './compile-attribute-query.js';
export { structuredAttributeQuerySchema, type StructuredAttributeQuery } from './structured-attribute-query.js';
export { matchingItems } from './matching-items.js';
export { lookUpItemColumn, queryableColumns, type ColumnLookup } from './item-column-lookup.js';
export { attributeValueProblems } from './attribute-value-problems.js';
