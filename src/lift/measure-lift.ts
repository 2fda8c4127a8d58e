/**
 * The lift of a campaign's segments: per segment, the conversion rates of the treatment and control
 * arms of its holdout, measured on the interactions after each user entered an arm.
 *
 * A user converts when the interactions hold at least one event of the chosen type (`Purchase` by
 * default) on a target of the segment — the overstocked item (Item-Affinity) or any item matching
 * the attribute query (Item-Attribute-Affinity) — at or after the moment the user first entered the
 * arm (and at or after `since`). Arms are compared as assigned (intention to treat): a treatment
 * user a destination skipped still counts as treated.
 */
import { ConfigError } from '../core/errors.js';
import type { Interactions, Items } from '../datasets/datasets.js';
import type { HoldoutAssignment } from '../controls/controls-store.js';
import { AttributeExpressionError, matchingItems } from '../expressions/index.js';
import { newcombeDifferenceInterval, relativeLiftInterval, type Interval } from './two-proportions.js';

/** Users and conversions of one arm. */
export interface ArmOutcome {
  users: number;
  conversions: number;
  /** conversions / users (0 when the arm is empty). */
  rate: number;
}

/** The lift of one segment. */
export interface SegmentLift {
  segment: string;
  /** The segment's query, as an expression. */
  query: string;
  treatment: ArmOutcome;
  control: ArmOutcome;
  /** Treatment rate − control rate, with its 95 % Newcombe interval (both arms non-empty). */
  absolute?: { lift: number; interval: Interval };
  /** Treatment rate / control rate − 1, with its 95 % Katz interval (both arms converted). */
  relative?: { lift: number; interval: Interval };
  /** One line for a marketer. */
  verdict: string;
  /**
   * Set when the interactions end before any event could count: before every user of the segment
   * entered an arm (or before `since`). The rates are then 0 by construction, not a measurement.
   */
  noData?: { dataEndsAt: string; countsFrom: string };
}

/** Options of {@link measureLift}. */
export interface LiftOptions {
  /** EVENT_TYPE that counts as a conversion; `undefined` counts every event. @defaultValue every event */
  event?: string;
  /** Only events at or after this time count. */
  since?: Date;
}

/** Fewest conversions and non-conversions per arm below which a sample is too small to tell (the n·p ≥ 5 rule of thumb). */
export const MIN_OUTCOMES_PER_ARM = 5;

