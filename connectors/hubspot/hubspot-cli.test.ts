import { PassThrough } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const API = 'https://api.hubapi.com';
const READ_SCOPES = ['crm.lists.read', 'crm.lists.write', 'crm.objects.contacts.read'];

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(['node', 'affinity-sync', ...args], { stdout, stderr, env, cwd: process.cwd() });
  return { code, out, err };
}

function readsAnswer(token: string) {
  return nock(API)
    .matchHeader('authorization', `Bearer ${token}`)
    .post('/crm/v3/lists/search', { query: '', count: 1, offset: 0, processingTypes: ['MANUAL'] })
    .reply(200, { lists: [], total: 0, offset: 0, hasMore: false })
    .get('/crm/v3/objects/contacts')
    .query({ limit: '1', properties: 'hs_object_id' })
    .reply(200, { results: [{ id: '1', properties: { hs_object_id: '1' }, createdAt: '2026-11-30T10:00:00.000Z', updatedAt: '2026-11-30T10:00:00.000Z', archived: false }] });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('affinity-sync connectors test hubspot', () => {
  it('checks the token and the scopes, and prints one line', async () => {
    const token = 'pat-na1-cli-ok';
    readsAnswer(token)
      .post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: token })
      .reply(200, { userId: 7, hubId: 8, appId: 9, scopes: [...READ_SCOPES, 'crm.objects.contacts.write'] });
    const result = await cli(['connectors', 'test', 'hubspot', '--create-contacts'], { HUBSPOT_ACCESS_TOKEN: token });
    expect(result).toEqual({
      code: 0,
      out: 'ok  HubSpot token OK: scopes crm.lists.read, crm.lists.write, crm.objects.contacts.read, crm.objects.contacts.write granted\n',
      err: '',
    });
  });

  it('exits 2 naming the scope createContacts needs', async () => {
    const token = 'pat-na1-cli-scope';
    readsAnswer(token)
      .post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: token })
      .reply(200, { userId: 7, hubId: 8, appId: 9, scopes: READ_SCOPES });
    const result = await cli(['connectors', 'test', 'hubspot', '--create-contacts'], { HUBSPOT_ACCESS_TOKEN: token });
    expect(result).toEqual({
      code: 2,
      out: '',
      err: 'error: the HubSpot token in HUBSPOT_ACCESS_TOKEN lacks the scope crm.objects.contacts.write: add it to the private app and use its token\n',
    });
  });

  it('exits 2 when HubSpot rejects the token', async () => {
    nock(API)
      .post('/crm/v3/lists/search')
      .reply(401, { status: 'error', message: 'Authentication credentials not found.', correlationId: 'c1', category: 'INVALID_AUTHENTICATION' });
    const result = await cli(['connectors', 'test', 'hubspot'], { HUBSPOT_ACCESS_TOKEN: 'pat-na1-cli-revoked' });
    expect(result.code).toBe(2);
    expect(result.err).toBe(
      'error: HubSpot rejected the token in HUBSPOT_ACCESS_TOKEN while reading lists (HTTP 401 INVALID_AUTHENTICATION, correlationId c1): check the private app\'s access token\n',
    );
  });

  it('exits 2 without a request when HUBSPOT_ACCESS_TOKEN is not set', async () => {
    const result = await cli(['connectors', 'test', 'hubspot'], {});
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^error: HUBSPOT_ACCESS_TOKEN: is not set: export the access token of a HubSpot private app/);
  });

  it('says so when the token cannot tell its scopes (an OAuth token)', async () => {
    const token = 'pat-na1-cli-oauth';
    readsAnswer(token)
      .post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: token })
      .reply(404, { status: 'error', message: 'not a private app token', correlationId: 'c2', category: 'OBJECT_NOT_FOUND' });
    const result = await cli(['connectors', 'test', 'hubspot'], { HUBSPOT_ACCESS_TOKEN: token });
    expect(result).toEqual({
      code: 0,
      out: 'ok  HubSpot token OK: lists and contacts are readable; write scopes not verifiable for this token (needs crm.lists.read, crm.lists.write, crm.objects.contacts.read)\n',
      err: '',
    });
  });
});
