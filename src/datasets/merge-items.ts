/**
 * Adds new items (a new-items file: ITEM_ID plus the catalog's attribute columns) to the items
 * dataset, so a segment provider reaches them through their attributes although nobody has
 * interacted with them yet.
 */
import type { ItemColumn, Items } from './datasets.js';

/**
 * A new `Items` with the catalog's rows, then every added item the catalog does not have yet.
 * Columns are the catalog's (by name, case-insensitively); an added item lacking one gets no value.
 * The catalog is not changed.
 */
export function mergeItems(catalog: Items, additions: readonly Items[]): Items {
  const itemIds = [...catalog.itemIds];
  const indexOf = new Map(catalog.indexOf);
  const columns: ItemColumn[] = catalog.columns.map((column) => ({ name: column.name, kind: column.kind, values: [...column.values] }));
  const created = catalog.creationTimestamp ? [...catalog.creationTimestamp] : undefined;
  for (const added of additions) {
    const sourceColumns = columns.map((column) => added.columns.find((candidate) => candidate.name.toUpperCase() === column.name.toUpperCase()));
    added.itemIds.forEach((itemId, row) => {
      if (indexOf.has(itemId)) return;
      indexOf.set(itemId, itemIds.length);
      itemIds.push(itemId);
      columns.forEach((column, index) => column.values.push(sourceColumns[index]?.values[row] ?? []));
      created?.push(added.creationTimestamp?.[row] ?? Number.NaN);
    });
  }
  return {
    itemIds,
    indexOf,
    columns: columns.map((column) => (column.kind === 'numeric' ? { ...column, numbers: Float64Array.from(column.values, (cell) => (cell[0] === undefined ? Number.NaN : Number(cell[0]))) } : column)),
    ...(created ? { creationTimestamp: Float64Array.from(created) } : {}),
  };
}
