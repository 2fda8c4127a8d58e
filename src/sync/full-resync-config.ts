/**
 * `fullResyncEvery`, a destination field every connector with incremental syncs shares: how often
 * a sync sends every member again instead of only the change, to repair drift from edits made
 * inside Mailchimp or HubSpot (someone untagged by hand in additive mode).
 */
import { z } from 'zod';

/** Default of `fullResyncEvery`: a week, so hand edits are repaired within seven days at the cost of one full sync a week. */
export const DEFAULT_FULL_RESYNC_EVERY = '7d';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const intervalPattern = /^([1-9]\d{0,3})([mhd])$/;

/** @defaultValue `7d` ({@link DEFAULT_FULL_RESYNC_EVERY}) */
export const fullResyncEverySchema = z
  .string()
  .regex(/^(?:never|[1-9]\d{0,3}[mhd])$/, 'expected an interval such as 7d, 12h or 90m, or never')
  .optional()
  .describe('send every member again when the last full sync is older than this (e.g. 7d, 12h, 90m; never); default 7d; other runs send only the change');

/** Milliseconds of a `fullResyncEvery` value (default 7d), or undefined for `never`. */
export function fullResyncEveryMs(value: string | undefined): number | undefined {
  const match = intervalPattern.exec(value ?? DEFAULT_FULL_RESYNC_EVERY);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
