/**
 * An in-memory Mailchimp audience speaking the Marketing API's wire format (the endpoints the
 * connector uses; reference/destinations.md §A), served over real HTTP on 127.0.0.1 with an
 * optional latency. For the conformance tests and the benchmark; the exact-body tests use nock.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MemberStatus } from './mailchimp-client.js';
import { subscriberHash } from './subscriber-hash.js';

interface FakeSegment {
  id: number;
  name: string;
  members: Set<string>;
}

interface FakeAnswer {
  status: number;
  body?: unknown;
}

/** The `web_id` the fake gives its audience (Mailchimp's web pages address an audience by it). */
export const FAKE_WEB_ID = 412345;

const problem = (status: number, title: string, detail: string): FakeAnswer => ({
  status,
  body: { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title, status, detail, instance: 'fake' },
});

export class FakeMailchimp {
  readonly members = new Map<string, MemberStatus>();
  readonly segments: FakeSegment[] = [];
  /** The audience's merge fields (`GET /lists/{id}/merge-fields`); add one as a test's setup. */
  readonly mergeFields: Array<{ tag: string; type: string }> = [{ tag: 'FNAME', type: 'text' }, { tag: 'LNAME', type: 'text' }];
  /** Merge field values set per member email. */
  readonly memberMergeFields = new Map<string, Record<string, unknown>>();
  /** Requests seen, as `METHOD /path`. */
  readonly requests: string[] = [];
  /**
   * Every `POST /lists/{id}/segments/{segmentId}` (batch tag / untag) received, in arrival order, with
   * the emails it asked to add and remove: what the crash benchmark counts re-sent adds from.
   */
  readonly segmentWrites: Array<{ segmentId: string; add: string[]; remove: string[] }> = [];
  /** Addresses Mailchimp holds back for now ("signed up to a lot of lists very recently"): adding them answers 400. */
  readonly throttled = new Set<string>();
  /** Requests in flight now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  private nextSegmentId = 1001;

  constructor(readonly listId = 'a1b2c3d4e5') {}

  /** Requests that change something (every method but GET). */
  writes(): number {
    return this.requests.filter((request) => !request.startsWith('GET ')).length;
  }

  segmentEmails(segmentId: string): string[] {
    return [...(this.segments.find((segment) => String(segment.id) === segmentId)?.members ?? [])];
  }

  /** One page of members in insertion order, without copying the whole map per page. */
  private memberPage(offset: number, count: number): Array<[string, MemberStatus]> {
    const page: Array<[string, MemberStatus]> = [];
    let index = 0;
    for (const entry of this.members) {
      if (index >= offset + count) break;
      if (index >= offset) page.push(entry);
      index += 1;
    }
    return page;
  }

