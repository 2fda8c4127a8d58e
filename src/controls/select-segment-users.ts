/**
 * The controls applied to one ranked segment, best user first: suppression, frequency cap and
 * exclusivity leave users out (the next-ranked user takes the place, up to `numResults`); the
 * holdout then splits the kept users into treatment (synced) and control (never synced).
 */
import { holdoutArm } from './holdout-arm.js';

/** What the controls did to one segment, for the run report. */
export interface SegmentControlCounts {
  /** Users left out because a suppression list holds them, by list (`global`, a file name, a reason). */
  suppressed: Record<string, number>;
  /** Users left out because they already were in `maxAudiences` audiences within the window. */
  frequencyCapped: number;
  /** Users left out because an exclusive campaign holds them. */
  exclusive: number;
  /** Set when the campaign has a holdout: the share and the size of each arm. */
  holdout?: { share: number; treatment: number; control: number };
}

/** The rules for one segment. */
export interface SegmentRules {
  campaign: string;
  numResults: number;
  /** The list that suppresses a user, or undefined. */
  suppressedBy(userId: string): string | undefined;
  /** True when the user may not enter another audience (frequency cap). */
  capped(userId: string): boolean;
  /** True when an exclusive campaign holds the user. */
  heldElsewhere(userId: string): boolean;
  /** Holdout share of this segment, if any. */
  holdoutShare?: number;
  /** The id the arm is drawn for (users sharing an email share one arm). @defaultValue the USER_ID */
  armKeyOf?(userId: string): string;
}

/** The users of one segment after the controls. */
export interface SelectedUsers {
  /** USER_IDs that go to the destinations, best first. */
  treatment: string[];
  /** Scores of `treatment`, when the provider gave scores. */
  treatmentScores?: number[];
  /** USER_IDs held out, best first. */
  control: string[];
  counts: SegmentControlCounts;
  /** With scores: kept users (both arms) with a positive score, and with a score of 0 (padded by activity). */
  scored?: { withAffinity: number; padded: number };
}

/** Applies the rules to a ranked `usersList` (with the provider's scores, if any). */
export function selectSegmentUsers(usersList: readonly string[], scores: readonly number[] | undefined, rules: SegmentRules): SelectedUsers {
  const counts: SegmentControlCounts = { suppressed: {}, frequencyCapped: 0, exclusive: 0 };
  const treatment: string[] = [];
  const treatmentScores: number[] = [];
  const control: string[] = [];
  const scored = { withAffinity: 0, padded: 0 };
  for (const [index, userId] of usersList.entries()) {
    if (treatment.length + control.length >= rules.numResults) break;
    const list = rules.suppressedBy(userId);
    if (list !== undefined) {
      counts.suppressed[list] = (counts.suppressed[list] ?? 0) + 1;
      continue;
    }
    if (rules.heldElsewhere(userId)) {
      counts.exclusive += 1;
      continue;
    }
    if (rules.capped(userId)) {
      counts.frequencyCapped += 1;
      continue;
    }
    if ((scores?.[index] ?? 0) > 0) scored.withAffinity += 1;
    else scored.padded += 1;
    const share = rules.holdoutShare;
    if (share !== undefined && holdoutArm(rules.campaign, rules.armKeyOf?.(userId) ?? userId, share) === 'control') {
      control.push(userId);
      continue;
    }
    treatment.push(userId);
    if (scores) treatmentScores.push(scores[index] ?? 0);
  }
  if (rules.holdoutShare !== undefined) counts.holdout = { share: rules.holdoutShare, treatment: treatment.length, control: control.length };
  return { treatment, control, counts, ...(scores ? { treatmentScores, scored } : {}) };
}
