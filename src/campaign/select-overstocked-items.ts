/**
 * The overstock rule of excess-inventory campaigns: which items have far more units on hand than
 * they sell. Units sold = Purchase events of the item in the sales window (one event, one unit).
 */
import type { Interactions } from '../datasets/datasets.js';
import type { OverstockRule } from './excess-inventory-items-schema.js';
import type { InventoryRow } from './read-inventory.js';

/** Event type whose events count as units sold (Personalize ECOMMERCE convention). */
export const SALES_EVENT_TYPE = 'Purchase';

const SECONDS_PER_DAY = 86_400;

/** An overstocked item, with the figures that qualified it. */
export interface OverstockedItem {
  itemId: string;
  onHand: number;
  /** Purchase events in the sales window. */
  unitsSold: number;
  /** onHand ÷ unitsSold; Infinity when nothing sold. */
  overstockRatio: number;
}

/** An inventory item the rule did not pick, and why. */
export interface LeftOutItem {
  itemId: string;
  onHand: number;
  unitsSold: number;
  /** `min-on-hand`: fewer units than `minOnHand`; `sells-enough`: ON_HAND < factor × units sold; `max-items`: qualified, but `maxItems` more overstocked items came first. */
  reason: 'min-on-hand' | 'sells-enough' | 'max-items';
}

/** Inputs of {@link selectOverstockedItems}. */
export interface OverstockSelection {
  inventory: readonly InventoryRow[];
  interactions: Interactions;
  rule: OverstockRule;
  /** End of the sales window, epoch seconds. @defaultValue the last interaction's timestamp */
  asOfSeconds?: number;
  /** At most this many items. @defaultValue all */
  maxItems?: number;
}

/**
 * Items with ON_HAND ≥ `rule.onHandAtLeastTimesSales` × units sold in the window
 * (asOf − salesWindowDays days, asOf] and ON_HAND ≥ `rule.minOnHand`, most overstocked first
 * (by overstock ratio, descending; ties by ITEM_ID), at most `maxItems`.
 *
 * `asOf` defaults to the dataset's last interaction, never the wall clock, so a rule gives the same
 * answer on the same data whenever it runs.
 */
export function selectOverstockedItems(selection: OverstockSelection): { asOfSeconds: number; items: OverstockedItem[]; leftOut: LeftOutItem[] } {
  const { inventory, interactions, rule } = selection;
  const asOfSeconds = selection.asOfSeconds ?? lastTimestamp(interactions);
  const windowStart = asOfSeconds - rule.salesWindowDays * SECONDS_PER_DAY;
  const salesCode = interactions.eventTypes.findIndex((name) => name.toLowerCase() === SALES_EVENT_TYPE.toLowerCase());

  const sold = new Int32Array(interactions.itemIds.length);
  if (salesCode >= 0) {
    for (let row = 0; row < interactions.length; row++) {
      if (interactions.eventType[row] !== salesCode) continue;
      const time = interactions.timestamp[row]!;
      if (time > windowStart && time <= asOfSeconds) sold[interactions.item[row]!]! += 1;
    }
  }
  const interactionIndex = new Map(interactions.itemIds.map((itemId, index) => [itemId, index]));
  const minOnHand = rule.minOnHand ?? 1;

  const items: OverstockedItem[] = [];
  const leftOut: LeftOutItem[] = [];
  for (const { itemId, onHand } of inventory) {
    const index = interactionIndex.get(itemId);
    const unitsSold = index === undefined ? 0 : sold[index]!;
    if (onHand < minOnHand) leftOut.push({ itemId, onHand, unitsSold, reason: 'min-on-hand' });
    else if (onHand < rule.onHandAtLeastTimesSales * unitsSold) leftOut.push({ itemId, onHand, unitsSold, reason: 'sells-enough' });
    else items.push({ itemId, onHand, unitsSold, overstockRatio: unitsSold === 0 ? Infinity : onHand / unitsSold });
  }
  items.sort(
    (a, b) => b.overstockRatio - a.overstockRatio || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0),
  );
  const kept = selection.maxItems !== undefined ? items.slice(0, selection.maxItems) : items;
  for (const { itemId, onHand, unitsSold } of items.slice(kept.length)) leftOut.push({ itemId, onHand, unitsSold, reason: 'max-items' });
  return { asOfSeconds, items: kept, leftOut };
}

function lastTimestamp(interactions: Interactions): number {
  let last = -Infinity;
  for (let row = 0; row < interactions.length; row++) last = Math.max(last, interactions.timestamp[row]!);
  return last;
}
