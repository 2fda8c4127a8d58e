import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/run-cli.js';
import { useStrictNock } from '../../test/helpers/strict-nock.js';

const API = 'https://api.hubapi.com';
const READ_SCOPES = ['crm.lists.read', 'crm.lists.write', 'crm.objects.contacts.read'];

function readsAnswer(token: string, base = API) {
  return nock(base)
    .matchHeader('authorization', `Bearer ${token}`)
    .post('/crm/v3/lists/search', { query: '', count: 1, offset: 0, processingTypes: ['MANUAL'] })
    .reply(200, { lists: [], total: 0, offset: 0, hasMore: false })
    .get('/crm/v3/objects/contacts')
    .query({ limit: '1', properties: 'hs_object_id' })
    .reply(200, { results: [{ id: '1', properties: { hs_object_id: '1' }, createdAt: '2026-11-30T10:00:00.000Z', updatedAt: '2026-11-30T10:00:00.000Z', archived: false }] });
}

/** `connectors test hubspot --create-contacts` with a token whose private app grants `scopes`. */
function testCreateContactsWithScopes(token: string, scopes: string[]) {
  readsAnswer(token)
    .post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: token })
    .reply(200, { userId: 7, hubId: 8, appId: 9, scopes });
  return runCli(['connectors', 'test', 'hubspot', '--create-contacts'], { env: { HUBSPOT_ACCESS_TOKEN: token } });
}

useStrictNock();

describe('affinity-sync connectors test hubspot', () => {
  it('checks the token and the scopes, and prints one line', async () => {
    const result = await testCreateContactsWithScopes('pat-na1-cli-ok', [...READ_SCOPES, 'crm.objects.contacts.write']);
    expect(result).toEqual({
      code: 0,
      stdout: 'ok  HubSpot token OK: scopes crm.lists.read, crm.lists.write, crm.objects.contacts.read, crm.objects.contacts.write granted\n',
      stderr: '',
    });
  });

  it('exits 2 naming the scope createContacts needs', async () => {
    const result = await testCreateContactsWithScopes('pat-na1-cli-scope', READ_SCOPES);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: the HubSpot token in HUBSPOT_ACCESS_TOKEN lacks the scope crm.objects.contacts.write: add it to the private app and use its token\n',
    });
  });

  it('exits 2 when HubSpot rejects the token', async () => {
    nock(API)
      .post('/crm/v3/lists/search')
      .reply(401, { status: 'error', message: 'Authentication credentials not found.', correlationId: 'c1', category: 'INVALID_AUTHENTICATION' });
    const result = await runCli(['connectors', 'test', 'hubspot'], { env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-cli-revoked' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: HubSpot rejected the token in HUBSPOT_ACCESS_TOKEN while reading lists (HTTP 401 INVALID_AUTHENTICATION, correlationId c1): check the private app\'s access token\n',
    );
  });

  it('exits 2 without a request when HUBSPOT_ACCESS_TOKEN is not set', async () => {
    const result = await runCli(['connectors', 'test', 'hubspot'], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: HUBSPOT_ACCESS_TOKEN: is not set: export the access token of a HubSpot private app/);
  });

  it('says so when the token cannot tell its scopes (an OAuth token)', async () => {
    const token = 'pat-na1-cli-oauth';
    readsAnswer(token)
      .post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: token })
      .reply(404, { status: 'error', message: 'not a private app token', correlationId: 'c2', category: 'OBJECT_NOT_FOUND' });
    const result = await runCli(['connectors', 'test', 'hubspot'], { env: { HUBSPOT_ACCESS_TOKEN: token } });
    expect(result).toEqual({
      code: 0,
      stdout: 'ok  HubSpot token OK: lists and contacts are readable; write scopes not verifiable for this token (needs crm.lists.read, crm.lists.write, crm.objects.contacts.read)\n',
      stderr: '',
    });
  });

  it('sends its requests to HUBSPOT_BASE_PATH, as run does; --base-path wins over it', async () => {
    const token = 'pat-na1-cli-proxy';
    readsAnswer(token, 'http://hubspot-proxy.internal:8080')
      .post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: token })
      .reply(200, { userId: 7, hubId: 8, appId: 9, scopes: READ_SCOPES });
    const viaEnv = await runCli(['connectors', 'test', 'hubspot'], { env: { HUBSPOT_ACCESS_TOKEN: token, HUBSPOT_BASE_PATH: 'http://hubspot-proxy.internal:8080' } });
    expect(viaEnv).toEqual({ code: 0, stdout: 'ok  HubSpot token OK: scopes crm.lists.read, crm.lists.write, crm.objects.contacts.read granted\n', stderr: '' });

    readsAnswer(token, 'http://sandbox.internal:9090')
      .post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: token })
      .reply(200, { userId: 7, hubId: 8, appId: 9, scopes: READ_SCOPES });
    const viaFlag = await runCli(['connectors', 'test', 'hubspot', '--base-path', 'http://sandbox.internal:9090'], {
      env: { HUBSPOT_ACCESS_TOKEN: token, HUBSPOT_BASE_PATH: 'http://hubspot-proxy.internal:8080' },
    });
    expect(viaFlag.code).toBe(0);
  });

  it('exits 2 naming HUBSPOT_BASE_PATH when it is not a URL, without a request', async () => {
    const result = await runCli(['connectors', 'test', 'hubspot'], { env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-cli-bad-base', HUBSPOT_BASE_PATH: 'api.hubapi.com' } });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'error: HUBSPOT_BASE_PATH: expected an http(s) URL such as https://api.hubapi.com, got "api.hubapi.com"\n' });
  });

  it('exits 1 when HubSpot cannot be reached (a failed run, not bad input), as its help says', async () => {
    nock(API).post('/crm/v3/lists/search').replyWithError(Object.assign(new Error('connect ECONNREFUSED 104.16.0.1:443'), { code: 'ECONNREFUSED' }));
    const result = await runCli(['connectors', 'test', 'hubspot'], { env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-cli-offline' } });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: HubSpot, while reading lists: cannot reach 104.16.0.1:443 (ECONNREFUSED): the network, a proxy or HubSpot is down. A network problem, not a credential one: retrying may help (the queue retries the run)\n',
    });

    const help = await runCli(['connectors', 'test', '--help'], { env: {} });
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('check a destination before a campaign uses it (exit code 2: wrong credentials or settings; 1: the service could not be reached)');
  });
});
