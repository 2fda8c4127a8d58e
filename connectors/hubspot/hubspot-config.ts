/**
 * The `hubspot` destination entry of a campaign file. Secrets never live here: the token comes from
 * `HUBSPOT_ACCESS_TOKEN` in the environment.
 */
import { z } from 'zod';
import { retirePolicySchema } from '../../src/lifecycle/retire-policy.js';
import { fullResyncEverySchema } from '../../src/sync/full-resync-config.js';
import { maxRemovalShareSchema } from '../../src/sync/mirror-config.js';
import { AUDIENCE_NAME_PLACEHOLDERS } from '../../src/sync/render-audience-name.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/g;

function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1] ?? '')
    .filter((name) => !(AUDIENCE_NAME_PLACEHOLDERS as readonly string[]).includes(name));
}

/** zod schema of a `connector: hubspot` destination. */
export const hubSpotConfigSchema = z.strictObject({
  connector: z.literal('hubspot'),
  /**
   * Name template of the HubSpot list (one MANUAL contact list per segment), e.g.
   * `affinity {{campaign}} {{label}}`. Placeholders: `{{campaign}}`, `{{query}}`, `{{label}}`, `{{date}}`.
   * List names are unique per portal, so a campaign with several queries needs `{{query}}` or `{{label}}`.
   */
  list: z
    .string()
    .trim()
    .min(1, 'a list name template is required, e.g. "affinity {{campaign}} {{label}}"')
    .refine((template) => unknownPlaceholders(template).length === 0, {
      message: `unknown placeholder; expected ${AUDIENCE_NAME_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ')}`,
    }),
  /**
   * `additive` only adds contacts to the list; `mirror` also removes the list's contacts that left the segment.
   * @defaultValue `additive`
   */
  mode: z.enum(['additive', 'mirror']).default('additive'),
  /**
   * Mirror mode: the largest share (0–1) of the list's contacts one run may remove; a run that would
   * remove more (and more than 100 members) is refused. 1 allows any.
   * @defaultValue 0.5
   */
  maxRemovalShare: maxRemovalShareSchema,
  /**
   * Runs send only the change since the last sync; this often (e.g. `7d`, `12h`, `never`) a run
   * re-sends every contact, repairing list edits made by hand.
   * @defaultValue `7d`
   */
  fullResyncEvery: fullResyncEverySchema,
  /**
   * A list no run produces any more: `keep`, `empty` (remove the contacts this campaign added) or
   * `delete` (delete the list; HubSpot keeps it restorable for 90 days; contacts are untouched).
   * @defaultValue `empty` in mirror mode, `keep` in additive mode
   */
  retire: retirePolicySchema,
  /**
   * Create contacts for segment members HubSpot does not know yet (batch upsert by email). When false,
   * such members are skipped with the reason `not a contact`. New contacts may count as marketing contacts.
   * @defaultValue false
   */
  createContacts: z.boolean().default(false),
  /**
   * Request budget of the private app per rolling 10 seconds: 100 (Free/Starter), 190 (Professional,
   * Enterprise), 250 (API limit increase). Lowered automatically when HubSpot's `X-HubSpot-RateLimit-Max`
   * header says less. See https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
   * @defaultValue 100
   */
  requestsPer10s: z.int().min(1).max(250).default(100),
  /**
   * Contact properties to fill per member, so an email or workflow can be personalised by them:
   * `rank` (the member's position in the segment, 1 = best) goes to the contact property given by
   * its internal name, e.g. `{ rank: affinity_rank }`. The property must exist (a number property);
   * `connectors test` and every run check it before writing. Needs `crm.objects.contacts.write`.
   */
  properties: z
    .strictObject({
      rank: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected the internal name of a HubSpot contact property: lower-case letters, digits and _, e.g. affinity_rank'),
    })
    .optional(),
  /**
   * Base URL of the HubSpot API (a proxy, a sandbox, a local fake in tests); env `HUBSPOT_BASE_PATH`
   * also sets it.
   * @defaultValue `https://api.hubapi.com`
   */
  basePath: z.url({ protocol: /^https?$/ }).optional(),
});

/** A validated `hubspot` destination entry (defaults applied). */
export type HubSpotConfig = z.infer<typeof hubSpotConfigSchema>;

/** Scopes of the private app a destination needs: reads always, contact writes only with `createContacts` or `properties`. */
export function requiredScopesOf(config: Pick<HubSpotConfig, 'createContacts' | 'properties'>): string[] {
  return [
    'crm.lists.read',
    'crm.lists.write',
    'crm.objects.contacts.read',
    ...(config.createContacts || config.properties ? ['crm.objects.contacts.write'] : []),
  ];
}
