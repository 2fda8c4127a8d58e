import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AuthError, ConfigError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { AudienceMember } from '../../src/identity/identity-resolver.js';
import type { AudienceSpec } from '../../src/sync/destination-connector.js';
import { syncAudience } from '../../src/sync/sync-audience.js';
import { useStrictNock } from '../../test/helpers/strict-nock.js';
import { mailchimpConfigSchema, type MailchimpConfig } from './mailchimp-config.js';
import { createMailchimpConnector } from './mailchimp-connector.js';
import { subscriberHash } from './subscriber-hash.js';

const KEY = '0123456789abcdef0123456789abcdef-us21';
const HOST = 'https://us21.api.mailchimp.com';
const LIST = 'a1b2c3d4e5';
const TAG = 'affinity winter-boots ITEM_ID = "B07"';
const SEGMENT_ID = 4711;
const connector = createMailchimpConnector({ rateLimitWaitMs: 5 });
const env = { MAILCHIMP_API_KEY: KEY };
const context = { env, logger: silentLogger, baseDir: process.cwd() };
const spec: AudienceSpec = { name: TAG, campaign: 'winter-boots', query: 'ITEM_ID = "B07"', runId: 'run-1' };
const fastRetry = { minDelayMs: 1, maxDelayMs: 2 };

const SEGMENTS_QUERY = { type: 'static', fields: 'segments.id,segments.name,segments.member_count,total_items', count: '1000', offset: '0' };
const membersQuery = (offset: number) => ({ fields: 'members.email_address,members.status,total_items', count: '1000', offset: String(offset) });
const segmentMembersQuery = (offset: number) => ({
  fields: 'members.email_address,members.status,total_items',
  include_cleaned: 'true',
  include_transactional: 'true',
  include_unsubscribed: 'true',
  count: '1000',
  offset: String(offset),
});
const PROBLEM_HEADERS = { 'Content-Type': 'application/problem+json; charset=utf-8' };
const problem = (status: number, title: string, detail = 'see the error glossary') => ({
  type: 'https://mailchimp.com/developer/marketing/docs/errors/',
  title,
  status,
  detail,
  instance: '9d74c1a2-0f6b-4e0b-a0f9-6a4c2d0b2c11',
});

const config = (overrides: Partial<MailchimpConfig> = {}): MailchimpConfig =>
  mailchimpConfigSchema.parse({ connector: 'mailchimp', audienceId: LIST, tag: 'affinity {{campaign}} {{query}}', ...overrides });
const api = () => nock(HOST).matchHeader('authorization', `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`);
const membersOf = (count: number): AudienceMember[] =>
  Array.from({ length: count }, (_, index) => ({ email: `m${String(index + 1).padStart(4, '0')}@example.com`, userIds: [String(index + 1)], rank: index + 1 }));
const member = (email: string, rank: number, names: Partial<AudienceMember> = {}): AudienceMember => ({ email, userIds: [String(rank)], rank, ...names });

/** The audience's members and statuses, one page. */
const replyMembers = (members: Array<[string, string]>) => ({ members: members.map(([email_address, status]) => ({ email_address, status })), total_items: members.length });
const tagFound = () => api().get(`/3.0/lists/${LIST}/segments`).query(SEGMENTS_QUERY).reply(200, { segments: [{ id: SEGMENT_ID, name: TAG, member_count: 2, type: 'static' }], total_items: 1 });
const added = (emails: string[]) => ({ members_added: emails.map((email_address) => ({ email_address, status: 'subscribed' })), members_removed: [], errors: [], total_added: emails.length, total_removed: 0, error_count: 0 });

function run(members: AudienceMember[], overrides: Partial<MailchimpConfig> = {}, dryRun = false) {
  const destination = config(overrides);
  return syncAudience({ connector, config: destination, session: connector.open(destination, context), spec, members, dryRun, retry: fastRetry });
}

useStrictNock();

