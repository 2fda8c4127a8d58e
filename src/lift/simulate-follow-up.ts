/**
 * A generated follow-up dataset for trying the lift report (workshop, tests): the purchases that
 * happened after a campaign's run, with a conversion rate planted per arm. Every assigned user
 * converts with probability `controlRate` (control arm) or `treatmentRate` (treatment arm): a
 * `Purchase` of one of the segment's target items at a uniformly random time within `days` after
 * the user entered the arm. Every user also gets `noisePerUser` (on average) views of random items,
 * which are no conversion (only `Purchase` events are), so the planted rates are the true ones.
 */
import type { HoldoutAssignment } from '../controls/controls-store.js';
import type { Items } from '../datasets/datasets.js';
import { seededRandom } from '../evaluation/seeded-random.js';
import { matchingItems } from '../expressions/index.js';

/** Options of {@link simulateFollowUp}. */
export interface FollowUpOptions {
  /** Conversion probability of a control user, in [0, 1]. */
  controlRate: number;
  /** Conversion probability of a treatment user, in [0, 1]. */
  treatmentRate: number;
  /** Days after entry in which events happen. @defaultValue 14 */
  days?: number;
  /** Mean number of random views per user. @defaultValue 2 */
  noisePerUser?: number;
  /** @defaultValue 1 */
  seed?: number;
}

/** One interaction row. */
export interface FollowUpEvent {
  userId: string;
  itemId: string;
  /** Unix epoch seconds. */
  timestamp: number;
  eventType: 'Purchase' | 'View';
}

/** The segment targets of a stored query, as ITEM_IDs of `items`. */
function targetsOf(query: string, items: Items): string[] {
  const parsed = JSON.parse(query) as { itemId?: string; itemAttributes?: string };
  if (parsed.itemId !== undefined) return [parsed.itemId];
  return Array.from(matchingItems(parsed.itemAttributes ?? '', items), (row) => items.itemIds[row]!);
}

/** Generates the events, sorted by time. The same assignments and options give the same events. */
export function simulateFollowUp(assignments: readonly HoldoutAssignment[], items: Items, options: FollowUpOptions): FollowUpEvent[] {
  const random = seededRandom(options.seed ?? 1);
  const spanSeconds = (options.days ?? 14) * 86_400;
  const noise = options.noisePerUser ?? 2;
  const targets = new Map<string, string[]>();
  const events: FollowUpEvent[] = [];
  const at = (entered: Date) => Math.floor(entered.getTime() / 1000 + 1 + random() * (spanSeconds - 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const noisy = new Set<string>();
  for (const assignment of assignments) {
    let segmentTargets = targets.get(assignment.query);
    if (!segmentTargets) targets.set(assignment.query, (segmentTargets = targetsOf(assignment.query, items)));
    const rate = assignment.arm === 'treatment' ? options.treatmentRate : options.controlRate;
    if (segmentTargets.length > 0 && random() < rate) {
      events.push({ userId: assignment.userId, itemId: pick(segmentTargets), timestamp: at(assignment.firstEnteredAt), eventType: 'Purchase' });
    }
    if (noisy.has(assignment.userId)) continue;
    noisy.add(assignment.userId);
    for (let n = Math.floor(random() * 2 * noise + 0.5); n > 0; n--) {
      events.push({ userId: assignment.userId, itemId: pick(items.itemIds), timestamp: at(assignment.firstEnteredAt), eventType: 'View' });
    }
  }
  return events.sort((a, b) => a.timestamp - b.timestamp);
}
