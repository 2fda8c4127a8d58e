/**
 * The alert rules as pure functions over one run's facts and the previous run's: no I/O, so the
 * queue, the CLI and the tests get the same answer.
 */
import type { AlertRules } from './alerts-schema.js';

/** Names of the rules of the `alerts:` block. */
export type AlertRule = 'onFailure' | 'minMembers' | 'maxMemberChange' | 'minMatchRate' | 'staleDataDays';

/** One alert that fired. Its text holds counts, labels and dates: never an email address or a key. */
export interface Alert {
  rule: AlertRule;
  /** Segment label, for the rules that apply per segment (`minMembers`, `maxMemberChange`). */
  segment?: string;
  /** What happened, in words. */
  message: string;
  /** The measured value (members, share, days), when the rule measures one. */
  value?: number;
  /** The campaign's threshold for it. */
  threshold?: number;
}

/** What the rules look at in a run. */
export interface RunFacts {
  runId: string;
  /** ISO 8601 time the run started: "now" for `staleDataDays`. */
  startedAt: string;
  /** Why the run failed, in words; undefined when it succeeded. */
  failure?: string;
  segments: Array<{
    label: string;
    /** The query as an expression: segments of two runs are compared by it. */
    query: string;
    /** USER_IDs in the provider's segment. */
    usersInSegment: number;
    /** USER_IDs matched to a valid email. */
    matched: number;
    /** Audience members (distinct emails). */
    members: number;
    /** The provider's error for this segment, else null. */
    error: string | null;
  }>;
  /** ISO 8601 time of the latest interaction in the data, when known. */
  dataEndsAt?: string;
}

const DAY_MS = 86_400_000;
const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;
const count = (value: number): string => value.toLocaleString('en-US');

/**
 * The alerts one run raises, in rule order.
 *
 * - `onFailure`: the run failed (`current.failure`).
 * - `minMembers`: a segment (without error) has fewer members than the minimum.
 * - `maxMemberChange`: a segment's members moved by more than the share of the previous run's
 *   members of the same query (`|now − before| / before`; segments new in this run, or empty
 *   before, are not compared).
 * - `minMatchRate`: matched / users over the campaign's segments is below the minimum.
 * - `staleDataDays`: the latest interaction is more than N days before the run started.
 *
 * @param previous - the previous run of the campaign that produced segments, if any.
 */
export function evaluateAlerts(rules: AlertRules, current: RunFacts, previous?: RunFacts): Alert[] {
  const alerts: Alert[] = [];
  if (rules.onFailure && current.failure !== undefined) {
    alerts.push({ rule: 'onFailure', message: `the run failed: ${current.failure}` });
  }
  const served = current.segments.filter((segment) => segment.error === null);
  if (rules.minMembers !== undefined) {
    for (const segment of served) {
      if (segment.members >= rules.minMembers) continue;
      alerts.push({
        rule: 'minMembers',
        segment: segment.label,
        message: `${segment.label} has ${count(segment.members)} members, fewer than the minimum of ${count(rules.minMembers)}`,
        value: segment.members,
        threshold: rules.minMembers,
      });
    }
  }
  if (rules.maxMemberChange !== undefined && previous) {
    const before = new Map(previous.segments.filter((segment) => segment.error === null).map((segment) => [segment.query, segment.members]));
    for (const segment of served) {
      const was = before.get(segment.query);
      if (was === undefined || was === 0) continue;
      const change = (segment.members - was) / was;
      if (Math.abs(change) <= rules.maxMemberChange) continue;
      alerts.push({
        rule: 'maxMemberChange',
        segment: segment.label,
        message: `${segment.label} went from ${count(was)} to ${count(segment.members)} members (${change > 0 ? '+' : ''}${percent(change)}) since run ${previous.runId}, more than the ${percent(rules.maxMemberChange)} allowed`,
        value: change,
        threshold: rules.maxMemberChange,
      });
    }
  }
  if (rules.minMatchRate !== undefined) {
    const users = served.reduce((sum, segment) => sum + segment.usersInSegment, 0);
    const matched = served.reduce((sum, segment) => sum + segment.matched, 0);
    const rate = users === 0 ? undefined : matched / users;
    if (rate !== undefined && rate < rules.minMatchRate) {
      alerts.push({
        rule: 'minMatchRate',
        message: `${percent(rate)} of the segments' USER_IDs matched an email (${count(matched)} of ${count(users)}), below the minimum of ${percent(rules.minMatchRate)}`,
        value: rate,
        threshold: rules.minMatchRate,
      });
    }
  }
  if (rules.staleDataDays !== undefined && current.dataEndsAt !== undefined) {
    const days = Math.floor((Date.parse(current.startedAt) - Date.parse(current.dataEndsAt)) / DAY_MS);
    if (days > rules.staleDataDays) {
      alerts.push({
        rule: 'staleDataDays',
        message: `the latest interaction is from ${current.dataEndsAt.slice(0, 10)}, ${count(days)} days before this run, more than the ${count(rules.staleDataDays)} days allowed`,
        value: days,
        threshold: rules.staleDataDays,
      });
    }
  }
  return alerts;
}