  /** Answers one request; `path` is relative to `/3.0`. */
  handle(method: string, path: string, query: URLSearchParams, body: unknown): FakeAnswer {
    this.requests.push(`${method} ${path}`);
    const count = Math.min(1000, Number(query.get('count') ?? 10));
    const offset = Number(query.get('offset') ?? 0);
    if (method === 'GET' && path === '/ping') return { status: 200, body: { health_status: "Everything's Chimpy!" } };
    const match = /^\/lists\/([^/]+)(.*)$/.exec(path);
    if (!match || match[1] !== this.listId) return problem(404, 'Resource Not Found', 'The requested resource could not be found.');
    const rest = match[2] ?? '';
    if (method === 'GET' && rest === '') return { status: 200, body: { id: this.listId, web_id: FAKE_WEB_ID, name: 'Fake audience', stats: { member_count: this.members.size } } };
    if (method === 'GET' && rest === '/members') {
      const page = this.memberPage(offset, count).map(([email_address, status]) => ({ email_address, status }));
      return { status: 200, body: { members: page, total_items: this.members.size } };
    }
    const memberMatch = /^\/members\/([0-9a-f]{32})$/.exec(rest);
    if (method === 'PUT' && memberMatch) {
      const { email_address: email, status_if_new: statusIfNew } = body as { email_address: string; status_if_new: MemberStatus };
      if (subscriberHash(email) !== memberMatch[1]) return problem(400, 'Invalid Resource', 'The subscriber hash does not match the email.');
      const existing = this.members.get(email);
      if (existing === undefined && this.throttled.has(email)) {
        return problem(400, 'Invalid Resource', `${email} has signed up to a lot of lists very recently; we're not allowing more signups for now`);
      }
      if (existing === 'archived' || existing === undefined) this.members.set(email, statusIfNew);
      return { status: 200, body: { id: memberMatch[1], email_address: email, status: this.members.get(email) } };
    }
    if (method === 'GET' && rest === '/merge-fields') {
      const page = this.mergeFields.slice(offset, offset + count).map((field, index) => ({ merge_id: index + 1, ...field, name: field.tag, list_id: this.listId }));
      return { status: 200, body: { merge_fields: page, list_id: this.listId, total_items: this.mergeFields.length } };
    }
    if (method === 'PATCH' && memberMatch) {
      const email = [...this.members.keys()].find((candidate) => subscriberHash(candidate) === memberMatch[1]);
      if (email === undefined) return problem(404, 'Resource Not Found', 'The requested resource could not be found.');
      const fields = ((body as { merge_fields?: Record<string, unknown> }).merge_fields ?? {});
      const unknown = Object.keys(fields).filter((tag) => !this.mergeFields.some((field) => field.tag === tag));
      if (unknown.length > 0) {
        return { status: 400, body: { ...problem(400, 'Invalid Resource', 'The resource submitted could not be validated.').body as object, errors: unknown.map((field) => ({ field, message: 'This merge field does not exist.' })) } };
      }
      this.memberMergeFields.set(email, { ...this.memberMergeFields.get(email), ...fields });
      return { status: 200, body: { id: memberMatch[1], email_address: email, status: this.members.get(email), merge_fields: this.memberMergeFields.get(email) } };
    }
    if (method === 'GET' && rest === '/segments') {
      const page = this.segments.slice(offset, offset + count).map(({ id, name, members }) => ({ id, name, member_count: members.size, type: 'static' }));
      return { status: 200, body: { segments: page, total_items: this.segments.length } };
    }
    if (method === 'POST' && rest === '/segments') {
      const { name } = body as { name: string };
      if (this.segments.some((segment) => segment.name.toLowerCase() === name.toLowerCase())) return problem(400, 'Invalid Resource', 'Sorry, that tag already exists.');
      const segment = { id: this.nextSegmentId++, name, members: new Set<string>() };
      this.segments.push(segment);
      return { status: 200, body: { id: segment.id, name, member_count: 0, type: 'static', list_id: this.listId } };
    }
    const segmentMatch = /^\/segments\/(\d+)(\/members)?$/.exec(rest);
    const segment = segmentMatch ? this.segments.find((candidate) => String(candidate.id) === segmentMatch[1]) : undefined;
    if (segmentMatch && !segment) return problem(404, 'Resource Not Found', 'The requested resource could not be found.');
    if (segment && method === 'DELETE' && !segmentMatch?.[2]) {
      this.segments.splice(this.segments.indexOf(segment), 1);
      return { status: 204 };
    }
    if (segment && method === 'GET' && segmentMatch?.[2]) {
      const page = [...segment.members].slice(offset, offset + count).map((email_address) => ({ email_address, status: this.members.get(email_address) }));
      return { status: 200, body: { members: page, total_items: segment.members.size } };
    }
    if (segment && method === 'POST' && !segmentMatch?.[2]) {
      const { members_to_add: add = [], members_to_remove: remove = [] } = body as { members_to_add?: string[]; members_to_remove?: string[] };
      this.segmentWrites.push({ segmentId: String(segment.id), add, remove });
      if (add.length > 500 || remove.length > 500) return problem(400, 'Invalid Resource', 'At most 500 emails per call.');
      const added: string[] = [];
      const removed: string[] = [];
      const missing: string[] = [];
      for (const email of add) {
        if (!this.members.has(email) || this.members.get(email) === 'archived') missing.push(email);
        else if (!segment.members.has(email)) {
          segment.members.add(email);
          added.push(email);
        }
      }
      for (const email of remove) if (segment.members.delete(email)) removed.push(email);
      return {
        status: 200,
        body: {
          members_added: added.map((email_address) => ({ email_address, status: this.members.get(email_address) })),
          members_removed: removed.map((email_address) => ({ email_address })),
          errors: missing.length > 0 ? [{ email_addresses: missing, error: 'Email addresses do not belong to this audience' }] : [],
          total_added: added.length,
          total_removed: removed.length,
          error_count: missing.length,
        },
      };
    }
    return problem(405, 'Method Not Allowed', 'The requested method and resource are not compatible.');
  }
}

/** A running fake: its base URL (`http://127.0.0.1:<port>/3.0`) and how to stop it. */
export interface FakeMailchimpServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves `fake` on 127.0.0.1 (a free port); every answer waits `latencyMs` first. */
export async function serveFakeMailchimp(fake: FakeMailchimp, options: { latencyMs?: number } = {}): Promise<FakeMailchimpServer> {
  const latencyMs = options.latencyMs ?? 0;
  const server = createServer({ noDelay: true, keepAlive: true }, (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      fake.inFlight += 1;
      fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const answer = fake.handle(request.method ?? 'GET', url.pathname.replace(/^\/3\.0/, ''), url.searchParams, text ? JSON.parse(text) : undefined);
      setTimeout(() => {
        fake.inFlight -= 1;
        const json = answer.body === undefined ? '' : JSON.stringify(answer.body);
        response.writeHead(answer.status, {
          'content-type': answer.status >= 400 ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(json),
        });
        response.end(json);
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/3.0`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
