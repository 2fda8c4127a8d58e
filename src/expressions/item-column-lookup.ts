/**
 * Finds the items-dataset column an attribute expression names, and says whether Personalize lets
 * a query use it: textual columns and the reserved `CREATION_TIMESTAMP` are not allowed
 * (developer guide, "Item-Attribute-Affinity recipe"; `../shared/reference/personalize.md` §2).
 */
import type { ItemColumn, Items } from '../datasets/datasets.js';

/** Columns reserved by Personalize that never appear in a query. */
const RESERVED_COLUMNS = new Set(['ITEM_ID', 'CREATION_TIMESTAMP']);

/** The outcome of looking a column name up in the items dataset. */
export type ColumnLookup =
  | { ok: true; column: ItemColumn; index: number }
  | { ok: false; reason: string };

/** Names of the columns a query may use, in header order. */
export function queryableColumns(items: Items): string[] {
  return items.columns
    .filter((column) => column.kind !== 'textual' && !RESERVED_COLUMNS.has(column.name.toUpperCase()))
    .map((column) => column.name);
}

/**
 * Looks a column up by name, case-insensitively (an exact spelling wins over a case-insensitive one).
 * Fails for unknown, reserved and textual columns, with a reason that lists the usable columns.
 */
export function lookUpItemColumn(items: Items, name: string): ColumnLookup {
  const usable = () => {
    const names = queryableColumns(items);
    return names.length > 0 ? `one of ${names.join(', ')}` : 'none: the items dataset has no categorical or numeric column';
  };
  if (RESERVED_COLUMNS.has(name.toUpperCase())) {
    return { ok: false, reason: `column ${name} is reserved by Personalize and cannot be queried; use ${usable()}` };
  }
  let index = items.columns.findIndex((column) => column.name === name);
  if (index < 0) {
    const upper = name.toUpperCase();
    index = items.columns.findIndex((column) => column.name.toUpperCase() === upper);
  }
  const column = items.columns[index];
  if (!column) {
    return { ok: false, reason: `unknown column ${name}; expected ${usable()}` };
  }
  if (column.kind === 'textual') {
    return {
      ok: false,
      reason: `column ${column.name} is textual, and Personalize does not allow textual columns in attribute queries; use ${usable()}`,
    };
  }
  return { ok: true, column, index };
}
