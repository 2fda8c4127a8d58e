/**
 * A HubSpot session for one destination of one run: ensures the MANUAL contact list, reads its members
 * (mirror mode) and applies chunks of adds and removes.
 */
import { ConfigError, PermanentError } from '../../src/core/errors.js';
import { normalizeEmail } from '../../src/identity/normalize-email.js';
import type {
  ApplyBatch,
  AudienceRef,
  ConnectorContext,
  ConnectorSession,
  RecordOutcome,
} from '../../src/sync/destination-connector.js';
import type { HubSpotConfig } from './hubspot-config.js';
import { checkHubSpotConnection } from './hubspot-connection-check.js';
import { readContactIdsByEmail, readEmailsByContactId, upsertContactsByEmail } from './hubspot-contacts.js';
import { RECORD_IDS_PER_MEMBERSHIP_CALL } from './hubspot-limits.js';
import {
  addAndRemoveMemberships,
  assertWritableList,
  createContactList,
  deleteList,
  findListByName,
  membershipPages,
} from './hubspot-lists.js';
import { hubSpotPortalFor } from './hubspot-portal.js';
import { assertContactPropertyExists, writeContactRanks } from './hubspot-rank-property.js';

/** Environment variable holding the private app access token. */
export const HUBSPOT_TOKEN_VARIABLE = 'HUBSPOT_ACCESS_TOKEN';

/** Environment variable with the API base URL, used when the destination has no `basePath`. */
export const HUBSPOT_BASE_PATH_VARIABLE = 'HUBSPOT_BASE_PATH';

/**
 * The API base URL of a destination: its `basePath`, else `HUBSPOT_BASE_PATH`, else undefined (the
 * SDK's `https://api.hubapi.com`). `run`, the worker and `connectors test` all resolve it here.
 * @throws ConfigError naming `HUBSPOT_BASE_PATH` when it is set but not an http(s) URL
 */
export function hubSpotBasePath(config: Pick<HubSpotConfig, 'basePath'>, env: NodeJS.ProcessEnv): string | undefined {
  if (config.basePath) return config.basePath;
  const fromEnv = env[HUBSPOT_BASE_PATH_VARIABLE]?.trim();
  if (!fromEnv) return undefined;
  if (!/^https?:\/\/[^/\s]+/.test(fromEnv) || !URL.canParse(fromEnv)) {
    throw new ConfigError([{ field: HUBSPOT_BASE_PATH_VARIABLE, message: `expected an http(s) URL such as https://api.hubapi.com, got "${fromEnv}"` }]);
  }
  return fromEnv;
}

/** `skipped` reasons of this connector. */
export const HUBSPOT_SKIP_REASONS = {
  notAContact: 'not a contact',
  contactDeleted: 'contact deleted in HubSpot',
  notAMember: 'not a member',
  /** A removed email is a secondary email of a contact the segment keeps under another email. */
  stillInSegment: 'contact still in the segment under another email',
} as const;

/** What tests and benchmarks may change of a session. */
export interface HubSpotSessionOptions {
  /** Length of the rolling rate window, in milliseconds, for a stand-in with a shorter one. @defaultValue 10000 (HubSpot's) */
  rateWindowMs?: number;
}