describe('mailchimp connector', () => {
  it('creates the tag once as a static segment and finds it the next time', async () => {
    api().get(`/3.0/lists/${LIST}/segments`).query(SEGMENTS_QUERY).reply(200, { segments: [{ id: 12, name: 'another tag', member_count: 3, type: 'static' }], total_items: 1 });
    api().post(`/3.0/lists/${LIST}/segments`, { name: TAG, static_segment: [] }).reply(200, { id: SEGMENT_ID, name: TAG, member_count: 0, type: 'static', list_id: LIST });
    const first = await connector.open(config(), context).ensureAudience(spec, { dryRun: false });
    expect(first).toEqual({ id: String(SEGMENT_ID), name: TAG, created: true, location: `Mailchimp audience ${LIST}, tag "${TAG}"` });

    api()
      .get(`/3.0/lists/${LIST}/segments`)
      .query(SEGMENTS_QUERY)
      .reply(200, { segments: [{ id: SEGMENT_ID, name: TAG.toUpperCase(), member_count: 0, type: 'static' }], total_items: 1 });
    const second = await connector.open(config(), context).ensureAudience(spec, { dryRun: false });
    expect(second).toEqual({ id: String(SEGMENT_ID), name: TAG.toUpperCase(), created: false, location: `Mailchimp audience ${LIST}, tag "${TAG.toUpperCase()}"` });
  });

  it('tags 1,234 members in 3 calls of at most 500 emails', async () => {
    const members = membersOf(1234);
    const emails = members.map((m) => m.email);
    tagFound();
    api().get(`/3.0/lists/${LIST}/members`).query(membersQuery(0)).reply(200, { ...replyMembers(emails.slice(0, 1000).map((e) => [e, 'subscribed'])), total_items: 1234 });
    api().get(`/3.0/lists/${LIST}/members`).query(membersQuery(1000)).reply(200, { ...replyMembers(emails.slice(1000).map((e) => [e, 'subscribed'])), total_items: 1234 });
    for (const slice of [emails.slice(0, 500), emails.slice(500, 1000), emails.slice(1000)]) {
      api().post(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}`, { members_to_add: slice }).reply(200, added(slice));
    }
    const report = await run(members);
    expect(report.plan).toEqual({ add: 1234, remove: 0, unchanged: 0, chunks: 3 });
    expect(report.outcomes).toEqual({ added: 1234, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });
  });

  it('mirror mode untags only the tag members who left the segment, and never touches anyone else', async () => {
    tagFound();
    api()
      .get(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}/members`)
      .query(segmentMembersQuery(0))
      .reply(200, replyMembers([['ana@example.com', 'subscribed'], ['bo@example.com', 'subscribed'], ['stale@example.com', 'unsubscribed']]));
    api()
      .get(`/3.0/lists/${LIST}/members`)
      .query(membersQuery(0))
      .reply(200, replyMembers([['ana@example.com', 'subscribed'], ['bo@example.com', 'subscribed'], ['cy@example.com', 'subscribed'], ['stale@example.com', 'unsubscribed'], ['untagged@example.com', 'subscribed']]));
    api().post(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}`, { members_to_add: ['cy@example.com'] }).reply(200, added(['cy@example.com']));
    api()
      .post(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}`, { members_to_remove: ['stale@example.com'] })
      .reply(200, { members_added: [], members_removed: [{ email_address: 'stale@example.com' }], errors: [], total_added: 0, total_removed: 1, error_count: 0 });
    const report = await run([member('ana@example.com', 1), member('bo@example.com', 2), member('cy@example.com', 3)], { mode: 'mirror' });
    expect(report.plan).toEqual({ add: 1, remove: 1, unchanged: 2, chunks: 2 });
    expect(report.outcomes).toEqual({ added: 1, alreadyMember: 2, removed: 1, skipped: 0, failed: 0 });
  });

  it('skips unsubscribed, cleaned and archived members and never writes them', async () => {
    tagFound();
    api()
      .get(`/3.0/lists/${LIST}/members`)
      .query(membersQuery(0))
      .reply(200, replyMembers([['unsub@example.com', 'unsubscribed'], ['bounced@example.com', 'cleaned'], ['gone@example.com', 'archived'], ['ok@example.com', 'subscribed'], ['tx@example.com', 'transactional']]));
    // The exact body: only the two members who may be tagged.
    api().post(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}`, { members_to_add: ['ok@example.com', 'tx@example.com'] }).reply(200, added(['ok@example.com', 'tx@example.com']));
    const report = await run(['unsub', 'bounced', 'gone', 'ok', 'tx', 'stranger'].map((name, index) => member(`${name}@example.com`, index + 1)));
    expect(report.outcomes).toEqual({ added: 2, alreadyMember: 0, removed: 0, skipped: 4, failed: 0 });
    expect(report.skipReasons).toEqual({ unsubscribed: 1, cleaned: 1, archived: 1, 'not a member': 1 });
  });

  it('adds new people only through status_if_new, and skips both compliance 400s without retrying them', async () => {
    tagFound();
    api().get(`/3.0/lists/${LIST}/members`).query(membersQuery(0)).reply(200, replyMembers([]));
    api()
      .put(`/3.0/lists/${LIST}/members/${subscriberHash('optout@example.com')}`, { email_address: 'optout@example.com', status_if_new: 'pending' })
      .query({ skip_merge_validation: 'true' })
      .reply(400, problem(400, 'Member In Compliance State', 'optout@example.com is in a compliance state'), PROBLEM_HEADERS);
    api()
      .put(`/3.0/lists/${LIST}/members/${subscriberHash('forgotten@example.com')}`, { email_address: 'forgotten@example.com', status_if_new: 'pending' })
      .query({ skip_merge_validation: 'true' })
      .reply(400, problem(400, 'Forgotten Email Not Subscribed'), PROBLEM_HEADERS);
    api()
      .put(`/3.0/lists/${LIST}/members/${subscriberHash('new@example.com')}`, { email_address: 'new@example.com', status_if_new: 'pending', merge_fields: { FNAME: 'Nia', LNAME: 'Okafor' } })
      .query({ skip_merge_validation: 'true' })
      .reply(200, { id: subscriberHash('new@example.com'), email_address: 'new@example.com', status: 'pending' });
    api().post(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}`, { members_to_add: ['new@example.com'] }).reply(200, added(['new@example.com']));

    const report = await run(
      [member('optout@example.com', 1), member('forgotten@example.com', 2), member('new@example.com', 3, { firstName: 'Nia', lastName: 'Okafor' })],
      { newMembers: 'pending' },
    );
    expect(report.outcomes).toEqual({ added: 1, alreadyMember: 0, removed: 0, skipped: 2, failed: 0 });
    expect(report.skipReasons).toEqual({ 'Member In Compliance State': 1, 'Forgotten Email Not Subscribed': 1 });
    expect(report.retries).toBe(0);
  });

  it('waits after a 429 and then succeeds', async () => {
    tagFound();
    api().get(`/3.0/lists/${LIST}/members`).query(membersQuery(0)).reply(200, replyMembers([['ana@example.com', 'subscribed']]));
    api().post(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}`, { members_to_add: ['ana@example.com'] }).reply(429, problem(429, 'Too Many Requests'), PROBLEM_HEADERS);
    api().post(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}`, { members_to_add: ['ana@example.com'] }).reply(200, added(['ana@example.com']));
    const report = await run([member('ana@example.com', 1)]);
    expect(report.rateLimitWaits).toBe(1);
    expect(report.retries).toBe(0);
    expect(report.outcomes.added).toBe(1);
  });

  it('retries a 503 and a connection reset', async () => {
    api().get(`/3.0/lists/${LIST}/segments`).query(SEGMENTS_QUERY).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    tagFound();
    api().get(`/3.0/lists/${LIST}/members`).query(membersQuery(0)).reply(503, problem(503, 'Service Unavailable'), PROBLEM_HEADERS);
    api().get(`/3.0/lists/${LIST}/members`).query(membersQuery(0)).reply(200, replyMembers([['ana@example.com', 'subscribed']]));
    api().post(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}`, { members_to_add: ['ana@example.com'] }).reply(200, added(['ana@example.com']));
    const report = await run([member('ana@example.com', 1)]);
    expect(report.retries).toBe(2);
    expect(report.outcomes.added).toBe(1);
  });

  it('reports each email of a batch answer with errors[]', async () => {
    tagFound();
    api()
      .get(`/3.0/lists/${LIST}/members`)
      .query(membersQuery(0))
      .reply(200, replyMembers(['a', 'b', 'c', 'd'].map((name): [string, string] => [`${name}@example.com`, 'subscribed'])));
    const emails = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'];
    api()
      .post(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}`, { members_to_add: emails })
      .reply(200, {
        members_added: [{ email_address: 'a@example.com', status: 'subscribed' }],
        members_removed: [],
        errors: [
          { email_addresses: ['c@example.com'], error: 'Email addresses do not belong to this audience' },
          { email_addresses: ['d@example.com'], error: 'Member could not be updated' },
        ],
        total_added: 1,
        total_removed: 0,
        error_count: 2,
      });
    const report = await run(emails.map((email, index) => member(email, index + 1)));
    expect(report.outcomes).toEqual({ added: 1, alreadyMember: 1, removed: 0, skipped: 1, failed: 1 });
    expect(report.skipReasons).toEqual({ 'not a member': 1 });
    expect(report.failureCodes).toEqual({ tagRejected: 1 });
  });

  it('turns the per-address signup throttle into a retryable failure with its reason in words, without retrying it now', async () => {
    tagFound();
    api().get(`/3.0/lists/${LIST}/members`).query(membersQuery(0)).reply(200, replyMembers([]));
    api()
      .put(`/3.0/lists/${LIST}/members/${subscriberHash('busy@example.com')}`, { email_address: 'busy@example.com', status_if_new: 'pending' })
      .query({ skip_merge_validation: 'true' })
      .reply(400, problem(400, 'Invalid Resource', "busy@example.com has signed up to a lot of lists very recently; we're not allowing more signups for now"), PROBLEM_HEADERS);
    const session = connector.open(config({ newMembers: 'pending' }), context);
    const audience = await session.ensureAudience(spec, { dryRun: false });
    const outcomes = await session.apply(audience, { add: [member('busy@example.com', 1)], remove: [] });
    expect(outcomes).toEqual([
      {
        email: 'busy@example.com',
        kind: 'failed',
        retryable: true,
        code: 'signupThrottled',
        reason: 'Mailchimp is holding back sign-ups of this address for now (it joined many lists recently); it passes with time, so the next run retries it',
      },
    ]);
    expect(JSON.stringify(outcomes)).not.toContain('lot of lists');
  });

  it('rejects a key without a data centre before any request, without quoting it', () => {
    const open = () => connector.open(config(), { ...context, env: { MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef' } });
    expect(open).toThrow(ConfigError);
    expect(open).toThrow('MAILCHIMP_API_KEY: expected a key ending in its data centre, like "…-us21"');
    expect(open).not.toThrow(/0123456789abcdef/);
    expect(() => connector.open(config(), { ...context, env: {} })).toThrow('MAILCHIMP_API_KEY: not set');
  });

  it('a dry run reads the tag and its members and makes no write request', async () => {
    // nock.disableNetConnect() turns any request without an interceptor (a POST, a PUT) into an error.
    tagFound();
    api()
      .get(`/3.0/lists/${LIST}/segments/${SEGMENT_ID}/members`)
      .query(segmentMembersQuery(0))
      .reply(200, replyMembers([['ana@example.com', 'subscribed'], ['stale@example.com', 'subscribed']]));
    const report = await run([member('ana@example.com', 1), member('bo@example.com', 2)], { mode: 'mirror' }, true);
    expect(report.plan).toEqual({ add: 1, remove: 1, unchanged: 1, chunks: 2 });
    expect(report.outcomes).toEqual({ added: 0, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });
  });

  it('a dry run does not create a missing tag', async () => {
    api().get(`/3.0/lists/${LIST}/segments`).query(SEGMENTS_QUERY).reply(200, { segments: [], total_items: 0 });
    const report = await run([member('ana@example.com', 1)], {}, true);
    expect(report.audience).toEqual({ id: '', name: TAG, created: false, location: `Mailchimp audience ${LIST}, tag "${TAG}"` });
    expect(report.plan.add).toBe(1);
  });

  it('refuses a tag name longer than 100 characters after rendering, before any request', async () => {
    const session = connector.open(config(), context);
    await expect(session.ensureAudience({ ...spec, name: `affinity ${'x'.repeat(95)}` }, { dryRun: true })).rejects.toThrow(/tag: renders .* with 104 characters; Mailchimp tag names have at most 100/);
  });

  it('maps 401 API Key Invalid to an AuthError, not retried', async () => {
    api().get(`/3.0/lists/${LIST}/segments`).query(SEGMENTS_QUERY).reply(401, problem(401, 'API Key Invalid'), PROBLEM_HEADERS);
    const failure = run([member('ana@example.com', 1)]);
    await expect(failure).rejects.toBeInstanceOf(AuthError);
    await expect(failure).rejects.toThrow('Mailchimp list tags: 401 API Key Invalid (check MAILCHIMP_API_KEY and its data-centre suffix)');
  });

  it('a wrong audienceId is a ConfigError (exit 2) naming the field, as in connectors test, not a failed run', async () => {
    api().get(`/3.0/lists/${LIST}/segments`).query(SEGMENTS_QUERY).reply(404, problem(404, 'Resource Not Found'), PROBLEM_HEADERS);
    const failure = connector.open(config(), context).ensureAudience(spec, { dryRun: false });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toMatchObject({
      exitCode: 2,
      message: `audienceId: Mailchimp has no audience "${LIST}" on server us21`,
      issues: [{ field: 'audienceId', message: `Mailchimp has no audience "${LIST}" on server us21` }],
    });
  });

  it('testConnection checks the key, the server and the audience', async () => {
    api().get('/3.0/ping').reply(200, { health_status: "Everything's Chimpy!" });
    api().get(`/3.0/lists/${LIST}`).query({ fields: 'id,name,stats.member_count' }).reply(200, { id: LIST, name: 'Retail demo', stats: { member_count: 6012 } });
    await expect(connector.open(config(), context).testConnection()).resolves.toBe(`mailchimp: key accepted on server us21; audience ${LIST} "Retail demo" has 6012 members`);

    api().get('/3.0/ping').reply(200, { health_status: "Everything's Chimpy!" });
    api().get(`/3.0/lists/${LIST}`).query({ fields: 'id,name,stats.member_count' }).reply(404, problem(404, 'Resource Not Found'), PROBLEM_HEADERS);
    await expect(connector.open(config(), context).testConnection()).rejects.toThrow(`audienceId: Mailchimp has no audience "${LIST}" on server us21`);
  });

  it('sends requests to the base URL from the config or MAILCHIMP_BASE_URL', async () => {
    nock('http://proxy.internal:8080').get('/mc/3.0/ping').reply(200, { health_status: 'ok' });
    nock('http://proxy.internal:8080').get(`/mc/3.0/lists/${LIST}`).query(true).reply(200, { id: LIST, name: 'Via proxy' });
    const viaEnv = connector.open(config(), { ...context, env: { ...env, MAILCHIMP_BASE_URL: 'http://proxy.internal:8080/mc/3.0/' } });
    await expect(viaEnv.testConnection()).resolves.toBe(`mailchimp: key accepted on server us21; audience ${LIST} "Via proxy"`);
  });
});
