/**
 * A small in-memory HubSpot (contacts, MANUAL lists, memberships) over real HTTP, for the conformance
 * tests and the benchmark. It answers in HubSpot's wire format (reference/destinations.md §B) with the
 * status codes the SDK insists on, and enforces a rolling-window request limit like
 * `TEN_SECONDLY_ROLLING` (429 with the `X-HubSpot-RateLimit-*` headers) and, when asked, a spent
 * `DAILY` limit (429 `policyName: DAILY` to every request, `account-info` included).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The portal (account) id the fake answers on `GET /account-info/v3/details`. */
export const FAKE_PORTAL_ID = 24681357;

export interface FakeHubSpotOptions {
  /** Bearer token the fake accepts. */
  accessToken: string;
  /** Requests allowed per rolling window. @defaultValue 100 */
  requestsPerWindow?: number;
  /** @defaultValue 10_000 */
  windowMs?: number;
  /** Requests accepted before the DAILY limit answers every request with 429. @defaultValue unlimited */
  dailyLimit?: number;
  /**
   * Milliseconds every answer waits before it is sent (a request is counted, rate-limited and
   * applied when it arrives, as HubSpot does). @defaultValue 0
   */
  latencyMs?: number;
}

interface FakeContact {
  id: string;
  email: string;
  additionalEmails: string[];
  /** Values of custom properties set through batch update. */
  values: Record<string, string>;
}

interface FakeList {
  listId: string;
  name: string;
  processingType: string;
  createdAt: string;
  deletedAt?: string;
  members: Set<string>;
  /** `members` sorted by id, kept until the membership changes (pages of a large list read it often). */
  sortedIds?: string[];
}

/** Counters of what the fake received. */
export interface FakeHubSpotStats {
  requests: number;
  /** Requests answered 429 (over the rolling limit). */
  rateLimited: number;
  /** Requests answered 429 `DAILY` (the daily limit spent). */
  dailyLimited: number;
  /** Requests that change data (POST/PUT/DELETE other than reads and searches). */
  writes: number;
  /** Largest number of accepted requests seen in one rolling window. */
  peakRequestsPerWindow: number;
}

export interface FakeHubSpot {
  /** `http://127.0.0.1:<port>`: the connector's `basePath`. */
  readonly basePath: string;
  readonly stats: FakeHubSpotStats;
  /** Adds contacts; returns their ids. */
  addContacts(contacts: Array<{ email: string; additionalEmails?: string[] }>): string[];
  /** Primary emails of a list's members (list by id). */
  listMemberEmails(listId: string): string[];
  /** When each accepted (not rate-limited) request arrived (`Date.now()`), in order. */
  acceptedRequestTimes(): readonly number[];
  /** Requests left today before the DAILY 429s (`undefined`: unlimited, as after the portal's midnight). */
  setDailyRemaining(remaining: number | undefined): void;
  /** Marks a list deleted (`deletedAt`), as if deleted in HubSpot. */
  deleteList(listId: string): void;
  /** Defines a custom contact property (`GET /crm/v3/properties/contacts/{name}` finds it; batch update may set it). */
  addContactProperty(name: string, type?: 'number' | 'string'): void;
  /** A custom property value of the contact with this primary email, if set. */
  contactValue(email: string, property: string): string | undefined;
  close(): Promise<void>;
}

const JSON_HEADERS = { 'content-type': 'application/json;charset=utf-8' };