/** Opens a session. @throws ConfigError naming `HUBSPOT_ACCESS_TOKEN` when it is not set */
export function openHubSpotSession(config: HubSpotConfig, context: ConnectorContext, options: HubSpotSessionOptions = {}): ConnectorSession {
  const accessToken = context.env[HUBSPOT_TOKEN_VARIABLE]?.trim();
  if (!accessToken) {
    throw new ConfigError([
      { field: HUBSPOT_TOKEN_VARIABLE, message: 'is not set: export the access token of a HubSpot private app (scopes crm.lists.read/write, crm.objects.contacts.read)' },
    ]);
  }
  const basePath = hubSpotBasePath(config, context.env);
  const portal = hubSpotPortalFor({
    accessToken,
    ...(basePath === undefined ? {} : { basePath }),
    requestsPer10s: config.requestsPer10s,
    ...(options.rateWindowMs === undefined ? {} : { rateWindowMs: options.rateWindowMs }),
    ...(context.rateBudgets ? { budgets: context.rateBudgets } : {}),
  });
  const logger = context.logger;
  /** Lower-cased email → contact id, learned during this session. */
  const contactIds = new Map<string, string>();
  /** Contacts some segment member maps to: never removed by this session. */
  const keptContactIds = new Set<string>();
  const rankProperty = config.properties?.rank;
  let rankPropertyChecked: Promise<void> | undefined;
  const preflight = (): Promise<void> => {
    if (!rankProperty) return Promise.resolve();
    rankPropertyChecked ??= assertContactPropertyExists(portal, rankProperty).catch((error: unknown) => {
      rankPropertyChecked = undefined;
      throw error;
    });
    return rankPropertyChecked;
  };

  return {
    async testConnection() {
      const summary = await checkHubSpotConnection(portal, config, accessToken);
      await preflight();
      return rankProperty ? `${summary}; contact property ${rankProperty} (rank) exists` : summary;
    },

    preflight,

    async ensureAudience(spec, { dryRun }) {
      await preflight();
      const found = await findListByName(portal, spec.name);
      if (found) {
        assertWritableList(found);
        return { id: found.listId, name: found.name, created: false, location: listLocation(found.listId, found.name) };
      }
      if (dryRun) return { id: '', name: spec.name, created: false, location: `HubSpot list "${spec.name}" (not created yet)` };
      const { list, created } = await createContactList(portal, spec.name);
      assertWritableList(list);
      logger.info({ listId: list.listId, created }, 'hubspot list ready');
      return { id: list.listId, name: list.name, created, location: listLocation(list.listId, list.name) };
    },

    async deleteAudience(audience: AudienceRef) {
      if (!audience.id) return;
      await deleteList(portal, audience.id);
      logger.info({ listId: audience.id }, 'hubspot list deleted');
    },

    async *listMembers(audience: AudienceRef) {
      if (!audience.id) return;
      for await (const recordIds of membershipPages(portal, audience.id)) {
        const emails = await readEmailsByContactId(portal, recordIds);
        for (const [id, email] of emails) contactIds.set(email, id);
        yield [...emails.values()];
      }
    },

    async apply(audience: AudienceRef, batch: ApplyBatch): Promise<RecordOutcome[]> {
      if (!audience.id) throw new PermanentError(`HubSpot list "${audience.name}" does not exist yet (dry run?)`);
      const addEmails = batch.add.map((member) => normalizeEmail(member.email));
      const removeEmails = batch.remove.map(normalizeEmail);

      const unknown = [...new Set([...addEmails, ...removeEmails])].filter((email) => !contactIds.has(email));
      for (const [email, id] of await readContactIdsByEmail(portal, unknown)) contactIds.set(email, id);

      let refused = new Map<string, string>();
      if (config.createContacts) {
        const missing = batch.add.filter((_member, index) => !contactIds.has(addEmails[index]!));
        if (missing.length > 0) {
          const upserted = await upsertContactsByEmail(portal, missing);
          for (const [email, id] of upserted.ids) contactIds.set(email, id);
          refused = upserted.refused;
        }
      }

      const addIds = uniqueIds(addEmails, contactIds);
      for (const id of addIds) keptContactIds.add(id);
      const removeIds = uniqueIds(removeEmails, contactIds).filter((id) => !keptContactIds.has(id));

      const added = new Set<string>();
      const removed = new Set<string>();
      const missing = new Set<string>();
      for (const [toAdd, toRemove] of membershipCalls(addIds, removeIds)) {
        const change = await addAndRemoveMemberships(portal, audience.id, toAdd, toRemove);
        change.added.forEach((id) => added.add(id));
        change.removed.forEach((id) => removed.add(id));
        change.missing.forEach((id) => missing.add(id));
      }
      if (rankProperty) {
        const ranks = new Map<string, number>();
        batch.add.forEach((member, index) => {
          const id = contactIds.get(addEmails[index]!);
          if (id && !missing.has(id) && !ranks.has(id)) ranks.set(id, member.rank);
        });
        await writeContactRanks(portal, rankProperty, ranks);
      }
      const outcomes: RecordOutcome[] = addEmails.map((email): RecordOutcome => {
        const code = refused.get(email);
        if (code) return { email, kind: 'failed', retryable: false, code };
        const id = contactIds.get(email);
        if (!id) return { email, kind: 'skipped', reason: HUBSPOT_SKIP_REASONS.notAContact };
        if (missing.has(id)) return { email, kind: 'skipped', reason: HUBSPOT_SKIP_REASONS.contactDeleted };
        return added.has(id) ? { email, kind: 'added' } : { email, kind: 'alreadyMember' };
      });
      for (const email of removeEmails) {
        const id = contactIds.get(email);
        let outcome: RecordOutcome;
        if (!id) outcome = { email, kind: 'skipped', reason: HUBSPOT_SKIP_REASONS.notAContact };
        else if (missing.has(id)) outcome = { email, kind: 'skipped', reason: HUBSPOT_SKIP_REASONS.contactDeleted };
        else if (keptContactIds.has(id)) outcome = { email, kind: 'skipped', reason: HUBSPOT_SKIP_REASONS.stillInSegment };
        else if (removed.has(id)) outcome = { email, kind: 'removed' };
        else outcome = { email, kind: 'skipped', reason: HUBSPOT_SKIP_REASONS.notAMember };
        outcomes.push(outcome);
      }
      if (missing.size > 0) {
        logger.warn({ listId: audience.id, recordIdsMissing: missing.size }, 'hubspot contacts vanished before joining the list');
        for (const [email, id] of contactIds) if (missing.has(id)) contactIds.delete(email);
      }
      return outcomes;
    },
  };
}

function listLocation(listId: string, name: string): string {
  return `HubSpot list ${listId} "${name}"`;
}

function uniqueIds(emails: readonly string[], contactIds: ReadonlyMap<string, string>): string[] {
  const ids = new Set<string>();
  for (const email of emails) {
    const id = contactIds.get(email);
    if (id) ids.add(id);
  }
  return [...ids];
}

/** Pairs of (ids to add, ids to remove) of at most {@link RECORD_IDS_PER_MEMBERSHIP_CALL} ids per call. */
function membershipCalls(addIds: string[], removeIds: string[]): Array<[string[], string[]]> {
  const calls: Array<[string[], string[]]> = [];
  let add = 0;
  let remove = 0;
  while (add < addIds.length || remove < removeIds.length) {
    const addCount = Math.min(addIds.length - add, RECORD_IDS_PER_MEMBERSHIP_CALL);
    const removeCount = Math.min(removeIds.length - remove, RECORD_IDS_PER_MEMBERSHIP_CALL - addCount);
    calls.push([addIds.slice(add, add + addCount), removeIds.slice(remove, remove + removeCount)]);
    add += addCount;
    remove += removeCount;
  }
  return calls;
}
