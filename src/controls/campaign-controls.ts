/**
 * The marketing controls of one campaign run, between the segment provider and the identity
 * resolver: {@link prepareCampaignControls} reads the suppression lists and the state store once,
 * `select` applies them to each ranked segment, `record` keeps the placements and holdout
 * assignments (not in a dry run) and writes the holdout export.
 */
import { resolve } from 'node:path';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import { ConfigError } from '../core/errors.js';
import type { Users } from '../datasets/datasets.js';
import { normalizeEmail } from '../identity/normalize-email.js';
import { windowMs } from './controls-schema.js';
import type { ControlsStore, HoldoutAssignment, Placement } from './controls-store.js';
import { describeAffinityCounts, type AffinityCounts } from './affinity-floor.js';
import type { SegmentResult } from '../segments/segment-provider.js';
import { selectSegmentUsers, type SelectedUsers } from './select-segment-users.js';
import { readControlInputs } from './control-inputs.js';
import { writeAssignmentsCsv } from '../lift/assignments-csv.js';

/** A segment as the controls see it. */
export interface ControlledSegment {
  label: string;
  /** The query as JSON (`{"itemId":…}`): what the lift report counts as a conversion. */
  query: string;
}

/** The controls of one run, ready to apply. */
export interface CampaignControls {
  /** Users a provider should rank beyond `numResults`, so the next-ranked take the places of those left out. */
  readonly reserve: number;
  /** Applies the controls to one ranked segment; segments are selected in order (frequency caps count earlier ones). */
  select(segment: ControlledSegment, usersList: readonly string[], scores?: readonly number[]): SelectedUsers;
  /** Records the placements and holdout assignments of the selected segments and writes the holdout export. */
  record(runId: string): Promise<void>;
  /**
   * Why `select` leaves a user out of a segment, checked in its order (suppression, exclusivity,
   * frequency cap); undefined when no control leaves them out (for `explain`).
   */
  leftOutReason(segmentLabel: string, userId: string): LeftOutReason | undefined;
}

/** Why the controls leave a user out: a suppression list (by name), an exclusive campaign, the frequency cap. */
export type LeftOutReason = { control: 'suppressed'; list: string } | { control: 'exclusive' } | { control: 'frequency-capped' };

/** What the controls need of the run. */
export interface ControlsContext {
  env: NodeJS.ProcessEnv;
  /** Holdout export directories resolve against it. */
  cwd: string;
  dryRun: boolean;
  store: ControlsStore;
  /** The time of the run. @defaultValue now */
  now?: Date;
}

/** Email → the USER_IDs that have it, and the smallest of them (users sharing an email share one holdout arm). */
function emailIndex(users: Users): { userIdsOf: Map<string, string[]>; armKeyOf: Map<string, string> } {
  const userIdsOf = new Map<string, string[]>();
  for (const [userId, user] of users.byId) {
    const email = normalizeEmail(user.email);
    if (email === '') continue;
    const ids = userIdsOf.get(email);
    if (ids) ids.push(userId);
    else userIdsOf.set(email, [userId]);
  }
  const armKeyOf = new Map<string, string>();
  for (const ids of userIdsOf.values()) {
    if (ids.length < 2) continue;
    const first = ids.reduce((a, b) => (b < a ? b : a));
    for (const id of ids) armKeyOf.set(id, first);
  }
  return { userIdsOf, armKeyOf };
}

/**
 * Reads what the controls of `loaded` need and checks them.
 * @param labels - labels of the run's segments (a `holdout.segments` key must be one of them)
 * @throws ConfigError naming the field: a missing suppression file, an unknown campaign in
 *   `exclusiveWith`, an unknown segment in `holdout.segments`, a bad `AFFINITY_FREQUENCY_CAP`
 */
