/**
 * The campaign fields of the marketing controls: `holdout`, `suppress`, `frequencyCap`,
 * `exclusiveWith` and `priority`. Spread into the campaign schema (`src/campaign/campaign-schema.ts`).
 */
import { z } from 'zod';
import { strictBlock } from '../campaign/strict-block.js';

const shareSchema = z
  .number()
  .gt(0, 'expected a share between 0 and 1 (exclusive), e.g. 0.1 for 10 %')
  .lt(1, 'expected a share between 0 and 1 (exclusive), e.g. 0.1 for 10 %');

/** `7d`, `36h`, `2w`: a window in hours, days or weeks. */
const WINDOW = /^(\d+)\s*(h|d|w)$/;
const WINDOW_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** Milliseconds of a window such as `7d` (`h`, `d`, `w`). @throws Error for anything else */
export function windowMs(window: string): number {
  const match = WINDOW.exec(window.trim());
  if (!match) throw new Error(`expected a window such as 7d, 36h or 2w, got "${window}"`);
  return Number(match[1]) * WINDOW_MS[match[2] as keyof typeof WINDOW_MS];
}

export const holdoutSchema = strictBlock({
  share: shareSchema.describe('Share of each segment kept out of every destination as the control arm, e.g. 0.1'),
  segments: z
    .record(z.string(), shareSchema)
    .optional()
    .describe('Per-segment shares by segment label (e.g. { footwear: 0.2 }); others use `share`'),
  export: strictBlock({
    dir: z.string().min(1).describe('Directory (relative to the working directory) for <campaign>-holdout.csv'),
  })
    .optional()
    .describe('Also write every assignment (USER_ID, segment, arm, first entry) to a CSV file for the analyst'),
}).describe('A control group per segment: a deterministic split by a hash of the campaign name and USER_ID');

const suppressEntrySchema = z.union([
  z.string().min(1, 'expected a CSV file path'),
  strictBlock({
    file: z.string().min(1, 'expected a CSV file path'),
    reason: z.string().min(1).optional().describe('Name of this list in reports; default: the file name'),
  }),
]);

export const frequencyCapSchema = strictBlock({
  maxAudiences: z.number().int().min(1).describe('Most audiences one user may be placed in within `window`, across every campaign of the state store'),
  window: z
    .string()
    .regex(WINDOW, 'expected a window such as 7d, 36h or 2w')
    .describe('Look-back window: hours (h), days (d) or weeks (w), e.g. 7d'),
}).describe('Leave out users already placed in this many audiences within the window; the next-ranked user takes the place');

/** The fields every campaign type may carry. */
export const controlsShape = {
  holdout: holdoutSchema.optional(),
  suppress: z
    .array(suppressEntrySchema)
    .optional()
    .describe('CSV files (with a header) of people who must never be in this campaign\'s audiences: an EMAIL or USER_ID column. Relative to this file'),
  frequencyCap: frequencyCapSchema.optional(),
  exclusiveWith: z
    .array(z.string().min(1))
    .optional()
    .describe('Campaigns that must never share a user with this one; the earlier run wins unless `priority` says otherwise'),
  priority: z
    .number()
    .int()
    .optional()
    .describe('Between exclusive campaigns, the higher priority keeps a contested user even when it runs later. Default 0'),
};

export type HoldoutConfig = z.infer<typeof holdoutSchema>;
export type FrequencyCapConfig = z.infer<typeof frequencyCapSchema>;
export type SuppressEntry = z.infer<typeof suppressEntrySchema>;
