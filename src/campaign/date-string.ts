import { z } from 'zod';

const DATE_OR_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A calendar date (`2024-12-01`, meaning 00:00 UTC) or an ISO 8601 date-time with a zone
 * (`2024-12-01T08:00:00Z`, `2024-12-01T09:00:00+01:00`).
 */
export const dateStringSchema = z
  .string()
  .regex(DATE_OR_DATE_TIME, {
    error: 'expected a date (2024-12-01) or a date-time with a zone (2024-12-01T08:00:00Z)',
    // A malformed date is one problem, not also "not a real date".
    abort: true,
  })
  .refine((text) => !Number.isNaN(Date.parse(text)), 'not a real date');

/** Epoch seconds of a {@link dateStringSchema} value (a bare date is 00:00 UTC). */
export function dateStringToEpochSeconds(text: string): number {
  const withZone = /T/.test(text) ? text : `${text}T00:00:00Z`;
  return Date.parse(withZone) / 1000;
}
