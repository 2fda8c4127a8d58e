/**
 * The plan step of an audience sync: which members to send and which to remove, in chunks.
 */
import type { AudienceMember } from '../identity/identity-resolver.js';
import type { ApplyBatch, AudienceRef } from './destination-connector.js';
import type { SyncLedger } from './sync-ledger.js';

/** Default of `maxRemovalShare`: a mirror sync may remove at most half the audience. */
export const DEFAULT_MAX_REMOVAL_SHARE = 0.5;

/** The mass-removal guard only applies when a mirror sync would remove more than this many members. */
export const MASS_REMOVAL_MIN_MEMBERS = 100;

/** The plan of one audience sync, as counted before any write. */
export interface AudienceSyncPlan {
  /** Members to send (mirror: not in the audience; additive: not in the snapshot; full resync: every member). */
  add: number;
  /** Members to remove (mirror only: in the audience, no longer in the segment). */
  remove: number;
  /** Members not sent because the audience (or its snapshot) already holds them. */
  unchanged: number;
  /** Chunks of at most `limits.batchSize` records. */
  chunks: number;
}

export interface PlannedChunk {
  index: number;
  batch: ApplyBatch;
  /** Members of this chunk's slice already in the audience (counted as `alreadyMember`, not sent). */
  unchanged: string[];
  /** False for removal chunks: they are planned from the live diff, which already leaves out what an earlier attempt removed. */
  skippableWhenDone: boolean;
}

export interface PlanInput {
  /** The segment's members, one per email, by rank. */
  desired: readonly AudienceMember[];
  /** The destination's members (mirror mode, or an in-flight check); empty when not read. */
  current: ReadonlySet<string>;
  /** The audience's snapshot; without one, every member not in `current` is sent. */
  ledger?: SyncLedger;
  /** Send every member, whatever the snapshot says. */
  fullResync: boolean;
  /** Remove `current − desired` (mirror mode). */
  removesStale: boolean;
  batchSize: number;
}

/**
 * Plans the chunks: add chunks first (by rank), removal chunks after.
 *
 * With a ledger, adds are packed densely (a repeat run with 1 % churn sends 1 % of the chunks);
 * chunk indices then depend on the snapshot, so resumes rely on the ledger, not on indices.
 * Without one, add chunks are fixed slices of the segment (stable indices for checkpoints).
 */
export function planAudienceChunks(input: PlanInput): { adds: PlannedChunk[]; removals: PlannedChunk[]; plan: AudienceSyncPlan } {
  const size = Math.max(1, input.batchSize);
  const { ledger, current } = input;
  const known = (member: AudienceMember): boolean => !input.fullResync && (current.has(member.email) || (ledger?.has(member.email) ?? false));
  const adds: PlannedChunk[] = [];
  if (ledger) {
    const toSend = input.desired.filter((member) => !known(member));
    for (let start = 0; start < toSend.length; start += size) {
      adds.push({ index: adds.length, batch: { add: toSend.slice(start, start + size), remove: [] }, unchanged: [], skippableWhenDone: false });
    }
  } else {
    for (let start = 0; start < input.desired.length; start += size) {
      const slice = input.desired.slice(start, start + size);
      adds.push({
        index: adds.length,
        batch: { add: slice.filter((member) => !known(member)), remove: [] },
        unchanged: slice.filter(known).map((member) => member.email),
        skippableWhenDone: true,
      });
    }
  }
  const removals: PlannedChunk[] = [];
  if (input.removesStale) {
    const wanted = new Set(input.desired.map((member) => member.email));
    const stale = [...current].filter((email) => !wanted.has(email)).sort();
    for (let start = 0; start < stale.length; start += size) {
      removals.push({ index: adds.length + removals.length, batch: { add: [], remove: stale.slice(start, start + size) }, unchanged: [], skippableWhenDone: false });
    }
  }
  const add = adds.reduce((sum, chunk) => sum + chunk.batch.add.length, 0);
  const plan: AudienceSyncPlan = {
    add,
    remove: removals.reduce((sum, chunk) => sum + chunk.batch.remove.length, 0),
    unchanged: input.desired.length - add,
    chunks: adds.length + removals.length,
  };
  return { adds, removals, plan };
}

/** One member per email (the first by rank), ordered by rank then email. */
export function normaliseMembers(members: readonly AudienceMember[]): AudienceMember[] {
  const byEmail = new Map<string, AudienceMember>();
  for (const member of [...members].sort(byRank)) {
    if (!byEmail.has(member.email)) byEmail.set(member.email, member);
  }
  return [...byEmail.values()];
}

function byRank(a: AudienceMember, b: AudienceMember): number {
  return a.rank - b.rank || (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
}

/** Why a mirror sync must not run (an empty segment, a mass removal), or undefined when it may. */
export function mirrorRefusal(members: number, current: number, remove: number, maxRemovalShare: number, audience: AudienceRef): string | undefined {
  if (members === 0 && current > 0) {
    return `the segment is empty; refusing to remove all ${current} members of ${audience.name} in mirror mode — check the datasets`;
  }
  if (remove > MASS_REMOVAL_MIN_MEMBERS && remove > maxRemovalShare * current) {
    const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;
    return (
      `refusing to remove ${remove} of the ${current} members (${percent(remove / current)}) of ${audience.name} in mirror mode: ` +
      `more than maxRemovalShare (${percent(maxRemovalShare)}) and more than ${MASS_REMOVAL_MIN_MEMBERS} members — check the datasets, or raise maxRemovalShare (0–1) in this destination`
    );
  }
  return undefined;
}
