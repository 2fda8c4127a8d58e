/**
 * The lift report: the interval formulas against published values, and measureLift on generated
 * follow-up data with a planted lift, with none, and with too few users.
 */
import { describe, expect, it } from 'vitest';
import type { HoldoutAssignment } from '../src/controls/controls-store.js';
import { holdoutArm } from '../src/controls/holdout-arm.js';
import type { Interactions } from '../src/datasets/datasets.js';
import { measureLift } from '../src/lift/measure-lift.js';
import { simulateFollowUp, type FollowUpEvent } from '../src/lift/simulate-follow-up.js';
import { newcombeDifferenceInterval, relativeLiftInterval, wilsonInterval } from '../src/lift/two-proportions.js';
import { generateSynthetic } from '../src/synthetic/generate-synthetic.js';

const { items } = generateSynthetic({ users: 50, items: 200, interactions: 1000, categories: 4, seed: 5 });
const entered = new Date('2026-11-01T07:30:00Z');
const query = JSON.stringify({ itemAttributes: 'ITEMS.CATEGORY = "cat-02"' });

function assignmentsFor(users: number, share: number): HoldoutAssignment[] {
  return Array.from({ length: users }, (_, index) => {
    const userId = `u${index}`;
    return { campaign: 'spring', segment: 'cat-02', query, userId, arm: holdoutArm('spring', userId, share), firstEnteredAt: entered, runId: 'spring-1' };
  });
}

/** The events as the interactions dataset (plus one purchase before entry, which must not count). */
function interactionsOf(events: readonly FollowUpEvent[]): Interactions {
  const userIds: string[] = [];
  const itemIds: string[] = [];
  const eventTypes: string[] = [];
  const index = (list: string[], value: string) => {
    const at = list.indexOf(value);
    return at >= 0 ? at : list.push(value) - 1;
  };
  const rows = events.map((event) => [index(userIds, event.userId), index(itemIds, event.itemId), event.timestamp, index(eventTypes, event.eventType)] as const);
  return {
    userIds,
    itemIds,
    eventTypes,
    length: rows.length,
    user: Int32Array.from(rows, (row) => row[0]),
    item: Int32Array.from(rows, (row) => row[1]),
    timestamp: Float64Array.from(rows, (row) => row[2]),
    eventType: Uint8Array.from(rows, (row) => row[3]),
  };
}

describe('two-proportion intervals', () => {
  it('reproduces Newcombe (1998), Table II, method 10 (hybrid score)', () => {
    const cases: Array<[number, number, number, number, number, number]> = [
      [56, 70, 48, 80, 0.0524, 0.3339],
      [9, 10, 3, 10, 0.1705, 0.809],
      [6, 7, 2, 7, 0.0582, 0.8062],
      [5, 56, 0, 29, -0.0381, 0.1926],
      [0, 10, 0, 20, -0.1611, 0.2775],
      [10, 10, 0, 20, 0.6791, 1],
    ];
    for (const [x1, n1, x2, n2, lower, upper] of cases) {
      const interval = newcombeDifferenceInterval(x1, n1, x2, n2);
      expect(interval.lower).toBeCloseTo(lower, 4);
      expect(interval.upper).toBeCloseTo(upper, 4);
    }
  });

  it('gives the Wilson interval of one proportion and the Katz interval of the relative lift', () => {
    expect(wilsonInterval(0, 10).lower).toBe(0);
    expect(wilsonInterval(0, 10).upper).toBeCloseTo(0.2775, 4);
    // 10/100 vs 5/100: RR 2, SE(ln RR) = √(1/10 − 1/100 + 1/5 − 1/100) = √0.28.
    const relative = relativeLiftInterval(10, 100, 5, 100)!;
    expect(relative.lower).toBeCloseTo(2 * Math.exp(-1.959964 * Math.sqrt(0.28)) - 1, 5);
    expect(relative.upper).toBeCloseTo(2 * Math.exp(1.959964 * Math.sqrt(0.28)) - 1, 5);
    expect(relativeLiftInterval(0, 100, 5, 100)).toBeUndefined();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
  });
});

describe('measureLift on a generated follow-up dataset', () => {
  it('finds a planted lift: treatment 9 %, control 5 %, and its interval covers the planted +4 pts', () => {
    const assignments = assignmentsFor(12_000, 0.1);
    const events = simulateFollowUp(assignments, items, { controlRate: 0.05, treatmentRate: 0.09, seed: 11 });
    // A purchase of a target before entry is no conversion.
    const before = { userId: 'u1', itemId: events.find((event) => event.eventType === 'Purchase')!.itemId, timestamp: entered.getTime() / 1000 - 60, eventType: 'Purchase' as const };
    const [lift] = measureLift(assignments, interactionsOf([before, ...events]), items, { event: 'Purchase' });
    expect(lift!.segment).toBe('cat-02');
    expect(lift!.query).toBe('ITEMS.CATEGORY = "cat-02"');
    expect(lift!.treatment.users + lift!.control.users).toBe(12_000);
    expect(lift!.control.users).toBe(assignments.filter((a) => a.arm === 'control').length);
    const { interval } = lift!.absolute!;
    expect(interval.lower).toBeLessThanOrEqual(0.04);
    expect(interval.upper).toBeGreaterThanOrEqual(0.04);
    expect(interval.lower).toBeGreaterThan(0);
    expect(lift!.treatment.rate).toBeCloseTo(0.09, 1);
    expect(lift!.control.rate).toBeCloseTo(0.05, 1);
    expect(lift!.relative!.interval.lower).toBeLessThanOrEqual(0.8);
    expect(lift!.relative!.interval.upper).toBeGreaterThanOrEqual(0.8);
    expect(lift!.verdict).toMatch(/^LIFT: treatment converts more, \+\d\.\d pts \(95 % CI \+\d\.\d pts to \+\d\.\d pts\)$/);
  });

  it('finds none where none was planted: the interval covers 0', () => {
    const assignments = assignmentsFor(12_000, 0.1);
    const events = simulateFollowUp(assignments, items, { controlRate: 0.06, treatmentRate: 0.06, seed: 12 });
    const [lift] = measureLift(assignments, interactionsOf(events), items, { event: 'Purchase' });
    expect(lift!.absolute!.interval.lower).toBeLessThan(0);
    expect(lift!.absolute!.interval.upper).toBeGreaterThan(0);
    expect(lift!.verdict).toMatch(/^NO DETECTABLE LIFT: [+−]\d\.\d pts, and the 95 % CI −\d\.\d pts to \+\d\.\d pts includes 0$/);
    // Views are no purchases: counting every event type converts far more users.
    const [anyEvent] = measureLift(assignments, interactionsOf(events), items);
    expect(anyEvent!.treatment.conversions).toBeGreaterThan(lift!.treatment.conversions);
  });

  it('says plainly when the sample is too small to tell', () => {
    const assignments = assignmentsFor(80, 0.2);
    const events = simulateFollowUp(assignments, items, { controlRate: 0.05, treatmentRate: 0.1, seed: 13 });
    const [lift] = measureLift(assignments, interactionsOf(events), items, { event: 'Purchase' });
    expect(lift!.verdict).toMatch(/^TOO SMALL TO TELL: \d+ conversions among 80 users \(\d+ in control\); the 95 % CI .* is wider than the control rate, keep the holdout running$/);
    const onlyTreatment = assignments.filter((assignment) => assignment.arm === 'treatment');
    expect(measureLift(onlyTreatment, interactionsOf(events), items)[0]!.verdict).toBe('no users in the control arm yet: nothing to compare');
  });
});
