/**
 * One user's interaction history, item by item: which event types, how many, and when.
 */
import type { Interactions } from '../datasets/datasets.js';

/** The events of one user on one item. */
export interface UserItemEvents {
  /** Count per EVENT_TYPE, in order of first occurrence ('' when the dataset has no EVENT_TYPE column). */
  eventCounts: Map<string, number>;
  /** First and last TIMESTAMP, Unix epoch seconds. */
  firstSeconds: number;
  lastSeconds: number;
}

/**
 * The events of user index `user`, by engine item index. One pass over the interaction rows.
 */
export function userItemEvents(interactions: Interactions, user: number): Map<number, UserItemEvents> {
  const byItem = new Map<number, UserItemEvents>();
  for (let r = 0; r < interactions.length; r++) {
    if (interactions.user[r] !== user) continue;
    const item = interactions.item[r]!;
    const time = interactions.timestamp[r]!;
    const type = interactions.eventTypes[interactions.eventType[r]!] ?? '';
    let entry = byItem.get(item);
    if (!entry) {
      entry = { eventCounts: new Map(), firstSeconds: time, lastSeconds: time };
      byItem.set(item, entry);
    }
    entry.eventCounts.set(type, (entry.eventCounts.get(type) ?? 0) + 1);
    entry.firstSeconds = Math.min(entry.firstSeconds, time);
    entry.lastSeconds = Math.max(entry.lastSeconds, time);
  }
  return byItem;
}
