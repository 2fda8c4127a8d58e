/**
 * The `schedule` block of a campaign: when the queue's job scheduler runs it. Validated when the
 * file is loaded, so a bad cron or zone fails `validate`, not the scheduler later.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { strictBlock } from './strict-block.js';

/** True when `timeZone` is an IANA zone name the runtime knows (`Europe/Berlin`, `UTC`). */
function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Why `cron` is not a 5- or 6-field cron expression, or undefined when it is one. */
function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    return `expected a cron expression with 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(cron);
    return undefined;
  } catch (error) {
    return `invalid cron expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export const scheduleSchema = strictBlock({
  cron: z
    .string()
    .superRefine((cron, ctx) => {
      const problem = cronProblem(cron);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('Cron expression (5 fields, or 6 with seconds first), e.g. "0 6 * * 1" = Mondays at 06:00'),
  timezone: z
    .string()
    .refine(isValidTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin')
    .default('UTC')
    .describe('IANA time zone the cron expression is read in. Default: UTC'),
  enabled: z.boolean().default(true).describe('Set to false to keep the schedule but not run it. Default: true'),
}).describe('When the worker runs this campaign (BullMQ job scheduler)');

export type Schedule = z.infer<typeof scheduleSchema>;
