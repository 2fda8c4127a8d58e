/** Campaign config of the `mailchimp` destination (the API key comes from `MAILCHIMP_API_KEY`, never from here). */
import { z } from 'zod';
import { retirePolicySchema } from '../../src/lifecycle/retire-policy.js';
import { fullResyncEverySchema } from '../../src/sync/full-resync-config.js';
import { maxRemovalShareSchema } from '../../src/sync/mirror-config.js';

export const mailchimpConfigSchema = z
  .object({
    connector: z.literal('mailchimp'),
    /** Mailchimp audience (list) id, e.g. `a1b2c3d4e5`. */
    audienceId: z.string().trim().min(1, 'expected the Mailchimp audience (list) id'),
    /**
     * Tag (static segment) name template: `{{campaign}}`, `{{query}}`, `{{label}}`, `{{date}}`.
     * Checked after rendering: Mailchimp tag names have at most 100 characters.
     * @defaultValue `affinity {{campaign}} {{query}}`
     */
    tag: z.string().min(1, 'expected a tag name template').default('affinity {{campaign}} {{query}}'),
    /**
     * `additive` tags the segment's members and never untags; `mirror` also untags members of this
     * tag who left the segment (never unsubscribes or deletes anyone).
     * @defaultValue `additive`
     */
    mode: z.enum(['additive', 'mirror']).default('additive'),
    /**
     * Mirror mode: the largest share (0–1) of the tag's members one run may remove; a run that would
     * remove more (and more than 100 members) is refused. 1 allows any.
     * @defaultValue 0.5
     */
    maxRemovalShare: maxRemovalShareSchema,
    /**
     * Runs send only the change since the last sync; this often (e.g. `7d`, `12h`, `never`) a run
     * re-sends every member, repairing tags removed by hand.
     * @defaultValue `7d`
     */
    fullResyncEvery: fullResyncEverySchema,
    /**
     * A tag no run produces any more: `keep`, `empty` (untag the members this campaign tagged) or
     * `delete` (delete the tag; members stay in the audience).
     * @defaultValue `empty` in mirror mode, `keep` in additive mode
     */
    retire: retirePolicySchema,
    /**
     * People of the segment who are not in the audience: `skip` (only existing members are tagged),
     * or add them with `status_if_new` `pending` (Mailchimp sends a confirmation email) or
     * `transactional` (no marketing consent).
     * @defaultValue `skip`
     */
    newMembers: z.enum(['skip', 'pending', 'transactional']).default('skip'),
    /**
     * Audience fields (merge fields) to fill per member, so an email can be personalised by them:
     * `rank` (the member's position in the segment, 1 = best) goes to the merge tag given, e.g.
     * `{ rank: AFF_RANK }`. The field must exist in the audience (a number field); `connectors test`
     * and every run check it before writing.
     */
    mergeFields: z
      .strictObject({
        rank: z
          .string()
          .regex(/^[A-Z][A-Z0-9_]{0,9}$/, 'expected a Mailchimp merge tag: up to 10 upper-case letters, digits or _, e.g. AFF_RANK'),
      })
      .optional(),
    /** API base URL (proxies, tests), e.g. `http://127.0.0.1:8080/3.0`; env `MAILCHIMP_BASE_URL` also sets it. @defaultValue `https://<dc>.api.mailchimp.com/3.0` */
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  })
  .strict();

export type MailchimpConfig = z.infer<typeof mailchimpConfigSchema>;
