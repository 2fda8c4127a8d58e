/**
 * Plans a campaign's segment queries: excess-inventory → one Item-Affinity query per item (listed,
 * or chosen by the inventory rule); new-items → one Item-Attribute-Affinity query per expression
 * (written, structured, or derived from new items), checked against the items dataset.
 */
import { resolve } from 'node:path';
import { ConfigError, type InputIssue } from '../core/errors.js';
import type { Datasets, Items } from '../datasets/datasets.js';
import {
  AttributeExpressionError,
  attributeValueProblems,
  canonicalAttributeQuery,
  parseAttributeExpression,
} from '../expressions/index.js';
import { describeQuery, queryKey } from '../segments/segment-provider.js';
import { fileNotFoundIssue } from './file-not-found-issue.js';
import { attributeQueryLabel } from './known-segment-labels.js';
import type { ExcessInventoryCampaign, NewItemsCampaign } from './campaign-schema.js';
import type { OverstockRule } from './excess-inventory-items-schema.js';
import { dateStringToEpochSeconds } from './date-string.js';
import type { LoadedCampaign } from './load-campaign.js';
import { newItemQueries } from './new-item-queries.js';
import type { PlannedQuery } from './planned-query.js';
import { readInventory } from './read-inventory.js';
import { selectOverstockedItems, type LeftOutItem } from './select-overstocked-items.js';

export type { PlannedQuery } from './planned-query.js';

/** Item columns whose value names an item in reports, in order of preference. */
const ITEM_NAME_COLUMNS = ['PRODUCT_NAME', 'NAME', 'TITLE'];

/** Options of {@link planQueries}. */
export interface PlanQueriesOptions {
  /**
   * Receives notes about input that was usable but partly skipped, one line each, e.g.
   * `inventory.csv: 3 ITEM_IDs are not in the items dataset and were skipped (first: abc, def, ghi)`.
   * For run reports and `validate` warnings. @defaultValue notes are dropped
   */
  onNote?: (note: string) => void;
  /** Receives the items of each new-items file (`fromNewItems.file`): catalog items to be, with no interactions yet. */
  onNewItems?: (items: Items) => void;
}

/**
 * The queries of a campaign, in a deterministic order, without duplicates.
 *
 * Written queries (expressions and structured ones) must select items of the items dataset: a value
 * no item has (`"Footwear"` for `footwear`) is an error with the closest values suggested. Queries
 * derived by `fromNewItems` are not checked that way (their values may be brand-new).
 * @throws ConfigError with every problem of every query at once, each naming the campaign file and
 *   field (unknown ITEM_IDs, unknown or textual columns, values no item has, a missing inventory or
 *   new-items file); DataError for bad rows of an inventory file (file and line). For a new-items
 *   campaign, the bad rows of its new-items files come in the ConfigError with the other problems.
 */
export async function planQueries(loaded: LoadedCampaign, datasets: Datasets, options: PlanQueriesOptions = {}): Promise<PlannedQuery[]> {
  const { campaign } = loaded;
  const note = options.onNote ?? (() => undefined);
  const planned =
    campaign.type === 'excess-inventory'
      ? await planExcessInventory(loaded, campaign, datasets, note)
      : await planNewItems(loaded, campaign, datasets, options.onNewItems);
  // One segment per distinct query: the same terms in another order are the same audience, said in a note.
  const seen = new Map<string, PlannedQuery>();
  return planned.filter((entry) => {
    const key = queryKey(entry.query);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, entry);
      return true;
    }
    const [shown, kept] = [describeQuery(entry.query), describeQuery(first.query)];
    note(shown === kept ? `${shown} is asked for twice: one segment is built` : `${shown} is the same query as ${kept} (the same terms in another order): one segment is built`);
    return false;
  });
}

