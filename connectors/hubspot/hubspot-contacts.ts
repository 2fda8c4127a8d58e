/**
 * HubSpot contacts by email: batch read (emails → contact ids, secondary emails mapped back), batch
 * read by id (ids → emails) and batch upsert by email. ≤ 100 inputs per call.
 * https://developers.hubspot.com/docs/guides/api/crm/objects/contacts
 */
import { normalizeEmail } from '../../src/identity/normalize-email.js';
import { errorBodyOf } from './hubspot-error.js';
import { CONTACTS_PER_BATCH_CALL } from './hubspot-limits.js';
import type { HubSpotPortal } from './hubspot-portal.js';

/** A contact to create when missing. `email` is the key. */
export interface NewContact {
  email: string;
  firstName?: string;
  lastName?: string;
}

/** Result of {@link upsertContactsByEmail}. */
export interface UpsertedContacts {
  /** Lower-cased email → contact id. */
  ids: Map<string, string>;
  /** Lower-cased email → HubSpot's error category for the contacts HubSpot refused. */
  refused: Map<string, string>;
}

/** Splits into chunks of at most `size`. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function emailsOfContact(properties: Record<string, string | null | undefined>): string[] {
  const secondary = (properties.hs_additional_emails ?? '').split(';');
  return [properties.email ?? '', ...secondary].map(normalizeEmail).filter(Boolean);
}

/**
 * Contact ids of `emails` (lower-cased), by batch read with `idProperty: email`. HubSpot also matches
 * secondary emails (`hs_additional_emails`), which are mapped back to the email asked for. Emails of no
 * contact are absent from the map.
 */
export async function readContactIdsByEmail(portal: HubSpotPortal, emails: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const chunk of chunksOf([...new Set(emails.map(normalizeEmail))], CONTACTS_PER_BATCH_CALL)) {
    const asked = new Set(chunk);
    const response = await portal.call('reading contacts by email', () =>
      portal.client.crm.contacts.batchApi.readWithHttpInfo(
        {
          idProperty: 'email',
          inputs: chunk.map((email) => ({ id: email })),
          properties: ['email', 'hs_additional_emails'],
          propertiesWithHistory: [],
        },
        false,
      ),
    );
    for (const contact of response.results) {
      for (const email of emailsOfContact(contact.properties)) if (asked.has(email)) ids.set(email, contact.id);
    }
  }
  return ids;
}

/** Primary emails (lower-cased) of contact ids; contacts without an email or not found are absent. */
export async function readEmailsByContactId(portal: HubSpotPortal, contactIds: readonly string[]): Promise<Map<string, string>> {
  const emails = new Map<string, string>();
  for (const chunk of chunksOf(contactIds, CONTACTS_PER_BATCH_CALL)) {
    const response = await portal.call('reading contacts by id', () =>
      portal.client.crm.contacts.batchApi.readWithHttpInfo(
        { inputs: chunk.map((id) => ({ id })), properties: ['email'], propertiesWithHistory: [] },
        false,
      ),
    );
    for (const contact of response.results) {
      const email = normalizeEmail(contact.properties.email ?? '');
      if (email) emails.set(contact.id, email);
    }
  }
  return emails;
}

/**
 * Creates the contacts that do not exist (batch upsert by email; existing ones are matched, not
 * duplicated). Emails are de-duplicated case-insensitively first: HubSpot refuses a whole batch that
 * names one id twice. A batch refused as a whole (`VALIDATION_ERROR`, e.g. one malformed email) is
 * resent one contact at a time, so one bad email cannot fail the others.
 */
export async function upsertContactsByEmail(portal: HubSpotPortal, contacts: readonly NewContact[]): Promise<UpsertedContacts> {
  const byEmail = new Map<string, NewContact>();
  for (const contact of contacts) {
    const email = normalizeEmail(contact.email);
    if (!byEmail.has(email)) byEmail.set(email, { ...contact, email });
  }
  const result: UpsertedContacts = { ids: new Map(), refused: new Map() };
  for (const chunk of chunksOf([...byEmail.values()], CONTACTS_PER_BATCH_CALL)) await upsertChunk(portal, chunk, result);
  return result;
}

async function upsertChunk(portal: HubSpotPortal, chunk: NewContact[], result: UpsertedContacts): Promise<void> {
  const response = await portal.call(
    'creating contacts',
    () =>
      portal.client.crm.contacts.batchApi.upsertWithHttpInfo({
        inputs: chunk.map((contact, index) => ({
          idProperty: 'email',
          id: contact.email,
          properties: {
            email: contact.email,
            ...(contact.firstName ? { firstname: contact.firstName } : {}),
            ...(contact.lastName ? { lastname: contact.lastName } : {}),
          },
          objectWriteTraceId: String(index),
        })),
      }),
    (error) =>
      error.code === 400 && errorBodyOf(error).category === 'VALIDATION_ERROR'
        ? { value: 'refused' as const }
        : undefined,
  );
  if (response === 'refused') {
    if (chunk.length === 1) {
      result.refused.set(chunk[0]!.email, 'VALIDATION_ERROR');
      return;
    }
    for (const contact of chunk) await upsertChunk(portal, [contact], result);
    return;
  }
  for (const contact of response.results) {
    const own = contact.properties.email;
    const email = own == null ? chunk[Number(contact.objectWriteTraceId)]?.email : normalizeEmail(own);
    if (email) result.ids.set(email, contact.id);
  }
  for (const error of 'errors' in response ? (response.errors ?? []) : []) {
    const context = error.context as Record<string, string[] | undefined> | undefined;
    const traced = (context?.objectWriteTraceId ?? []).map((index) => chunk[Number(index)]?.email);
    for (const email of [...traced, ...(context?.ids ?? [])]) {
      if (!email) continue;
      const key = normalizeEmail(email);
      if (!result.ids.has(key)) result.refused.set(key, error.category);
    }
  }
}
