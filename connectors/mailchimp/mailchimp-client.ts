/**
 * Our narrow, typed view of `@mailchimp/mailchimp_marketing` (the SDK is plain JS and its
 * DefinitelyTyped types lack the segment calls). One SDK `ApiClient` per credential, never the
 * process-wide default export (its `setConfig` would race between tenants), and one connection
 * budget per credential: Mailchimp allows 10 simultaneous connections per account (Marketing API,
 * "Fundamentals: API limits"); we use 9, as grouparoo does (`@grouparoo/mailchimp` parallelism.ts).
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, type Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import type { RateBudgets } from '../../src/rate-budget/rate-budgets.js';
import pLimit, { type LimitFunction } from 'p-limit';
import type { MailchimpCredentials } from './mailchimp-credentials.js';
import { toMailchimpError } from './mailchimp-errors.js';

/** Member statuses (Marketing API, "Lists/Audiences members": `status`). */
export type MemberStatus = 'subscribed' | 'unsubscribed' | 'cleaned' | 'pending' | 'transactional' | 'archived';

export interface MailchimpListInfo {
  id: string;
  name: string;
  stats?: { member_count?: number };
}

export interface MailchimpSegment {
  id: number;
  name: string;
  member_count?: number;
  type?: string;
}

export interface MailchimpMemberPage {
  members: Array<{ email_address: string; status: MemberStatus }>;
  total_items: number;
}

/** `POST /lists/{list_id}/segments/{segment_id}` answer (200 even when some emails failed). */
export interface BatchSegmentMembersResult {
  members_added?: Array<{ email_address: string; status?: MemberStatus }>;
  members_removed?: Array<{ email_address: string }>;
  errors?: Array<{ email_addresses: string[]; error: string }>;
  total_added?: number;
  total_removed?: number;
  error_count?: number;
}

/** The calls we use, each mapped to our error classes and run within the credential's connection budget. */
export interface MailchimpApi {
  readonly server: string;
  ping(): Promise<{ health_status: string }>;
  getList(listId: string): Promise<MailchimpListInfo>;
  /** The audience's `web_id`: its id in Mailchimp's web pages (`https://<dc>.admin.mailchimp.com/lists/members/?id=<web_id>`). */
  getListWebId(listId: string): Promise<number | undefined>;
  listSegments(listId: string, page: { count: number; offset: number }): Promise<{ segments: MailchimpSegment[]; total_items: number }>;
  createSegment(listId: string, name: string): Promise<MailchimpSegment>;
  /** Audience members' emails and statuses, one page (`count` ≤ 1000). */
  listMembers(listId: string, page: { count: number; offset: number }): Promise<MailchimpMemberPage>;
  /** Emails of a static segment's members, of every status, one page (`count` ≤ 1000). */
  listSegmentMembers(listId: string, segmentId: string, page: { count: number; offset: number }): Promise<MailchimpMemberPage>;
  /** `PUT /lists/{id}/members/{hash}`: adds a member with `status_if_new`; an existing member's status is never sent. */
  upsertMember(
    listId: string,
    hash: string,
    body: { email_address: string; status_if_new: 'pending' | 'transactional'; merge_fields?: Record<string, string> },
  ): Promise<{ email_address: string; status: MemberStatus }>;
  batchSegmentMembers(listId: string, segmentId: string, body: { members_to_add?: string[]; members_to_remove?: string[] }): Promise<BatchSegmentMembersResult>;
  /** `DELETE /lists/{id}/segments/{segment_id}`: deletes a tag; its members stay in the audience. */
  deleteSegment(listId: string, segmentId: string): Promise<void>;
  /** `GET /lists/{id}/merge-fields`: the audience's merge fields, one page (`count` ≤ 1000). */
  listMergeFields(listId: string, page: { count: number; offset: number }): Promise<{ merge_fields: Array<{ tag: string; type: string }>; total_items: number }>;
  /** `PATCH /lists/{id}/members/{hash}` with `merge_fields` only: status and tags are left as they are. */
  updateMemberMergeFields(listId: string, hash: string, mergeFields: Record<string, string | number>): Promise<unknown>;
}

