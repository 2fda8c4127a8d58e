/**
 * The IdentityResolver port: USER_IDs of a segment → audience members with a normalised email.
 */

/** One person in an audience. Several USER_IDs that share one email become one member. */
export interface AudienceMember {
  /** Trimmed, lower-cased email: the key every destination uses. */
  email: string;
  /** USER_IDs behind this email, in segment order. */
  userIds: string[];
  firstName?: string;
  lastName?: string;
  /** 1-based position of the member's best-ranked USER_ID in the segment. */
  rank: number;
  /** The segment provider's score of that USER_ID (local engine only; Personalize gives none). */
  score?: number;
}

/** Why a USER_ID of a segment did not become a member. */
export type UnmatchedReason = 'unknownUser' | 'missingEmail' | 'invalidEmail';

/** A segment resolved to members. */
export interface ResolvedSegment {
  /** Members by rank, one per distinct email. */
  members: AudienceMember[];
  /** USER_IDs that gave no member, counted by reason. */
  unmatched: Record<UnmatchedReason, number>;
  /** USER_IDs folded into a member that an earlier USER_ID with the same email already made. */
  mergedDuplicates: number;
}

/** Resolves USER_IDs to members. */
export interface IdentityResolver {
  /** Resolves a segment's `usersList`, keeping its order; `scores` (parallel to it) become the members' scores. */
  resolve(userIds: readonly string[], scores?: readonly number[]): ResolvedSegment;
}
