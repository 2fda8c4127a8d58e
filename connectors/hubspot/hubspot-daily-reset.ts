/**
 * When HubSpot's DAILY API limit resets: "at midnight based on your HubSpot account's time zone"
 * (https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details). The account's zone comes
 * from `GET /account-info/v3/details` (`timeZone`, an IANA name); when it cannot be read (a spent daily
 * limit may refuse that request too), the next UTC midnight is used and the basis says so.
 * Time-zone arithmetic (days of 23 or 25 hours) is luxon's.
 */
import { DateTime } from 'luxon';

/** The next reset and how it was found. */
export interface DailyReset {
  at: Date;
  /** In words, for reports: `midnight in the portal's time zone US/Eastern` or why UTC was used. */
  basis: string;
}

/**
 * The first midnight after `now` in `timeZone` (an IANA name); UTC midnight when the zone is unknown
 * or not a zone luxon knows.
 */
export function nextDailyReset(timeZone: string | undefined, now: Date = new Date()): DailyReset {
  if (timeZone !== undefined) {
    const local = DateTime.fromJSDate(now).setZone(timeZone);
    if (local.isValid) {
      return { at: local.plus({ days: 1 }).startOf('day').toJSDate(), basis: `midnight in the portal's time zone ${timeZone}` };
    }
  }
  const utc = DateTime.fromJSDate(now, { zone: 'utc' }).plus({ days: 1 }).startOf('day');
  const why = timeZone === undefined ? "the portal's time zone could not be read" : `the portal's time zone "${timeZone}" is unknown`;
  return { at: utc.toJSDate(), basis: `UTC midnight: ${why}, and HubSpot resets at the portal's midnight, so this may be off by the portal's UTC offset` };
}