/** The SDK's `ApiClient`, as far as we touch it. */
interface SdkClient {
  basePath: string;
  timeout: number;
  enableCookies: boolean;
  agent: { attachCookies(request: { agent(agent: Agent): unknown }): void; saveCookies(response: unknown): void };
  setConfig(config: { apiKey: string; server?: string }): void;
  ping: { get(): Promise<unknown> };
  lists: {
    getList(listId: string, opts: object): Promise<unknown>;
    listSegments(listId: string, opts: object): Promise<unknown>;
    createSegment(listId: string, body: object): Promise<unknown>;
    getListMembersInfo(listId: string, opts: object): Promise<unknown>;
    getSegmentMembersList(listId: string, segmentId: string, opts: object): Promise<unknown>;
    setListMember(listId: string, hash: string, body: object, opts: object): Promise<unknown>;
    getListMergeFields(listId: string, opts: object): Promise<unknown>;
    updateListMember(listId: string, hash: string, body: object, opts: object): Promise<unknown>;
    /** Body first (SDK quirk, verified in reference/destinations.md §A4). */
    batchSegmentMembers(body: object, listId: string, segmentId: string): Promise<unknown>;
    deleteSegment(listId: string, segmentId: string): Promise<unknown>;
  };
}

const require = createRequire(import.meta.url);

/** Options of {@link mailchimpApiFor}. */
export interface MailchimpApiOptions {
  /** Simultaneous requests per credential. @defaultValue 9 */
  connections?: number;
  /** Request timeout in milliseconds. @defaultValue 60000 */
  timeoutMs?: number;
  /** Wait after a 429 without `Retry-After`, in milliseconds (jitter of up to the same again is added). @defaultValue 1000 */
  rateLimitWaitMs?: number;
}

interface CachedApi {
  api: MailchimpApi;
  limit: LimitFunction;
}

/** APIs of this process, by budget store (none: the process's own limit only), then by credential. */
const apis = new Map<string, CachedApi>();
const apisByBudgets = new WeakMap<RateBudgets, Map<string, CachedApi>>();

/**
 * The API of one credential (cached per key and base URL, so every session of a process shares its
 * connection budget).
 * @param budgets - where the account's connections are counted beyond this process: a queue worker
 *   passes its Redis budgets, so all workers together keep to `connections` simultaneous requests.
 */
export function mailchimpApiFor(credentials: MailchimpCredentials, options: MailchimpApiOptions = {}, budgets?: RateBudgets): MailchimpApi {
  const cacheKey = createHash('sha256').update(`${credentials.apiKey}\n${credentials.baseUrl}\n${JSON.stringify(options)}`).digest('hex');
  let cache = apis;
  if (budgets) {
    cache = apisByBudgets.get(budgets) ?? new Map<string, CachedApi>();
    apisByBudgets.set(budgets, cache);
  }
  const cached = cache.get(cacheKey);
  if (cached) return cached.api;
  const created = createApi(credentials, options, budgets);
  cache.set(cacheKey, created);
  return created.api;
}

/**
 * Mailchimp's connection limit as a rolling budget: `connections` slots, each taken when a request
 * starts and free 1 ms after its answer, i.e. at most `connections` requests in flight at once.
 */
const CONNECTION_SLOT_AFTER_ANSWER_MS = 1;