async function planExcessInventory(
  loaded: LoadedCampaign,
  campaign: ExcessInventoryCampaign,
  datasets: Datasets,
  note: (note: string) => void,
): Promise<PlannedQuery[]> {
  const { items } = campaign;
  const label = itemLabeller(datasets.items);
  if ('itemIds' in items) {
    const unknown = items.itemIds.flatMap((itemId, index) => (datasets.items.indexOf.has(itemId) ? [] : [{ itemId, index }]));
    if (unknown.length > 0) {
      throw new ConfigError(
        unknown.map(({ itemId, index }) => ({
          file: loaded.file,
          field: `items.itemIds[${index}]`,
          message: `ITEM_ID ${itemId} is not in the items dataset (${datasets.files.items})`,
        })),
      );
    }
    return items.itemIds.map((itemId) => ({ query: { itemId }, label: label(itemId) }));
  }

  const { inventory, maxItems } = items;
  const inventoryFile = resolve(loaded.baseDir, inventory.file);
  const rows = await readInventory(inventoryFile, inventory.file).catch((error: unknown) => {
    throw fileNotFoundIssue(error, { file: loaded.file, field: 'items.inventory.file' }, inventory.file, inventoryFile) ?? error;
  });
  const known = rows.filter((row) => datasets.items.indexOf.has(row.itemId));
  const unknownIds = rows.filter((row) => !datasets.items.indexOf.has(row.itemId)).map((row) => row.itemId);
  if (rows.length > 0 && known.length === 0) {
    throw new ConfigError([
      {
        file: loaded.file,
        field: 'items.inventory.file',
        message: `none of the ${rows.length} ITEM_IDs of ${inventory.file} is in the items dataset (${datasets.files.items}); is it the right inventory file?`,
      },
    ]);
  }
  if (unknownIds.length > 0 && known.length > 0) {
    const shown = unknownIds.slice(0, 5).join(', ');
    note(
      unknownIds.length === 1
        ? `${inventory.file}: 1 ITEM_ID is not in the items dataset and was skipped (${shown})`
        : `${inventory.file}: ${unknownIds.length} ITEM_IDs are not in the items dataset and were skipped (first: ${shown})`,
    );
  }
  const { items: selected, leftOut } = selectOverstockedItems({
    // Items outside the catalog cannot get an Item-Affinity segment, so they are left out.
    inventory: known,
    interactions: datasets.interactions,
    rule: inventory.rule,
    ...(inventory.asOf !== undefined ? { asOfSeconds: dateStringToEpochSeconds(inventory.asOf) } : {}),
    ...(maxItems !== undefined ? { maxItems } : {}),
  });
  if (rows.length === 0) note(`${inventory.file}: the inventory file has no rows, so there is no item to segment`);
  else if (selected.length === 0) note(`the overstock rule selected none of the ${known.length} inventory items`);
  if (leftOut.length > 0) note(describeLeftOut(leftOut, inventory.rule, label));
  return selected.map(({ itemId }) => ({ query: { itemId }, label: label(itemId) }));
}

/** Most left-out items named in the note; the rest are counted. */
const MAX_NAMED_LEFT_OUT = 10;

/** `3 inventory items left out by the overstock rule:` and one `- Red Wedges [id]: 30 on hand < minOnHand 50` line per item. */
function describeLeftOut(leftOut: readonly LeftOutItem[], rule: OverstockRule, label: (itemId: string) => string): string {
  const why = ({ onHand, unitsSold, reason }: LeftOutItem): string => {
    if (reason === 'min-on-hand') return `${onHand} on hand < minOnHand ${rule.minOnHand ?? 1}`;
    if (reason === 'sells-enough') return `${onHand} on hand < ${rule.onHandAtLeastTimesSales} × ${unitsSold} sold in ${rule.salesWindowDays} days`;
    return 'beyond maxItems';
  };
  const name = (itemId: string) => (label(itemId) === itemId ? itemId : `${label(itemId)} [${itemId}]`);
  const named = leftOut.slice(0, MAX_NAMED_LEFT_OUT).map((item) => `\n    - ${name(item.itemId)}: ${why(item)}`);
  const more = leftOut.length > MAX_NAMED_LEFT_OUT ? `\n    - and ${leftOut.length - MAX_NAMED_LEFT_OUT} more` : '';
  const count = leftOut.length === 1 ? '1 inventory item' : `${leftOut.length} inventory items`;
  return `${count} left out by the overstock rule:${named.join('')}${more}`;
}

async function planNewItems(
  loaded: LoadedCampaign,
  campaign: NewItemsCampaign,
  datasets: Datasets,
  onNewItems: PlanQueriesOptions['onNewItems'],
): Promise<PlannedQuery[]> {
  const issues: InputIssue[] = [];
  const planned: PlannedQuery[] = [];
  for (const [index, entry] of campaign.queries.entries()) {
    const field = `queries[${index}]`;
    try {
      if (typeof entry === 'object' && 'fromNewItems' in entry && isRule(entry.fromNewItems)) {
        planned.push(
          ...(await newItemQueries(entry.fromNewItems, datasets, { file: loaded.file, field: `${field}.fromNewItems`, baseDir: loaded.baseDir, onNewItems })),
        );
        continue;
      }
      const expression = canonicalAttributeQuery(entry as string | Record<string, string | number | (string | number)[]>, datasets.items);
      const parsed = parseAttributeExpression(expression);
      const valueProblems = attributeValueProblems(parsed, datasets.items);
      if (valueProblems.length > 0) {
        issues.push(
          ...valueProblems.map((message) => ({ file: loaded.file, field, message: `${message} (items dataset ${datasets.files.items})` })),
        );
        continue;
      }
      planned.push({
        query: { itemAttributes: expression },
        label: attributeQueryLabel(parsed),
      });
    } catch (error) {
      if (error instanceof AttributeExpressionError) {
        issues.push({ file: loaded.file, field, message: `${error.message} (items dataset ${datasets.files.items})` });
      } else if (error instanceof ConfigError) {
        // Including DataErrors of a new-items file: the other queries' problems are still reported.
        issues.push(...error.issues);
      } else {
        throw error;
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return planned;
}

function isRule(value: unknown): value is Parameters<typeof newItemQueries>[0] {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function itemLabeller(items: Items): (itemId: string) => string {
  const nameColumn = ITEM_NAME_COLUMNS.map((name) => items.columns.find((column) => column.name.toUpperCase() === name)).find(
    (column) => column !== undefined,
  );
  return (itemId) => {
    const row = items.indexOf.get(itemId);
    const name = row !== undefined ? nameColumn?.values[row]?.[0] : undefined;
    return name && name.trim() !== '' ? name : itemId;
  };
}
