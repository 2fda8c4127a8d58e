/**
 * One entry of a new-items campaign's `queries`: an expression, a structured query, or a rule
 * that derives one query per attribute value of the new items.
 */
import { z } from 'zod';
import { AttributeExpressionError, parseAttributeExpression, structuredAttributeQuerySchema } from '../expressions/index.js';
import { dateStringSchema } from './date-string.js';
import { strictBlock } from './strict-block.js';

const columnName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a column name of the items dataset, e.g. CATEGORY_L1');

export const expressionQuerySchema = z
  .string()
  .superRefine((text, ctx) => {
    try {
      parseAttributeExpression(text);
    } catch (error) {
      if (!(error instanceof AttributeExpressionError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  })
  .describe('A Personalize attribute expression, e.g. ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"');

export const fromNewItemsSchema = strictBlock({
  fromNewItems: strictBlock({
    file: z
      .string()
      .min(1)
      .optional()
      .describe('New-items CSV (ITEM_ID plus the items dataset\'s attribute columns), relative to the campaign file'),
    createdAfter: dateStringSchema
      .optional()
      .describe('Catalog items whose CREATION_TIMESTAMP is after this date (the items dataset needs that column)'),
    noInteractions: z
      .literal(true)
      .optional()
      .describe('Catalog items that have no interactions yet'),
    column: columnName.optional().describe('One query per distinct value of this column among the new items'),
    columns: z
      .array(columnName)
      .min(1)
      .optional()
      .describe('One query per distinct combination of these columns\' values (terms joined by AND)'),
  })
    .superRefine((rule, ctx) => {
      if ((rule.column === undefined) === (rule.columns === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'expected exactly one of column or columns' });
      }
      if (rule.file === undefined && rule.createdAfter === undefined && rule.noInteractions === undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected at least one source of new items: file, createdAfter or noInteractions' });
      }
    })
    .describe(
      'Derive queries from new items: the rows of `file`, plus the catalog items that pass every catalog ' +
        'filter given (createdAfter, noInteractions). Queries come sorted by value.',
    ),
});

export const newItemsQuerySchema = z
  .union([expressionQuerySchema, fromNewItemsSchema, structuredAttributeQuerySchema], {
    error:
      'expected an expression string, a structured query like { CATEGORY_L1: footwear }, or { fromNewItems: { file, column } }',
  })
  .describe('An attribute query');

export type NewItemsQuery = z.infer<typeof newItemsQuerySchema>;
export type FromNewItemsRule = z.infer<typeof fromNewItemsSchema>['fromNewItems'];
