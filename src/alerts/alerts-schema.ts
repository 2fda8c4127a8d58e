/**
 * The campaign's optional `alerts:` block: when a run should tell someone. Each rule that fires
 * goes into the run report and the history, and to `AFFINITY_ALERT_WEBHOOK_URL` when it is set.
 */
import { z } from 'zod';
import { strictBlock } from '../campaign/strict-block.js';

const share = (what: string) =>
  z
    .number()
    .min(0, `expected a share from 0 to 1, e.g. 0.5 for ${what}`)
    .max(1, `expected a share from 0 to 1, e.g. 0.5 for ${what}`);

export const alertsSchema = strictBlock({
  /**
   * Alert when the run fails (a segment, a destination or a record failed, or the run stopped).
   * @defaultValue true
   */
  onFailure: z.boolean().default(true).describe('Alert when the run fails (a segment, destination or record failed). Default: true'),
  /** Alert when a segment's audience has fewer members than this. */
  minMembers: z.int().min(1, 'expected at least 1 member').optional().describe('Alert when a segment has fewer members than this'),
  /**
   * Alert when a segment's members changed by more than this share of the previous run's (0–1):
   * 0.5 fires when an audience halves or grows by half.
   */
  maxMemberChange: share('half').optional().describe('Alert when a segment\'s members change by more than this share (0-1) of the previous run\'s'),
  /** Alert when the share of the campaign's USER_IDs matched to an email is below this (0–1). */
  minMatchRate: share('50%').optional().describe('Alert when the share (0-1) of USER_IDs matched to an email is below this'),
  /** Alert when the latest interaction in the data is older than this many days at run time. */
  staleDataDays: z.int().min(1, 'expected a number of days, at least 1').optional().describe('Alert when the latest interaction is older than this many days at run time'),
}).describe('When a run alerts (run report, history, and the AFFINITY_ALERT_WEBHOOK_URL webhook)');

/** The alert rules of a campaign (defaults applied). */
export type AlertRules = z.infer<typeof alertsSchema>;

/** Rules of a campaign without an `alerts:` block: failures only. */
export const DEFAULT_ALERT_RULES: AlertRules = { onFailure: true };
