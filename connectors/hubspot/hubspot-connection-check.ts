/**
 * `testConnection` of the HubSpot connector: the token works and has the scopes the destination needs.
 * Reads are checked by doing them; write scopes by asking HubSpot which scopes the private app token has
 * (`POST /oauth/v2/private-apps/get/access-token-info`, https://developers.hubspot.com/docs/api/private-apps).
 */
import { z } from 'zod';
import { AuthError } from '../../src/core/errors.js';
import { requiredScopesOf, type HubSpotConfig } from './hubspot-config.js';
import type { HubSpotPortal } from './hubspot-portal.js';

const tokenInfoSchema = z.object({ scopes: z.array(z.string()) });

/** Scopes of a private app token, or undefined when HubSpot does not say (an OAuth token, an old portal). */
async function grantedScopesOf(portal: HubSpotPortal, accessToken: string): Promise<string[] | undefined> {
  const response = await portal.call('reading the token scopes', async () => {
    const answer = await portal.client.apiRequest({
      method: 'POST',
      path: '/oauth/v2/private-apps/get/access-token-info',
      body: { tokenKey: accessToken },
    });
    const body: unknown = answer.ok ? await answer.json().catch(() => undefined) : undefined;
    return { headers: {}, data: body };
  });
  const parsed = tokenInfoSchema.safeParse(response);
  return parsed.success ? parsed.data.scopes : undefined;
}

/**
 * Reads one list and one contact (proving `crm.lists.read` and `crm.objects.contacts.read`), then checks
 * the write scopes the config needs.
 * @returns a one-line summary for the user
 * @throws AuthError naming the variable (401) or the missing scopes (403 `MISSING_SCOPES`, or absent from the token)
 */
export async function checkHubSpotConnection(
  portal: HubSpotPortal,
  config: HubSpotConfig,
  accessToken: string,
): Promise<string> {
  await portal.call('reading lists', () =>
    portal.client.crm.lists.listsApi.doSearchWithHttpInfo({ query: '', count: 1, offset: 0, processingTypes: ['MANUAL'] }),
  );
  await portal.call('reading contacts', () =>
    portal.client.crm.contacts.basicApi.getPageWithHttpInfo(1, undefined, ['hs_object_id']),
  );
  const required = requiredScopesOf(config);
  const granted = await grantedScopesOf(portal, accessToken);
  if (!granted) {
    return `HubSpot token OK: lists and contacts are readable; write scopes not verifiable for this token (needs ${required.join(', ')})`;
  }
  const missing = required.filter((scope) => !granted.includes(scope));
  if (missing.length > 0) {
    throw new AuthError(
      `the HubSpot token in HUBSPOT_ACCESS_TOKEN lacks the scope ${missing.join(', ')}: add it to the private app and use its token`,
    );
  }
  return `HubSpot token OK: scopes ${required.join(', ')} granted`;
}
