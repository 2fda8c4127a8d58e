/**
 * The `items` block of an excess-inventory campaign: which items get an Item-Affinity segment.
 * Either a fixed list of ITEM_IDs, or an inventory file and an overstock rule.
 */
import { z } from 'zod';
import { dateStringSchema } from './date-string.js';
import { strictBlock } from './strict-block.js';

export const listedItemsSchema = strictBlock({
  itemIds: z
    .array(z.string().min(1, 'an ITEM_ID cannot be empty'))
    .min(1, 'expected at least one ITEM_ID')
    .superRefine((ids, ctx) => {
      const seen = new Set<string>();
      ids.forEach((id, index) => {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [index], message: `ITEM_ID ${id} is listed twice` });
        seen.add(id);
      });
    })
    .describe('ITEM_IDs of the items dataset; one Item-Affinity segment per item, in this order'),
}).describe('A fixed list of items');

export const overstockRuleSchema = strictBlock({
  onHandAtLeastTimesSales: z
    .number()
    .positive()
    .describe('An item is overstocked when ON_HAND ≥ this × units sold in the sales window (units = Purchase events)'),
  salesWindowDays: z
    .number()
    .int()
    .min(1)
    .describe('Length of the sales window in days, ending at asOf'),
  minOnHand: z
    .number()
    .int()
    .min(0)
    .default(1)
    .describe('Only items with at least this many units on hand qualify. Default: 1'),
}).describe('Overstock rule: ON_HAND ≥ onHandAtLeastTimesSales × units sold in the last salesWindowDays days, and ON_HAND ≥ minOnHand');

export const inventoryItemsSchema = strictBlock({
  inventory: strictBlock({
    file: z
      .string()
      .min(1)
      .describe('Inventory CSV (columns ITEM_ID, ON_HAND; .csv or .csv.gz), relative to the campaign file'),
    rule: overstockRuleSchema,
    asOf: dateStringSchema
      .optional()
      .describe(
        'End of the sales window: a date (00:00 UTC) or a date-time with a zone. ' +
          "Default: the timestamp of the dataset's last interaction (never the wall clock)",
      ),
  }).describe('Pick the overstocked items of an inventory file'),
  maxItems: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('At most this many items, the most overstocked first (by ON_HAND ÷ units sold, then ITEM_ID). Default: all'),
}).describe('Items chosen by an inventory rule');

export const excessInventoryItemsSchema = z
  .union([listedItemsSchema, inventoryItemsSchema], {
    error: 'expected either { itemIds: [...] } or { inventory: { file, rule }, maxItems? }',
  })
  .describe('Items to find buyers for: listed ITEM_IDs or an inventory rule');

export type ExcessInventoryItems = z.infer<typeof excessInventoryItemsSchema>;
export type OverstockRule = z.infer<typeof overstockRuleSchema>;
