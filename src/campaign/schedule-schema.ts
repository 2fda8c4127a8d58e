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

/**
 * Zone abbreviations and POSIX-style names the runtime accepts, with the region zone meant. They
 * are refused: `EST` is a fixed UTC-5 all year (so a 07:30 schedule would run at 08:30 New York
 * time all summer), and which of them follow daylight saving differs from name to name.
 */
const REGION_OF_ZONE: Record<string, string> = {
  EST: 'America/New_York',
  EST5EDT: 'America/New_York',
  EDT: 'America/New_York',
  CST: 'America/Chicago',
  CST6CDT: 'America/Chicago',
  MST: 'America/Denver (or America/Phoenix, which keeps standard time all year)',
  MST7MDT: 'America/Denver',
  PST: 'America/Los_Angeles',
  PST8PDT: 'America/Los_Angeles',
  HST: 'Pacific/Honolulu',
  CET: 'Europe/Berlin',
  MET: 'Europe/Berlin',
  EET: 'Europe/Athens',
  WET: 'Europe/Lisbon',
};

/** Why `timeZone` is not an IANA region zone (`America/New_York`) or UTC, else undefined. */
function timeZoneProblem(timeZone: string): string | undefined {
  if (!timeZone.includes('/') && !['UTC', 'GMT'].includes(timeZone.toUpperCase())) {
    const region = REGION_OF_ZONE[timeZone.toUpperCase()];
    return `"${timeZone}" is not a region time zone: abbreviations like EST or PST are fixed offsets or follow daylight saving inconsistently; use an IANA region zone such as ${region ?? 'Europe/Berlin or America/New_York'}, or UTC`;
  }
  return isValidTimeZone(timeZone) ? undefined : 'expected an IANA time zone such as UTC or Europe/Berlin';
}

/** Why `cron` is not a 5-field cron expression, or undefined when it is one. */
function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 6) {
    return 'expected a cron expression of 5 fields: minute hour day month weekday; got 6 (a seconds field is not supported: a campaign runs at most once a minute)';
  }
  if (fields.length !== 5) {
    return `expected a cron expression of 5 fields: minute hour day month weekday; got ${fields.length}`;
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
    .describe('Cron expression of 5 fields (minute hour day month weekday), e.g. "0 6 * * 1" = Mondays at 06:00'),
  timezone: z
    .string()
    .superRefine((timeZone, ctx) => {
      const problem = timeZoneProblem(timeZone);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('UTC')
    .describe('IANA region time zone the cron expression is read in (America/New_York, Europe/Berlin), or UTC; abbreviations like EST are refused. Default: UTC'),
  enabled: z.boolean().default(true).describe('Set to false to keep the schedule but not run it. Default: true'),
}).describe('When the worker runs this campaign (BullMQ job scheduler)');

export type Schedule = z.infer<typeof scheduleSchema>;
