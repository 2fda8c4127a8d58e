/**
 * What the marketing controls keep in the sync-state store: placements (who was put in which
 * audience when, for frequency caps and exclusivity) and holdout assignments (who entered which arm
 * of which segment first, for the lift report). USER_IDs only, never an email.
 */
import type { HoldoutArm } from './holdout-arm.js';

/** A user put in an audience by a run (treatment members only: the control arm reaches no one). */
export interface Placement {
  userId: string;
  campaign: string;
  /** The segment's label: with the campaign, it names the audience in every destination. */
  segment: string;
  runId: string;
  placedAt: Date;
}

/** The first time a user entered an arm of a campaign's segment. */
export interface HoldoutAssignment {
  campaign: string;
  segment: string;
  /** The segment's query (`{"itemId":…}` or `{"itemAttributes":…}`, as JSON): what a conversion is. */
  query: string;
  userId: string;
  arm: HoldoutArm;
  firstEnteredAt: Date;
  runId: string;
}

/** The port the controls use; the sync-state store implements it. */
export interface ControlsStore {
  /** Placements made at or after `since`, by every campaign. */
  placementsSince(since: Date): Promise<Placement[]>;
  /** USER_IDs placed by the latest run of `campaign` that placed anyone (empty when none). */
  latestRunPlacements(campaign: string): Promise<string[]>;
  recordPlacements(placements: readonly Placement[]): Promise<void>;
  /** Records assignments not yet known (by campaign, segment, user); a known one keeps its first entry. */
  recordAssignments(assignments: readonly HoldoutAssignment[]): Promise<void>;
  /** Every assignment of `campaign`, by segment and user. */
  assignments(campaign: string): Promise<HoldoutAssignment[]>;
}
