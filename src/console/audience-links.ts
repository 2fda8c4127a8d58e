/**
 * Where a person finds an audience: Mailchimp's tag view, HubSpot's list page, or the file.
 * Mailchimp's web pages address an audience by its `web_id` (not the API's list id) and a tag by
 * its id (a tag is a static segment: same id); HubSpot's by the portal (account) id, on the
 * portal's own UI domain (`app.hubspot.com`, `app-eu1.hubspot.com`).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What links need beyond the store: looked up once from the vendors (see `link-context.ts`). */
export interface LinkContext {
  /** Directory file paths are shown relative to. */
  cwd: string;
  mailchimp?: {
    /** Data centre of the account, e.g. `us21`. */
    server: string;
    /** `web_id` of each Mailchimp audience (list) id, when known. */
    webIds: ReadonlyMap<string, number>;
  };
  hubspot?: { portalId: string; uiDomain: string };
}

/** A link to an audience, or the words to show when there is none. */
export interface AudienceLink {
  text: string;
  href?: string;
  /** Why there is no link, e.g. "set HUBSPOT_PORTAL_ID". */
  hint?: string;
}

export interface AudienceWhere {
  connector: string;
  /** Tag, list or file name. */
  name: string;
  /** Mailchimp segment (tag) id, HubSpot list id, file path. */
  externalId: string;
  /** Mailchimp audience (list) id. */
  containerId?: string;
}

/** The link to one audience. */
export function audienceLink(audience: AudienceWhere, context: LinkContext): AudienceLink {
  switch (audience.connector) {
    case 'file': {
      const path = resolve(context.cwd, audience.externalId);
      const shown = relative(context.cwd, path);
      return { text: shown.startsWith('..') || isAbsolute(shown) ? path : shown, href: pathToFileURL(path).href };
    }
    case 'mailchimp': {
      const text = `tag “${audience.name}”${audience.containerId ? ` in audience ${audience.containerId}` : ''}`;
      const webId = audience.containerId ? context.mailchimp?.webIds.get(audience.containerId) : undefined;
      if (!context.mailchimp) return { text, hint: 'no link: set MAILCHIMP_API_KEY for the dashboard to look up the audience' };
      if (webId === undefined) return { text, hint: 'no link: Mailchimp did not find this audience when the dashboard started (see its first lines on stderr)' };
      const url = new URL(`https://${context.mailchimp.server}.admin.mailchimp.com/lists/segments/members/tags-filter`);
      url.searchParams.set('list_id', String(webId));
      url.searchParams.append('tag_ids[]', audience.externalId);
      return { text, href: url.href };
    }
    case 'hubspot': {
      const text = `list “${audience.name}” (id ${audience.externalId})`;
      if (!context.hubspot) return { text, hint: 'no link: set HUBSPOT_PORTAL_ID (or HUBSPOT_ACCESS_TOKEN) for the dashboard' };
      const { uiDomain, portalId } = context.hubspot;
      return { text, href: `https://${uiDomain}/contacts/${encodeURIComponent(portalId)}/objectLists/${encodeURIComponent(audience.externalId)}` };
    }
    default:
      return { text: `${audience.connector}: ${audience.name}` };
  }
}