function createApi(credentials: MailchimpCredentials, options: MailchimpApiOptions, budgets?: RateBudgets): CachedApi {
  const ApiClient = require('@mailchimp/mailchimp_marketing/src/ApiClient.js') as new () => SdkClient;
  const client = new ApiClient();
  const defaultBase = `https://${credentials.server}.api.mailchimp.com/3.0`;
  if (credentials.baseUrl === defaultBase) {
    client.setConfig({ apiKey: credentials.apiKey, server: credentials.server });
  } else {
    // Without `server` the SDK leaves `basePath` alone (it replaces the word "server" in the URL otherwise).
    client.setConfig({ apiKey: credentials.apiKey });
    client.basePath = credentials.baseUrl;
  }
  client.timeout = options.timeoutMs ?? 60_000;
  const connections = options.connections ?? 9;
  // superagent 3 sends every request with `agent: false` (a new TCP + TLS connection each time).
  // The SDK's only per-request hook is its cookie jar, called with each request: we use it to hand
  // superagent a keep-alive agent of this credential, so its 9 connections are reused.
  const AgentClass = credentials.baseUrl.startsWith('https:') ? HttpsAgent : HttpAgent;
  const keepAlive = new AgentClass({ keepAlive: true, maxSockets: connections });
  client.enableCookies = true;
  client.agent = {
    attachCookies: (request) => request.agent(keepAlive),
    saveCookies: () => undefined,
  };
  const limit = pLimit(connections);
  // Shared by every worker with this key (Redis), when the caller has such budgets.
  const shared = budgets?.budgetFor({ scope: 'mailchimp-connections', credential: `${credentials.baseUrl}\n${credentials.apiKey}`, requests: connections, windowMs: CONNECTION_SLOT_AFTER_ANSWER_MS });
  const rateLimitWaitMs = options.rateLimitWaitMs ?? 1000;
  const call = <T>(operation: string, run: () => Promise<unknown>): Promise<T> =>
    limit(async () => {
      try {
        return (await (shared ? shared.run(run) : run())) as T;
      } catch (error) {
        throw toMailchimpError(error, operation, { rateLimitWaitMs: rateLimitWaitMs + Math.random() * rateLimitWaitMs });
      }
    });
  const page = (p: { count: number; offset: number }) => ({ count: p.count, offset: p.offset });

  const api: MailchimpApi = {
    server: credentials.server,
    ping: () => call('ping', () => client.ping.get()),
    getList: (listId) => call('read audience', () => client.lists.getList(listId, { fields: ['id', 'name', 'stats.member_count'] })),
    getListWebId: async (listId) => (await call<{ web_id?: number }>('read audience', () => client.lists.getList(listId, { fields: ['web_id'] }))).web_id,
    listSegments: (listId, p) =>
      call('list tags', () => client.lists.listSegments(listId, { type: 'static', fields: ['segments.id', 'segments.name', 'segments.member_count', 'total_items'], ...page(p) })),
    createSegment: (listId, name) => call('create tag', () => client.lists.createSegment(listId, { name, static_segment: [] })),
    listMembers: (listId, p) =>
      call('list members', () => client.lists.getListMembersInfo(listId, { fields: ['members.email_address', 'members.status', 'total_items'], ...page(p) })),
    listSegmentMembers: (listId, segmentId, p) =>
      call('list tag members', () =>
        client.lists.getSegmentMembersList(listId, segmentId, {
          fields: ['members.email_address', 'members.status', 'total_items'],
          includeCleaned: true,
          includeTransactional: true,
          includeUnsubscribed: true,
          ...page(p),
        }),
      ),
    upsertMember: (listId, hash, body) => call('add member', () => client.lists.setListMember(listId, hash, body, { skipMergeValidation: true })),
    batchSegmentMembers: (listId, segmentId, body) => call('tag members', () => client.lists.batchSegmentMembers(body, listId, segmentId)),
    deleteSegment: (listId, segmentId) => call('delete tag', () => client.lists.deleteSegment(listId, segmentId)),
    listMergeFields: (listId, p) => call('list merge fields', () => client.lists.getListMergeFields(listId, { fields: ['merge_fields.tag', 'merge_fields.type', 'total_items'], ...page(p) })),
    updateMemberMergeFields: (listId, hash, mergeFields) => call('set merge fields', () => client.lists.updateListMember(listId, hash, { merge_fields: mergeFields }, {})),
  };
  return { api, limit };
}
