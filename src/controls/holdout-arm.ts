/**
 * The holdout split: a user's arm is a pure function of the campaign name and the user's id, so a
 * user stays in the same arm across runs and across the segments of a campaign.
 */
import { createHash } from 'node:crypto';

/** Arm of a holdout: `treatment` reaches the destinations, `control` never does. */
export type HoldoutArm = 'treatment' | 'control';

/**
 * A number in [0, 1) from the first 32 bits of SHA-256(`campaign` NUL `userId`). Uniform for any
 * practical purpose, and nested across shares: a user in the control arm at share 0.1 is also in
 * it at 0.2.
 */
export function holdoutUnit(campaign: string, userId: string): number {
  return createHash('sha256').update(`${campaign}\u0000${userId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** The arm of a user: `control` when its unit falls below `share`. */
export function holdoutArm(campaign: string, userId: string, share: number): HoldoutArm {
  return holdoutUnit(campaign, userId) < share ? 'control' : 'treatment';
}