export async function prepareCampaignControls(
  loaded: LoadedCampaign,
  users: Users,
  labels: readonly string[],
  ctx: ControlsContext,
): Promise<CampaignControls> {
  const { campaign } = loaded;
  const now = ctx.now ?? new Date();
  const { issues, lists, others, cap } = await readControlInputs(loaded, labels, ctx.env, ctx.cwd);
  if (issues.length > 0) throw new ConfigError(issues);

  const { userIdsOf, armKeyOf } = emailIndex(users);
  const suppressedBy = new Map<string, string>();
  for (const list of lists) {
    for (const userId of list.userIds) if (!suppressedBy.has(userId)) suppressedBy.set(userId, list.reason);
    for (const email of list.emails) for (const userId of userIdsOf.get(email) ?? []) if (!suppressedBy.has(userId)) suppressedBy.set(userId, list.reason);
  }

  // Rivals: campaigns this one names, and campaigns that name this one. This one loses a user that
  // a rival's latest run placed, unless its priority is higher.
  const ownPriority = campaign.priority ?? 0;
  const rivals = new Set(campaign.exclusiveWith ?? []);
  for (const other of others.values()) if (other.exclusiveWith.includes(campaign.name)) rivals.add(other.name);
  const heldElsewhere = new Set<string>();
  for (const rival of rivals) {
    if ((others.get(rival)?.priority ?? 0) < ownPriority) continue;
    for (const userId of await ctx.store.latestRunPlacements(rival)) heldElsewhere.add(userId);
  }

  /** USER_ID → audiences (campaign + segment) it was placed in within the cap's window. */
  const audiencesOf = new Map<string, Set<string>>();
  const place = (userId: string, audience: string) => {
    const set = audiencesOf.get(userId);
    if (set) set.add(audience);
    else audiencesOf.set(userId, new Set([audience]));
  };
  if (cap) {
    for (const placement of await ctx.store.placementsSince(new Date(now.getTime() - windowMs(cap.window)))) {
      place(placement.userId, `${placement.campaign}\u0000${placement.segment}`);
    }
  }

  const placements: Placement[] = [];
  const assignments: HoldoutAssignment[] = [];
  // A user already in this audience takes no new place in it.
  const capped = (userId: string, audience: string): boolean => {
    if (!cap) return false;
    const held = audiencesOf.get(userId);
    return held !== undefined && !held.has(audience) && held.size >= cap.maxAudiences;
  };
  return {
    leftOutReason(segmentLabel, userId) {
      const list = suppressedBy.get(userId);
      if (list !== undefined) return { control: 'suppressed', list };
      if (heldElsewhere.has(userId)) return { control: 'exclusive' };
      if (capped(userId, `${campaign.name}\u0000${segmentLabel}`)) return { control: 'frequency-capped' };
      return undefined;
    },
    reserve: suppressedBy.size + heldElsewhere.size + (cap ? audiencesOf.size : 0),
    select(segment, usersList, scores) {
      const audience = `${campaign.name}\u0000${segment.label}`;
      const holdoutShare = campaign.holdout ? (campaign.holdout.segments?.[segment.label] ?? campaign.holdout.share) : undefined;
      const selected = selectSegmentUsers(usersList, scores, {
        campaign: campaign.name,
        numResults: campaign.segment.numResults,
        suppressedBy: (userId) => suppressedBy.get(userId),
        heldElsewhere: (userId) => heldElsewhere.has(userId),
        capped: (userId) => capped(userId, audience),
        ...(holdoutShare !== undefined ? { holdoutShare, armKeyOf: (userId: string) => armKeyOf.get(userId) ?? userId } : {}),
      });
      for (const userId of selected.treatment) {
        place(userId, audience);
        placements.push({ userId, campaign: campaign.name, segment: segment.label, runId: '', placedAt: now });
      }
      if (holdoutShare !== undefined) {
        for (const [arm, userIds] of [['treatment', selected.treatment], ['control', selected.control]] as const) {
          for (const userId of userIds) assignments.push({ campaign: campaign.name, segment: segment.label, query: segment.query, userId, arm, firstEnteredAt: now, runId: '' });
        }
      }
      return selected;
    },
    async record(runId) {
      if (ctx.dryRun) return;
      await ctx.store.recordPlacements(placements.map((placement) => ({ ...placement, runId })));
      if (!campaign.holdout) return;
      await ctx.store.recordAssignments(assignments.map((assignment) => ({ ...assignment, runId })));
      if (campaign.holdout.export) {
        const file = resolve(ctx.cwd, campaign.holdout.export.dir, `${campaign.name}-holdout.csv`);
        await writeAssignmentsCsv(file, await ctx.store.assignments(campaign.name));
      }
    },
  };
}


/**
 * One segment through the controls, with the notes the run report shows (padding, a segment
 * shorter than `numResults`) and the affinity counts of the users kept.
 */
export function controlSegment(
  controls: CampaignControls,
  segment: ControlledSegment,
  usersList: readonly string[],
  result: SegmentResult | undefined,
  numResults: number,
): SelectedUsers & { notes: string[]; affinity?: AffinityCounts } {
  const selected = controls.select(segment, usersList, result?.scores);
  if (!result?.affinity || !selected.scored || result.error) return { ...selected, notes: [] };
  const affinity: AffinityCounts = { ...result.affinity, ...selected.scored };
  const note = describeAffinityCounts(affinity, numResults);
  return { ...selected, affinity, notes: note ? [note] : [] };
}
