/**
 * The structured way to write an attribute query in a campaign file:
 * `{ CATEGORY_L1: footwear, GENDER: F }` means `ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"`;
 * a list value (`{ CATEGORY_L2: [jacket, formal] }`) means items having all of those values.
 */
import { z } from 'zod';

const attributeValueSchema = z.union([
  z.string().min(1, 'a value cannot be empty'),
  z.number().describe('Compared numerically when the column is numeric'),
]);

/** `{ <column>: value | [values] }`; several columns and several values are all joined by AND. */
export const structuredAttributeQuerySchema = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a column name (letters, digits and _), e.g. CATEGORY_L1'),
    z.union([attributeValueSchema, z.array(attributeValueSchema).min(1, 'expected at least one value')], {
      error: 'expected a value (text or number) or a list of values',
    }),
  )
  .refine((query) => Object.keys(query).length > 0, 'expected at least one column, e.g. { CATEGORY_L1: footwear }')
  .describe(
    'Structured attribute query: column → value (or a list of values that items must all have); ' +
      'all entries are joined by AND. Example: { CATEGORY_L1: footwear, GENDER: F }',
  );

export type StructuredAttributeQuery = z.infer<typeof structuredAttributeQuerySchema>;