const points = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value * 100).toFixed(1)} pts`;

/**
 * The verdict line of a segment. An interval that excludes 0 is a lift (or a loss). One that
 * includes 0 is "too small to tell" when an arm has fewer than {@link MIN_OUTCOMES_PER_ARM}
 * conversions or non-conversions, or when the interval is wider than the control rate itself (the
 * data cannot tell "no effect" from "doubles the rate"); otherwise "no detectable lift".
 */
export function liftVerdict(treatment: ArmOutcome, control: ArmOutcome, absolute: SegmentLift['absolute']): string {
  if (!absolute) return `no users in the ${treatment.users === 0 ? 'treatment' : 'control'} arm yet: nothing to compare`;
  const interval = `95 % CI ${points(absolute.interval.lower)} to ${points(absolute.interval.upper)}`;
  if (absolute.interval.lower > 0) return `LIFT: treatment converts more, ${points(absolute.lift)} (${interval})`;
  if (absolute.interval.upper < 0) return `NEGATIVE: treatment converts less, ${points(absolute.lift)} (${interval})`;
  const fewest = Math.min(treatment.conversions, control.conversions, treatment.users - treatment.conversions, control.users - control.conversions);
  const width = absolute.interval.upper - absolute.interval.lower;
  if (fewest < MIN_OUTCOMES_PER_ARM || width > control.rate) {
    const count = (value: number) => value.toLocaleString('en-US');
    return `TOO SMALL TO TELL: ${count(treatment.conversions + control.conversions)} conversions among ${count(treatment.users + control.users)} users (${count(control.users)} in control); the ${interval} is wider than the control rate, keep the holdout running`;
  }
  return `NO DETECTABLE LIFT: ${points(absolute.lift)}, and the ${interval} includes 0`;
}

/** The interaction item indices a segment's query targets. @throws ConfigError for a query the items cannot answer */
function targetItems(query: string, segment: string, interactions: Interactions, items: Items): Uint8Array {
  const parsed = JSON.parse(query) as { itemId?: string; itemAttributes?: string };
  const target = new Uint8Array(interactions.itemIds.length);
  const interactionIndex = new Map(interactions.itemIds.map((id, index) => [id, index]));
  const mark = (itemId: string) => {
    const index = interactionIndex.get(itemId);
    if (index !== undefined) target[index] = 1;
  };
  if (parsed.itemId !== undefined) {
    mark(parsed.itemId);
    return target;
  }
  try {
    for (const row of matchingItems(parsed.itemAttributes ?? '', items)) mark(items.itemIds[row]!);
  } catch (error) {
    if (error instanceof AttributeExpressionError) throw new ConfigError([{ field: `segment "${segment}"`, message: `its query cannot be matched against the items dataset: ${error.message}` }]);
    throw error;
  }
  return target;
}

/** Rows of each user, grouped (CSR): rows of user u are order[start[u]…start[u+1]). */
function rowsByUser(interactions: Interactions): { start: Int32Array; order: Int32Array } {
  const users = interactions.userIds.length;
  const start = new Int32Array(users + 1);
  for (let row = 0; row < interactions.length; row++) start[interactions.user[row]! + 1]! += 1;
  for (let u = 0; u < users; u++) start[u + 1]! += start[u]!;
  const next = start.slice(0, users);
  const order = new Int32Array(interactions.length);
  for (let row = 0; row < interactions.length; row++) order[next[interactions.user[row]!]!++] = row;
  return { start, order };
}

/** Renders a stored query (`{"itemId":…}`) as an expression. */
function queryText(query: string): string {
  const parsed = JSON.parse(query) as { itemId?: string; itemAttributes?: string };
  return parsed.itemId !== undefined ? `ITEM_ID = "${parsed.itemId}"` : (parsed.itemAttributes ?? query);
}

/**
 * Measures every segment of the assignments (one campaign's), in order of first appearance.
 * @throws ConfigError when a segment's query cannot be matched against `items`
 */
export function measureLift(assignments: readonly HoldoutAssignment[], interactions: Interactions, items: Items, options: LiftOptions = {}): SegmentLift[] {
  const userIndex = new Map(interactions.userIds.map((id, index) => [id, index]));
  const { start, order } = rowsByUser(interactions);
  const eventCode = options.event === undefined ? -1 : interactions.eventTypes.indexOf(options.event);
  const sinceSeconds = options.since ? options.since.getTime() / 1000 : -Infinity;
  const bySegment = new Map<string, HoldoutAssignment[]>();
  for (const assignment of assignments) {
    const list = bySegment.get(assignment.segment);
    if (list) list.push(assignment);
    else bySegment.set(assignment.segment, [assignment]);
  }
  let latest = -Infinity;
  for (const timestamp of interactions.timestamp) if (timestamp > latest) latest = timestamp;
  const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
  const lifts: SegmentLift[] = [];
  for (const [segment, members] of bySegment) {
    // The first moment an event of this segment can count: its earliest entry, or `since`.
    const entered = Math.min(...members.map((member) => member.firstEnteredAt.getTime() / 1000));
    const countsFrom = Math.max(entered, sinceSeconds);
    const query = members[0]!.query;
    const target = targetItems(query, segment, interactions, items);
    const arms = { treatment: { users: 0, conversions: 0, rate: 0 }, control: { users: 0, conversions: 0, rate: 0 } };
    for (const assignment of members) {
      const arm = arms[assignment.arm];
      arm.users += 1;
      const u = userIndex.get(assignment.userId);
      if (u === undefined || (options.event !== undefined && eventCode < 0)) continue;
      const from = Math.max(assignment.firstEnteredAt.getTime() / 1000, sinceSeconds);
      for (let p = start[u]!; p < start[u + 1]!; p++) {
        const row = order[p]!;
        if (target[interactions.item[row]!] && interactions.timestamp[row]! >= from && (eventCode < 0 || interactions.eventType[row] === eventCode)) {
          arm.conversions += 1;
          break;
        }
      }
    }
    for (const arm of [arms.treatment, arms.control]) arm.rate = arm.users > 0 ? arm.conversions / arm.users : 0;
    const { treatment, control } = arms;
    const bothArms = treatment.users > 0 && control.users > 0;
    const absolute = bothArms
      ? { lift: treatment.rate - control.rate, interval: newcombeDifferenceInterval(treatment.conversions, treatment.users, control.conversions, control.users) }
      : undefined;
    const relativeInterval = bothArms ? relativeLiftInterval(treatment.conversions, treatment.users, control.conversions, control.users) : undefined;
    if (!(latest >= countsFrom)) {
      const reason = countsFrom > entered ? `before --since ${day(countsFrom)}` : `before the users entered their arms (${day(entered)})`;
      const ends = Number.isFinite(latest) ? `the interactions end on ${day(latest)}` : 'the interactions dataset is empty';
      lifts.push({
        segment,
        query: queryText(query),
        treatment,
        control,
        verdict: `NO DATA: ${ends}, ${reason}; measure with --data <a dataset of the interactions since then>`,
        noData: { dataEndsAt: Number.isFinite(latest) ? new Date(latest * 1000).toISOString() : '', countsFrom: new Date(countsFrom * 1000).toISOString() },
      });
      continue;
    }
    lifts.push({
      segment,
      query: queryText(query),
      treatment,
      control,
      ...(absolute ? { absolute } : {}),
      ...(relativeInterval ? { relative: { lift: treatment.rate / control.rate - 1, interval: relativeInterval } } : {}),
      verdict: liftVerdict(treatment, control, absolute),
    });
  }
  return lifts;
}