/** Index of the first id above `after` in ids sorted ascending, or -1 when none is. */
function firstAbove(ids: readonly string[], after: number): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Number(ids[middle]) > after) high = middle;
    else low = middle + 1;
  }
  return low < ids.length ? low : -1;
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeHubSpot(options: FakeHubSpotOptions): Promise<FakeHubSpot> {
  const requestsPerWindow = options.requestsPerWindow ?? 100;
  const windowMs = options.windowMs ?? 10_000;
  const contacts = new Map<string, FakeContact>();
  const contactByEmail = new Map<string, FakeContact>();
  const lists = new Map<string, FakeList>();
  const accepted: number[] = [];
  const acceptedTimes: number[] = [];
  const stats: FakeHubSpotStats = { requests: 0, rateLimited: 0, dailyLimited: 0, writes: 0, peakRequestsPerWindow: 0 };
  let dailyRemaining = options.dailyLimit;
  let nextContactId = 1001;
  let nextListId = 1;
  /** Custom contact properties by name (the built-in ones are always there). */
  const customProperties = new Map<string, 'number' | 'string'>();
  const BUILT_IN_PROPERTIES = new Set(['email', 'firstname', 'lastname', 'hs_additional_emails', 'hs_object_id']);

  const addContact = (email: string, additionalEmails: string[] = []): FakeContact => {
    const contact: FakeContact = { id: String(nextContactId++), email: email.toLowerCase(), additionalEmails, values: {} };
    contacts.set(contact.id, contact);
    for (const key of [contact.email, ...additionalEmails.map((other) => other.toLowerCase())]) contactByEmail.set(key, contact);
    return contact;
  };

  const toWire = (contact: FakeContact, properties: string[]): Record<string, unknown> => {
    const values: Record<string, string | null> = { hs_object_id: contact.id };
    if (properties.includes('email')) values.email = contact.email;
    if (properties.includes('hs_additional_emails')) values.hs_additional_emails = contact.additionalEmails.join(';') || null;
    const now = new Date().toISOString();
    return { id: contact.id, properties: values, createdAt: now, updatedAt: now, archived: false };
  };

  const listWire = (list: FakeList): Record<string, unknown> => ({
    listId: list.listId,
    name: list.name,
    objectTypeId: '0-1',
    processingType: list.processingType,
    processingStatus: 'COMPLETE',
    listVersion: 1,
    createdAt: list.createdAt,
    updatedAt: list.createdAt,
    ...(list.deletedAt ? { deletedAt: list.deletedAt } : {}),
    size: list.members.size,
  });

  const error = (status: number, category: string, message: string, extra: Record<string, unknown> = {}) => ({
    status,
    body: { status: 'error', message, correlationId: 'fake-correlation', category, ...extra },
  });

  type Answer = { status: number; body?: unknown };

  function route(method: string, path: string, query: URLSearchParams, body: unknown): Answer {
    const input = (body ?? {}) as Record<string, unknown>;
    let match: RegExpMatchArray | null;
    if (method === 'GET' && path === '/account-info/v3/details') {
      return { status: 200, body: { portalId: FAKE_PORTAL_ID, accountType: 'STANDARD', timeZone: 'US/Eastern', companyCurrency: 'USD', uiDomain: 'app.hubspot.com', dataHostingLocation: 'na1' } };
    }
    if (method === 'GET' && (match = path.match(/^\/crm\/v3\/lists\/object-type-id\/0-1\/name\/([^/]+)$/))) {
      const name = decodeURIComponent(match[1]!);
      const list = [...lists.values()].find((candidate) => candidate.name === name && !candidate.deletedAt);
      return list ? { status: 200, body: { list: listWire(list) } } : error(404, 'OBJECT_NOT_FOUND', 'List does not exist.');
    }
    if (method === 'POST' && path === '/crm/v3/lists') {
      const name = String(input.name);
      if ([...lists.values()].some((list) => list.name === name && !list.deletedAt)) {
        return error(400, 'VALIDATION_ERROR', 'A list with this name already exists.', { subCategory: 'ILS.DUPLICATE_LIST_NAMES' });
      }
      const list: FakeList = { listId: String(nextListId++), name, processingType: String(input.processingType), createdAt: new Date().toISOString(), members: new Set() };
      lists.set(list.listId, list);
      return { status: 200, body: { list: listWire(list) } };
    }
    if (method === 'POST' && path === '/crm/v3/lists/search') {
      const found = [...lists.values()].filter((list) => !list.deletedAt).slice(0, Number(input.count ?? 20));
      return { status: 200, body: { lists: found.map(listWire), total: lists.size, offset: found.length, hasMore: false } };
    }
    if ((match = path.match(/^\/crm\/v3\/lists\/(\d+)(\/memberships(?:\/add-and-remove)?)?$/))) {
      const list = lists.get(match[1]!);
      if (!list) return error(404, 'OBJECT_NOT_FOUND', 'List does not exist.');
      if (!match[2] && method === 'GET') return { status: 200, body: { list: listWire(list) } };
      if (list.deletedAt) return error(404, 'OBJECT_NOT_FOUND', 'List does not exist.');
      if (!match[2] && method === 'DELETE') {
        list.deletedAt = new Date().toISOString();
        return { status: 204 };
      }
      if (match[2] === '/memberships' && method === 'GET') {
        const ids = (list.sortedIds ??= [...list.members].sort((a, b) => Number(a) - Number(b)));
        const after = query.get('after');
        const start = after ? firstAbove(ids, Number(after)) : 0;
        const limit = Math.min(Number(query.get('limit') ?? 100), 250);
        const page = start < 0 ? [] : ids.slice(start, start + limit);
        const last = page.at(-1);
        const more = start >= 0 && start + limit < ids.length;
        return {
          status: 200,
          body: {
            results: page.map((recordId) => ({ recordId, membershipTimestamp: list.createdAt })),
            total: ids.length,
            ...(more && last ? { paging: { next: { after: last } } } : {}),
          },
        };
      }
      if (match[2] === '/memberships/add-and-remove' && method === 'PUT') {
        const toAdd = input.recordIdsToAdd as string[];
        const toRemove = input.recordIdsToRemove as string[];
        if (!Array.isArray(toAdd) || !Array.isArray(toRemove)) return error(400, 'VALIDATION_ERROR', 'recordIdsToAdd and recordIdsToRemove are required');
        const added: string[] = [];
        const removed: string[] = [];
        const missing: string[] = [];
        for (const id of toAdd) {
          if (!contacts.has(id)) missing.push(id);
          else if (!list.members.has(id)) {
            list.members.add(id);
            added.push(id);
          }
        }
        for (const id of toRemove) {
          if (!contacts.has(id)) missing.push(id);
          else if (list.members.delete(id)) removed.push(id);
        }
        if (added.length + removed.length > 0) list.sortedIds = undefined;
        return { status: 200, body: { recordsIdsAdded: added, recordIdsRemoved: removed, recordIdsMissing: missing } };
      }
    }
    if (method === 'POST' && path === '/crm/v3/objects/contacts/batch/read') {
      const inputs = (input.inputs as Array<{ id: string }>).map((item) => item.id);
      if (inputs.length > 100) return error(400, 'VALIDATION_ERROR', 'Batch size must be 100 or less');
      const properties = (input.properties as string[] | undefined) ?? [];
      const byEmail = input.idProperty === 'email';
      const found: FakeContact[] = [];
      const notFound: string[] = [];
      for (const id of inputs) {
        const contact = byEmail ? contactByEmail.get(id.toLowerCase()) : contacts.get(id);
        if (contact) {
          if (!found.includes(contact)) found.push(contact);
        } else notFound.push(id);
      }
      const now = new Date().toISOString();
      const results = found.map((contact) => toWire(contact, properties));
      if (notFound.length === 0) return { status: 200, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
      return {
        status: 207,
        body: {
          status: 'COMPLETE',
          results,
          numErrors: 1,
          errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.', context: { ids: notFound } }],
          startedAt: now,
          completedAt: now,
        },
      };
    }
    if (method === 'POST' && path === '/crm/v3/objects/contacts/batch/upsert') {
      const inputs = input.inputs as Array<{ id: string; idProperty: string; properties: Record<string, string>; objectWriteTraceId?: string }>;
      const seen = new Set<string>();
      for (const item of inputs) {
        const key = item.id.toLowerCase();
        if (seen.has(key)) return error(400, 'VALIDATION_ERROR', 'Duplicate IDs found in batch input', { context: { ids: [item.id] } });
        seen.add(key);
      }
      const now = new Date().toISOString();
      const results = inputs.map((item) => {
        const existing = contactByEmail.get(item.id.toLowerCase());
        const contact = existing ?? addContact(item.id);
        return { ...toWire(contact, ['email']), new: !existing, ...(item.objectWriteTraceId ? { objectWriteTraceId: item.objectWriteTraceId } : {}) };
      });
      return { status: 200, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
    }
    if (method === 'GET' && (match = path.match(/^\/crm\/v3\/properties\/contacts\/([^/]+)$/))) {
      const name = decodeURIComponent(match[1]!);
      const type = BUILT_IN_PROPERTIES.has(name) ? 'string' : customProperties.get(name);
      if (!type) return error(404, 'OBJECT_NOT_FOUND', `Unable to find property with name ${name} for object type CONTACT`);
      const now = new Date().toISOString();
      return {
        status: 200,
        body: { name, label: name, type, fieldType: type === 'number' ? 'number' : 'text', description: '', groupName: 'contactinformation', options: [], createdAt: now, updatedAt: now, displayOrder: -1, calculated: false, externalOptions: false, hasUniqueValue: false, hidden: false, formField: false },
      };
    }
    if (method === 'POST' && path === '/crm/v3/objects/contacts/batch/update') {
      const inputs = input.inputs as Array<{ id: string; properties: Record<string, string> }>;
      if (inputs.length > 100) return error(400, 'VALIDATION_ERROR', 'Batch size must be 100 or less');
      const unknown = [...new Set(inputs.flatMap((item) => Object.keys(item.properties)))].filter((name) => !BUILT_IN_PROPERTIES.has(name) && !customProperties.has(name));
      if (unknown.length > 0) {
        return error(400, 'VALIDATION_ERROR', 'Property values were not valid', {
          errors: unknown.map((name) => ({ message: `Property "${name}" does not exist`, code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: [name] } })),
        });
      }
      const missing = inputs.filter((item) => !contacts.has(item.id)).map((item) => item.id);
      if (missing.length > 0) return error(404, 'OBJECT_NOT_FOUND', 'Could not get some CONTACT objects', { context: { ids: missing } });
      const now = new Date().toISOString();
      const results = inputs.map((item) => {
        const contact = contacts.get(item.id)!;
        Object.assign(contact.values, item.properties);
        return { id: contact.id, properties: { ...item.properties, hs_object_id: contact.id }, createdAt: now, updatedAt: now, archived: false };
      });
      return { status: 200, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
    }
    if (method === 'GET' && path === '/crm/v3/objects/contacts') {
      const first = contacts.values().next().value;
      return { status: 200, body: { results: first ? [toWire(first, [])] : [] } };
    }
    return error(404, 'OBJECT_NOT_FOUND', `no route ${method} ${path}`);
  }

  const isWrite = (method: string, path: string): boolean =>
    method !== 'GET' && !path.endsWith('/batch/read') && !path.endsWith('/lists/search');

  const latencyMs = options.latencyMs ?? 0;
  const later = (send: () => void): void => {
    if (latencyMs > 0) setTimeout(send, latencyMs);
    else send();
  };
  const handle = (request: IncomingMessage, response: ServerResponse, raw: string): void => {
    stats.requests += 1;
    const now = Date.now();
    while (accepted.length > 0 && accepted[0]! <= now - windowMs) accepted.shift();
    const rateHeaders = (remaining: number) => ({
      'x-hubspot-ratelimit-max': String(requestsPerWindow),
      'x-hubspot-ratelimit-remaining': String(Math.max(0, remaining)),
      'x-hubspot-ratelimit-interval-milliseconds': String(windowMs),
    });
    if (request.headers.authorization !== `Bearer ${options.accessToken}`) {
      response.writeHead(401, JSON_HEADERS).end(JSON.stringify({ status: 'error', message: 'Authentication credentials not found.', correlationId: 'fake', category: 'INVALID_AUTHENTICATION' }));
      return;
    }
    if (dailyRemaining !== undefined && dailyRemaining <= 0) {
      stats.dailyLimited += 1;
      // HubSpot's DAILY answer (reference/destinations.md §B5): the daily headers, no Retry-After.
      response.writeHead(429, { ...JSON_HEADERS, 'x-hubspot-ratelimit-daily': String(options.dailyLimit ?? 0), 'x-hubspot-ratelimit-daily-remaining': '0' }).end(
        JSON.stringify({ status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', correlationId: 'fake-daily', policyName: 'DAILY', groupName: 'fake' }),
      );
      return;
    }
    if (accepted.length >= requestsPerWindow) {
      stats.rateLimited += 1;
      later(() =>
        response.writeHead(429, { ...JSON_HEADERS, ...rateHeaders(0) }).end(
          JSON.stringify({ status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: 'fake', policyName: 'TEN_SECONDLY_ROLLING', groupName: 'fake' }),
        ),
      );
      return;
    }
    accepted.push(now);
    acceptedTimes.push(now);
    if (dailyRemaining !== undefined) dailyRemaining -= 1;
    stats.peakRequestsPerWindow = Math.max(stats.peakRequestsPerWindow, accepted.length);
    const url = new URL(request.url ?? '/', 'http://fake');
    const method = request.method ?? 'GET';
    let answer: Answer;
    try {
      answer = route(method, url.pathname, url.searchParams, raw ? JSON.parse(raw) : undefined);
    } catch {
      answer = error(400, 'VALIDATION_ERROR', 'Invalid input JSON');
    }
    if (answer.status < 300 && isWrite(method, url.pathname)) stats.writes += 1;
    const headers = { ...JSON_HEADERS, ...rateHeaders(requestsPerWindow - accepted.length) };
    later(() => {
      response.writeHead(answer.status, headers);
      response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  };

  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => handle(request, response, Buffer.concat(parts).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    basePath: `http://127.0.0.1:${port}`,
    stats,
    addContacts: (list) => list.map((contact) => addContact(contact.email, contact.additionalEmails).id),
    acceptedRequestTimes: () => acceptedTimes,
    setDailyRemaining(remaining) {
      dailyRemaining = remaining;
    },
    listMemberEmails: (listId) => [...(lists.get(listId)?.members ?? [])].map((id) => contacts.get(id)!.email),
    deleteList(listId) {
      const list = lists.get(listId);
      if (list) list.deletedAt = new Date().toISOString();
    },
    addContactProperty: (name, type = 'number') => void customProperties.set(name, type),
    contactValue: (email, property) => contactByEmail.get(email.toLowerCase())?.values[property],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((closeError) => (closeError ? reject(closeError) : resolve()));
      }),
  };
}
