/**
 * Looks up, once when the console starts, what audience links need beyond the store: the web id of
 * each Mailchimp audience the campaigns write to (`GET /lists/{id}`, `web_id`) and the HubSpot
 * portal id and UI domain (`HUBSPOT_PORTAL_ID`, else `GET /account-info/v3/details` with the
 * token). A lookup that fails leaves its links out (with a hint); it never stops the console.
 */
import { z } from 'zod';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import { mailchimpApiFor } from '../../connectors/mailchimp/mailchimp-client.js';
import { readMailchimpCredentials } from '../../connectors/mailchimp/mailchimp-credentials.js';
import { hubSpotPortalFor } from '../../connectors/hubspot/hubspot-portal.js';
import { hubSpotBasePath } from '../../connectors/hubspot/hubspot-session.js';
import type { LinkContext } from './audience-links.js';

const ACCOUNT_DETAILS_PATH = '/account-info/v3/details';

/** The part of HubSpot's account details answer we read. */
const accountDetailsSchema = z.object({ portalId: z.union([z.number(), z.string()]), uiDomain: z.string().min(1).optional() });

interface Lookup {
  links: LinkContext;
  /** What could not be looked up, in words. */
  problems: string[];
}

function destinationsOf(campaigns: readonly LoadedCampaign[], connector: string): Array<Record<string, unknown>> {
  return campaigns.flatMap((loaded) => loaded.campaign.destinations.filter((destination) => destination.connector === connector));
}

async function mailchimpLinks(env: NodeJS.ProcessEnv, campaigns: readonly LoadedCampaign[], problems: string[]): Promise<LinkContext['mailchimp']> {
  const destinations = destinationsOf(campaigns, 'mailchimp');
  if (destinations.length === 0 || !env.MAILCHIMP_API_KEY) return undefined;
  const webIds = new Map<string, number>();
  let server: string | undefined;
  for (const destination of destinations) {
    const audienceId = String(destination.audienceId);
    if (webIds.has(audienceId)) continue;
    try {
      const credentials = readMailchimpCredentials(env, typeof destination.baseUrl === 'string' ? destination.baseUrl : undefined);
      server = credentials.server;
      const webId = await mailchimpApiFor(credentials, { timeoutMs: 5000 }).getListWebId(audienceId);
      if (webId !== undefined) webIds.set(audienceId, webId);
    } catch (error) {
      problems.push(`Mailchimp audience ${audienceId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return server === undefined ? undefined : { server, webIds };
}

async function hubSpotLinks(env: NodeJS.ProcessEnv, campaigns: readonly LoadedCampaign[], problems: string[]): Promise<LinkContext['hubspot']> {
  const uiDomainFromEnv = env.HUBSPOT_UI_DOMAIN?.trim() || 'app.hubspot.com';
  if (env.HUBSPOT_PORTAL_ID?.trim()) return { portalId: env.HUBSPOT_PORTAL_ID.trim(), uiDomain: uiDomainFromEnv };
  const destination = destinationsOf(campaigns, 'hubspot')[0];
  const accessToken = env.HUBSPOT_ACCESS_TOKEN?.trim();
  if (!destination || !accessToken) return undefined;
  try {
    const basePath = hubSpotBasePath({ basePath: typeof destination.basePath === 'string' ? destination.basePath : undefined }, env);
    const portal = hubSpotPortalFor({ accessToken, requestsPer10s: 100, requestTimeoutMs: 5000, ...(basePath ? { basePath } : {}) });
    const details = await portal.call('reading the account details', async () => {
      const answer = await portal.client.apiRequest({ method: 'GET', path: ACCOUNT_DETAILS_PATH });
      const body: unknown = answer.ok ? await answer.json().catch(() => undefined) : undefined;
      return { headers: {}, data: body };
    });
    const parsed = accountDetailsSchema.safeParse(details);
    if (!parsed.success) {
      problems.push('HubSpot did not give the portal id; set HUBSPOT_PORTAL_ID');
      return undefined;
    }
    return { portalId: String(parsed.data.portalId), uiDomain: parsed.data.uiDomain ?? uiDomainFromEnv };
  } catch (error) {
    problems.push(`HubSpot portal id: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** The link context of the console for these campaigns. */
export async function readLinkContext(env: NodeJS.ProcessEnv, campaigns: readonly LoadedCampaign[], cwd: string): Promise<Lookup> {
  const problems: string[] = [];
  const [mailchimp, hubspot] = await Promise.all([mailchimpLinks(env, campaigns, problems), hubSpotLinks(env, campaigns, problems)]);
  return { links: { cwd, ...(mailchimp ? { mailchimp } : {}), ...(hubspot ? { hubspot } : {}) }, problems };
}
