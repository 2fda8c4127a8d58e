/**
 * What happens to an audience a campaign no longer produces (a query removed, an item no longer
 * overstocked): the destination's `retire:` option, declared once for every connector.
 */
import { z } from 'zod';
import type { SyncMode } from '../sync/destination-connector.js';

/**
 * - `keep`: leave the audience and its members as they are;
 * - `empty`: remove the members this campaign put there (the audience itself stays);
 * - `delete`: delete the tag, list or file (members stay in the Mailchimp audience / HubSpot portal).
 */
export const RETIRE_POLICIES = ['keep', 'empty', 'delete'] as const;
export type RetirePolicy = (typeof RETIRE_POLICIES)[number];

/** The `retire:` field of a destination entry. */
export const retirePolicySchema = z
  .enum(RETIRE_POLICIES)
  .optional()
  .describe('When a run no longer produces an audience: keep, empty (remove the members this campaign put there) or delete (the tag, list or file); default empty for mirror, keep for additive');

/**
 * The policy that applies: the destination's `retire:`, else `empty` for mirror and `keep` for
 * additive destinations. An audience whose name template holds `{{date}}` is a dated snapshot that
 * every run replaces by a new one, so by default it is kept.
 */
export function effectiveRetirePolicy(configured: RetirePolicy | undefined, mode: SyncMode, nameTemplate: string): RetirePolicy {
  if (configured !== undefined) return configured;
  if (/\{\{\s*date\s*\}\}/.test(nameTemplate)) return 'keep';
  return mode === 'mirror' ? 'empty' : 'keep';
}
