import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { AuthError, ConfigError, PermanentError, QuotaExhaustedError, RateLimitedError, TransientError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { AudienceMember } from '../../src/identity/identity-resolver.js';
import type { AudienceRef, AudienceSpec } from '../../src/sync/destination-connector.js';
import { syncAudience } from '../../src/sync/sync-audience.js';
import { useStrictNock } from '../../test/helpers/strict-nock.js';
import { hubSpotConfigSchema, type HubSpotConfig } from './hubspot-config.js';
import { HUBSPOT_SKIP_REASONS, hubspotConnector } from './index.js';

const API = 'https://api.hubapi.com';
const LIST_NAME = 'affinity winter-boots boots';
const BY_NAME = `/crm/v3/lists/object-type-id/0-1/name/${encodeURIComponent(LIST_NAME)}`;
const STAMP = '2026-11-30T10:00:00.000Z';

let tokenCounter = 0;
/** A fresh token per test: each token has its own SDK client and request budget. */
function freshToken(): string {
  tokenCounter += 1;
  return `pat-na1-test-${tokenCounter}`;
}

function configOf(overrides: Partial<HubSpotConfig> = {}): HubSpotConfig {
  return hubSpotConfigSchema.parse({ connector: 'hubspot', list: 'affinity {{campaign}} {{label}}', ...overrides });
}

function open(token: string, config = configOf()) {
  return hubspotConnector.open(config, { env: { HUBSPOT_ACCESS_TOKEN: token }, logger: silentLogger, baseDir: '.' });
}

function api(token: string) {
  return nock(API).matchHeader('authorization', `Bearer ${token}`);
}

function listWire(listId: string, extra: Record<string, unknown> = {}) {
  return {
    list: { listId, name: LIST_NAME, objectTypeId: '0-1', processingType: 'MANUAL', processingStatus: 'COMPLETE', listVersion: 1, createdAt: STAMP, updatedAt: STAMP, ...extra },
  };
}

/** The by-name read answers 404, then expects the create request of a MANUAL contact list (answer it). */
function unknownListThenCreate(token: string, correlationId: string) {
  return api(token)
    .get(BY_NAME)
    .reply(404, { status: 'error', message: 'List does not exist.', correlationId, category: 'OBJECT_NOT_FOUND' })
    .post('/crm/v3/lists', { name: LIST_NAME, objectTypeId: '0-1', processingType: 'MANUAL' });
}

function contactWire(id: string, email: string, additional: string | null = null) {
  return { id, properties: { email, hs_additional_emails: additional, hs_object_id: id }, createdAt: STAMP, updatedAt: STAMP, archived: false };
}

function readBody(emails: string[]) {
  return { idProperty: 'email', inputs: emails.map((id) => ({ id })), properties: ['email', 'hs_additional_emails'], propertiesWithHistory: [] };
}

function notFound207(found: unknown[], missing: string[]) {
  return {
    status: 'COMPLETE',
    results: found,
    numErrors: 1,
    errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.', context: { ids: missing } }],
    startedAt: STAMP,
    completedAt: STAMP,
  };
}

function member(email: string, rank: number): AudienceMember {
  return { email, userIds: [String(rank)], rank };
}

const spec: AudienceSpec = { name: LIST_NAME, campaign: 'winter-boots', query: 'ITEM_ID = "boots"', runId: 'run-1' };
const audience: AudienceRef = { id: '42', name: LIST_NAME, created: false };

useStrictNock();

describe('hubspot config', () => {
  it('applies the defaults and refuses unknown keys and placeholders', () => {
    expect(configOf()).toEqual({ connector: 'hubspot', list: 'affinity {{campaign}} {{label}}', mode: 'additive', createContacts: false, requestsPer10s: 100 });
    expect(hubSpotConfigSchema.safeParse({ connector: 'hubspot', list: 'x', token: 'secret' }).success).toBe(false);
    const badTemplate = hubSpotConfigSchema.safeParse({ connector: 'hubspot', list: 'x {{segment}}' });
    expect(badTemplate.success).toBe(false);
    expect(badTemplate.error?.issues[0]?.message).toContain('{{campaign}}');
    expect(hubSpotConfigSchema.safeParse({ connector: 'hubspot', list: 'x', requestsPer10s: 0 }).success).toBe(false);
  });

  it('needs HUBSPOT_ACCESS_TOKEN from the environment', () => {
    const opening = () => hubspotConnector.open(configOf(), { env: {}, logger: silentLogger, baseDir: '.' });
    expect(opening).toThrow(ConfigError);
    expect(opening).toThrow(/HUBSPOT_ACCESS_TOKEN: is not set/);
  });
});

describe('hubspot ensureAudience', () => {
  it('finds the MANUAL list by name without creating one', async () => {
    const token = freshToken();
    api(token).get(BY_NAME).reply(200, listWire('42'));
    await expect(open(token).ensureAudience(spec, { dryRun: false })).resolves.toEqual({ id: '42', name: LIST_NAME, created: false, location: `HubSpot list 42 "${LIST_NAME}"` });
  });

  it('creates the list (objectTypeId 0-1, MANUAL) when the name is unknown', async () => {
    const token = freshToken();
    unknownListThenCreate(token, 'c1').reply(200, listWire('77'));
    await expect(open(token).ensureAudience(spec, { dryRun: false })).resolves.toEqual({ id: '77', name: LIST_NAME, created: true, location: `HubSpot list 77 "${LIST_NAME}"` });
  });

  it('treats a 400 "does not exist" as absent and creates nothing in a dry run', async () => {
    const token = freshToken();
    api(token).get(BY_NAME).reply(400, { status: 'error', message: `List with name ${LIST_NAME} does not exist`, correlationId: 'c2', category: 'VALIDATION_ERROR' });
    await expect(open(token).ensureAudience(spec, { dryRun: true })).resolves.toEqual({ id: '', name: LIST_NAME, created: false, location: `HubSpot list "${LIST_NAME}" (not created yet)` });
  });

  it('re-reads the list when another run created the same name meanwhile', async () => {
    const token = freshToken();
    unknownListThenCreate(token, 'c3')
      .reply(400, { status: 'error', message: 'A list with this name already exists.', correlationId: 'c4', category: 'VALIDATION_ERROR', subCategory: 'ILS.DUPLICATE_LIST_NAMES' })
      .get(BY_NAME)
      .reply(200, listWire('88'));
    await expect(open(token).ensureAudience(spec, { dryRun: false })).resolves.toEqual({ id: '88', name: LIST_NAME, created: false, location: `HubSpot list 88 "${LIST_NAME}"` });
  });

  it('never writes to a deleted list and says so', async () => {
    const token = freshToken();
    api(token).get(BY_NAME).reply(200, listWire('42', { deletedAt: '2026-11-01T08:00:00.000Z' }));
    const ensuring = open(token).ensureAudience(spec, { dryRun: false });
    await expect(ensuring).rejects.toThrow(PermanentError);
    await expect(ensuring).rejects.toThrow(`HubSpot list "${LIST_NAME}" (id 42) was deleted on 2026-11-01T08:00:00.000Z; it is never written to`);
  });

  it('refuses a dynamic list of the same name', async () => {
    const token = freshToken();
    api(token).get(BY_NAME).reply(200, listWire('42', { processingType: 'DYNAMIC' }));
    await expect(open(token).ensureAudience(spec, { dryRun: false })).rejects.toThrow(/is a DYNAMIC list .* only MANUAL lists are written/);
  });

  it('explains a 404 on memberships by the list having been deleted', async () => {
    const token = freshToken();
    api(token)
      .post('/crm/v3/objects/contacts/batch/read', readBody(['ann@example.com']))
      .query({ archived: 'false' })
      .reply(200, { status: 'COMPLETE', results: [contactWire('501', 'ann@example.com')], startedAt: STAMP, completedAt: STAMP })
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: ['501'], recordIdsToRemove: [] })
      .reply(404, { status: 'error', message: 'List does not exist.', correlationId: 'c5', category: 'OBJECT_NOT_FOUND' })
      .get('/crm/v3/lists/42')
      .reply(200, listWire('42', { deletedAt: '2026-11-29T23:00:00.000Z' }));
    const applying = open(token).apply(audience, { add: [member('ann@example.com', 1)], remove: [] });
    await expect(applying).rejects.toThrow(/was deleted on 2026-11-29T23:00:00.000Z; it is never written to/);
  });
});

describe('hubspot apply', () => {
  it('reads 250 emails in 3 batch reads of ≤ 100 and adds the contacts found in one call', async () => {
    const token = freshToken();
    const members = Array.from({ length: 250 }, (_unused, index) => member(`user${index}@example.com`, index + 1));
    const emails = members.map((m) => m.email);
    const idOf = (index: number) => String(1000 + index);
    const scope = api(token);
    for (const [start, end] of [[0, 100], [100, 200], [200, 250]] as const) {
      const chunk = emails.slice(start, end);
      // The last one of each chunk is not a contact.
      const found = chunk.slice(0, -1).map((email, offset) => contactWire(idOf(start + offset), email));
      scope
        .post('/crm/v3/objects/contacts/batch/read', readBody(chunk))
        .query({ archived: 'false' })
        .reply(207, notFound207(found, [chunk.at(-1)!]));
    }
    const foundIndexes = [...Array(250).keys()].filter((index) => ![99, 199, 249].includes(index));
    scope
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: foundIndexes.map(idOf), recordIdsToRemove: [] })
      .reply(200, { recordsIdsAdded: foundIndexes.filter((index) => index >= 10).map(idOf), recordIdsRemoved: [], recordIdsMissing: [] });

    const outcomes = await open(token).apply(audience, { add: members, remove: [] });
    expect(outcomes).toHaveLength(250);
    expect(outcomes[0]).toEqual({ email: 'user0@example.com', kind: 'alreadyMember' });
    expect(outcomes[10]).toEqual({ email: 'user10@example.com', kind: 'added' });
    expect(outcomes[99]).toEqual({ email: 'user99@example.com', kind: 'skipped', reason: HUBSPOT_SKIP_REASONS.notAContact });
    const counts = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.kind]: (acc[o.kind] ?? 0) + 1 }), {});
    expect(counts).toEqual({ alreadyMember: 10, added: 237, skipped: 3 });
  });

  it('maps a secondary email back to the member and reports recordIdsMissing', async () => {
    const token = freshToken();
    api(token)
      .post('/crm/v3/objects/contacts/batch/read', readBody(['old@example.com', 'gone@example.com']))
      .query({ archived: 'false' })
      .reply(200, {
        status: 'COMPLETE',
        results: [contactWire('601', 'new@example.com', 'other@example.com;OLD@example.com'), contactWire('602', 'gone@example.com')],
        startedAt: STAMP,
        completedAt: STAMP,
      })
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: ['601', '602'], recordIdsToRemove: [] })
      .reply(200, { recordsIdsAdded: ['601'], recordIdsRemoved: [], recordIdsMissing: ['602'] });
    const outcomes = await open(token).apply(audience, { add: [member('old@example.com', 1), member('gone@example.com', 2)], remove: [] });
    expect(outcomes).toEqual([
      { email: 'old@example.com', kind: 'added' },
      { email: 'gone@example.com', kind: 'skipped', reason: HUBSPOT_SKIP_REASONS.contactDeleted },
    ]);
  });

  it('with createContacts upserts a missing email once although it comes in two cases', async () => {
    const token = freshToken();
    api(token)
      .post('/crm/v3/objects/contacts/batch/read', readBody(['kim@example.com', 'ann@example.com']))
      .query({ archived: 'false' })
      .reply(207, notFound207([contactWire('701', 'ann@example.com')], ['kim@example.com']))
      .post('/crm/v3/objects/contacts/batch/upsert', {
        inputs: [{ idProperty: 'email', id: 'kim@example.com', properties: { email: 'kim@example.com', firstname: 'Kim' }, objectWriteTraceId: '0' }],
      })
      .reply(200, {
        status: 'COMPLETE',
        results: [{ id: '702', new: true, properties: { email: 'kim@example.com', firstname: 'Kim' }, createdAt: STAMP, updatedAt: STAMP, archived: false, objectWriteTraceId: '0' }],
        startedAt: STAMP,
        completedAt: STAMP,
      })
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: ['702', '701'], recordIdsToRemove: [] })
      .reply(200, { recordsIdsAdded: ['702', '701'], recordIdsRemoved: [], recordIdsMissing: [] });
    const session = open(token, configOf({ createContacts: true }));
    const outcomes = await session.apply(audience, {
      add: [{ ...member('Kim@Example.com', 1), firstName: 'Kim' }, member('kim@example.com', 2), member('ann@example.com', 3)],
      remove: [],
    });
    expect(outcomes).toEqual([
      { email: 'kim@example.com', kind: 'added' },
      { email: 'kim@example.com', kind: 'added' },
      { email: 'ann@example.com', kind: 'added' },
    ]);
  });

  it('resends a refused upsert batch one contact at a time so one bad email fails alone', async () => {
    const token = freshToken();
    const validation = { status: 'error', message: 'Property values were not valid', correlationId: 'c6', category: 'VALIDATION_ERROR' };
    const upsertOf = (email: string, trace: string) => ({ idProperty: 'email', id: email, properties: { email }, objectWriteTraceId: trace });
    api(token)
      .post('/crm/v3/objects/contacts/batch/read', readBody(['bad@@example.com', 'eve@example.com']))
      .query({ archived: 'false' })
      .reply(207, notFound207([], ['bad@@example.com', 'eve@example.com']))
      .post('/crm/v3/objects/contacts/batch/upsert', { inputs: [upsertOf('bad@@example.com', '0'), upsertOf('eve@example.com', '1')] })
      .reply(400, validation)
      .post('/crm/v3/objects/contacts/batch/upsert', { inputs: [upsertOf('bad@@example.com', '0')] })
      .reply(400, validation)
      .post('/crm/v3/objects/contacts/batch/upsert', { inputs: [upsertOf('eve@example.com', '0')] })
      .reply(200, { status: 'COMPLETE', results: [{ id: '801', new: true, properties: { email: 'eve@example.com' }, createdAt: STAMP, updatedAt: STAMP }], startedAt: STAMP, completedAt: STAMP })
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: ['801'], recordIdsToRemove: [] })
      .reply(200, { recordsIdsAdded: ['801'], recordIdsRemoved: [], recordIdsMissing: [] });
    const outcomes = await open(token, configOf({ createContacts: true })).apply(audience, {
      add: [member('bad@@example.com', 1), member('eve@example.com', 2)],
      remove: [],
    });
    expect(outcomes).toEqual([
      { email: 'bad@@example.com', kind: 'failed', retryable: false, code: 'VALIDATION_ERROR' },
      { email: 'eve@example.com', kind: 'added' },
    ]);
  });
});

describe('hubspot mirror', () => {
  it('reads the memberships page by page and removes only the stale contacts', async () => {
    const token = freshToken();
    const config = configOf({ mode: 'mirror' });
    api(token)
      .get(BY_NAME)
      .reply(200, listWire('42'))
      .get('/crm/v3/lists/42/memberships')
      .query({ limit: '250' })
      .reply(200, { results: [{ recordId: '11', membershipTimestamp: STAMP }, { recordId: '12', membershipTimestamp: STAMP }], paging: { next: { after: '12' } }, total: 3 })
      .post('/crm/v3/objects/contacts/batch/read', { inputs: [{ id: '11' }, { id: '12' }], properties: ['email'], propertiesWithHistory: [] })
      .query({ archived: 'false' })
      .reply(200, { status: 'COMPLETE', results: [contactWire('11', 'keep@example.com'), contactWire('12', 'Stale@Example.com')], startedAt: STAMP, completedAt: STAMP })
      .get('/crm/v3/lists/42/memberships')
      .query({ limit: '250', after: '12' })
      .reply(200, { results: [{ recordId: '13', membershipTimestamp: STAMP }], total: 3 })
      .post('/crm/v3/objects/contacts/batch/read', { inputs: [{ id: '13' }], properties: ['email'], propertiesWithHistory: [] })
      .query({ archived: 'false' })
      .reply(200, { status: 'COMPLETE', results: [contactWire('13', 'also-stale@example.com')], startedAt: STAMP, completedAt: STAMP })
      .post('/crm/v3/objects/contacts/batch/read', readBody(['new@example.com']))
      .query({ archived: 'false' })
      .reply(200, { status: 'COMPLETE', results: [contactWire('14', 'new@example.com')], startedAt: STAMP, completedAt: STAMP })
      // The engine sends adds and removals in separate chunks, removals sorted by email.
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: ['14'], recordIdsToRemove: [] })
      .reply(200, { recordsIdsAdded: ['14'], recordIdsRemoved: [], recordIdsMissing: [] })
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: [], recordIdsToRemove: ['13', '12'] })
      .reply(200, { recordsIdsAdded: [], recordIdsRemoved: ['13', '12'], recordIdsMissing: [] });

    const session = open(token, config);
    const report = await syncAudience({
      connector: hubspotConnector,
      config,
      session,
      spec,
      members: [member('keep@example.com', 1), member('new@example.com', 2)],
      dryRun: false,
    });
    expect(report.plan).toMatchObject({ add: 1, remove: 2, unchanged: 1 });
    // The engine counts the unchanged member as alreadyMember without asking HubSpot.
    expect(report.outcomes).toEqual({ added: 1, alreadyMember: 1, removed: 2, skipped: 0, failed: 0 });
  });

  it('never removes a contact the segment keeps under a secondary email', async () => {
    const token = freshToken();
    api(token)
      .post('/crm/v3/objects/contacts/batch/read', readBody(['alias@example.com', 'primary@example.com']))
      .query({ archived: 'false' })
      .reply(200, { status: 'COMPLETE', results: [contactWire('21', 'primary@example.com', 'alias@example.com')], startedAt: STAMP, completedAt: STAMP })
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: ['21'], recordIdsToRemove: [] })
      .reply(200, { recordsIdsAdded: [], recordIdsRemoved: [], recordIdsMissing: [] });
    const outcomes = await open(token).apply(audience, { add: [member('alias@example.com', 1)], remove: ['primary@example.com'] });
    expect(outcomes).toEqual([
      { email: 'alias@example.com', kind: 'alreadyMember' },
      { email: 'primary@example.com', kind: 'skipped', reason: HUBSPOT_SKIP_REASONS.stillInSegment },
    ]);
  });
});

describe('hubspot errors and rate limits', () => {
  const rateLimited = (policyName: string) => ({
    status: 'error',
    message: `You have reached your ${policyName.toLowerCase()} limit.`,
    errorType: 'RATE_LIMIT',
    correlationId: 'c7',
    policyName,
    groupName: 'api-limits',
  });

  it('turns a 429 TEN_SECONDLY_ROLLING into a wait of the window, then succeeds', async () => {
    const token = freshToken();
    const config = configOf();
    api(token)
      .get(BY_NAME)
      .reply(200, listWire('42'))
      .post('/crm/v3/objects/contacts/batch/read', readBody(['ann@example.com']))
      .query({ archived: 'false' })
      .reply(429, rateLimited('TEN_SECONDLY_ROLLING'), {
        'X-HubSpot-RateLimit-Max': '100',
        'X-HubSpot-RateLimit-Remaining': '0',
        // A short window keeps the test quick; HubSpot sends 10000.
        'X-HubSpot-RateLimit-Interval-Milliseconds': '30',
      })
      .post('/crm/v3/objects/contacts/batch/read', readBody(['ann@example.com']))
      .query({ archived: 'false' })
      .reply(200, { status: 'COMPLETE', results: [contactWire('31', 'ann@example.com')], startedAt: STAMP, completedAt: STAMP })
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: ['31'], recordIdsToRemove: [] })
      .reply(200, { recordsIdsAdded: ['31'], recordIdsRemoved: [], recordIdsMissing: [] });

    const session = open(token, config);
    const report = await syncAudience({ connector: hubspotConnector, config, session, spec, members: [member('ann@example.com', 1)], dryRun: false });
    expect(report.outcomes.added).toBe(1);
  });

  it('a 429 without headers waits the 10 s window', async () => {
    const token = freshToken();
    api(token).get(BY_NAME).reply(429, rateLimited('TEN_SECONDLY_ROLLING'));
    const error = await open(token).ensureAudience(spec, { dryRun: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(10_000);
  });

  it("the DAILY limit ends the sync at once with the reset time: midnight in the portal's time zone", async () => {
    const token = freshToken();
    const config = configOf();
    api(token)
      .get(BY_NAME)
      .reply(429, rateLimited('DAILY'), { 'X-HubSpot-RateLimit-Daily': '250000', 'X-HubSpot-RateLimit-Daily-Remaining': '0' })
      .get('/account-info/v3/details')
      .reply(200, { portalId: 62515, accountType: 'STANDARD', timeZone: 'US/Eastern', companyCurrency: 'USD', uiDomain: 'app.hubspot.com', dataHostingLocation: 'na1' });
    const before = new Date();
    const error = await syncAudience({ connector: hubspotConnector, config, session: open(token, config), spec, members: [member('ann@example.com', 1)], dryRun: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    const quota = error as QuotaExhaustedError;
    const midnight = DateTime.fromJSDate(before).setZone('America/New_York').plus({ days: 1 }).startOf('day').toJSDate();
    expect(quota.resetsAt).toEqual(midnight);
    expect(quota.resetBasis).toBe("midnight in the portal's time zone US/Eastern");
    expect(quota.message).toBe(`HubSpot daily API limit reached while finding the list by name (HTTP 429, correlationId c7); retry after ${midnight.toISOString()} (midnight in the portal's time zone US/Eastern)`);
  });

  it('the DAILY limit with the time zone unreadable: UTC midnight, and the message says so', async () => {
    const token = freshToken();
    api(token)
      .get(BY_NAME)
      .reply(429, rateLimited('DAILY'))
      .get('/account-info/v3/details')
      .reply(429, rateLimited('DAILY'));
    const before = new Date();
    const error = await open(token).ensureAudience(spec, { dryRun: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    const quota = error as QuotaExhaustedError;
    expect(quota.resetsAt).toEqual(new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth(), before.getUTCDate() + 1)));
    expect(quota.message).toMatch(/retry after \d{4}-\d\d-\d\dT00:00:00\.000Z \(UTC midnight: the portal's time zone could not be read, and HubSpot resets at the portal's midnight/);
  });

  it('names the missing scope of a 403 MISSING_SCOPES', async () => {
    const token = freshToken();
    api(token)
      .post('/crm/v3/objects/contacts/batch/read', readBody(['ann@example.com']))
      .query({ archived: 'false' })
      .reply(200, { status: 'COMPLETE', results: [contactWire('41', 'ann@example.com')], startedAt: STAMP, completedAt: STAMP })
      .put('/crm/v3/lists/42/memberships/add-and-remove', { recordIdsToAdd: ['41'], recordIdsToRemove: [] })
      .reply(403, {
        status: 'error',
        message: 'This app hasn\'t been granted all required scopes to make this call.',
        correlationId: 'c8',
        category: 'MISSING_SCOPES',
        errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.lists.write'] } }],
      });
    const applying = open(token).apply(audience, { add: [member('ann@example.com', 1)], remove: [] });
    await expect(applying).rejects.toThrow(AuthError);
    await expect(applying).rejects.toThrow(/HUBSPOT_ACCESS_TOKEN lacks the scope crm\.lists\.write/);
  });

  it('maps 401 to an AuthError naming the variable, 5xx and resets to TransientError', async () => {
    const token = freshToken();
    api(token)
      .get(BY_NAME)
      .reply(401, { status: 'error', message: 'Authentication credentials not found.', correlationId: 'c9', category: 'INVALID_AUTHENTICATION' })
      .get(BY_NAME)
      .reply(502, { status: 'error', message: 'Bad gateway', correlationId: 'c10', category: 'INTERNAL_ERROR' })
      .get(BY_NAME)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .get(BY_NAME)
      .reply(503, '<html>Service Unavailable</html>');
    const session = open(token);
    await expect(session.ensureAudience(spec, { dryRun: false })).rejects.toThrow(/HubSpot rejected the token in HUBSPOT_ACCESS_TOKEN/);
    await expect(session.ensureAudience(spec, { dryRun: false })).rejects.toThrow(TransientError);
    await expect(session.ensureAudience(spec, { dryRun: false })).rejects.toThrow('HubSpot, while finding the list by name: the connection to the HubSpot API was cut (ECONNRESET)');
    await expect(session.ensureAudience(spec, { dryRun: false })).rejects.toThrow('HubSpot sent an unreadable answer while finding the list by name');
  });

  it('keeps emails out of error messages', async () => {
    const token = freshToken();
    api(token)
      .post('/crm/v3/objects/contacts/batch/read', readBody(['secret.person@example.com']))
      .query({ archived: 'false' })
      .reply(400, { status: 'error', message: 'Invalid input: secret.person@example.com', correlationId: 'c11', category: 'VALIDATION_ERROR' });
    const error = await open(token).apply(audience, { add: [member('secret.person@example.com', 1)], remove: [] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe('HubSpot refused a request while reading contacts by email (HTTP 400 VALIDATION_ERROR, correlationId c11)');
    expect((error as Error).cause).toBeUndefined();
  });
});

describe('hubspot testConnection', () => {
  const readsOk = (token: string) =>
    api(token)
      .post('/crm/v3/lists/search', { query: '', count: 1, offset: 0, processingTypes: ['MANUAL'] })
      .reply(200, { lists: [], total: 0, offset: 0, hasMore: false })
      .get('/crm/v3/objects/contacts')
      .query({ limit: '1', properties: 'hs_object_id' })
      .reply(200, { results: [] });

  it('checks reads, then the scopes of the private app token', async () => {
    const token = freshToken();
    readsOk(token)
      .post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: token })
      .reply(200, { userId: 1, hubId: 2, appId: 3, scopes: ['crm.lists.read', 'crm.lists.write', 'crm.objects.contacts.read'] });
    await expect(open(token).testConnection()).resolves.toBe(
      'HubSpot token OK: scopes crm.lists.read, crm.lists.write, crm.objects.contacts.read granted',
    );
  });

  it('names the write scope createContacts needs when the token lacks it', async () => {
    const token = freshToken();
    readsOk(token)
      .post('/oauth/v2/private-apps/get/access-token-info', { tokenKey: token })
      .reply(200, { userId: 1, hubId: 2, appId: 3, scopes: ['crm.lists.read', 'crm.lists.write', 'crm.objects.contacts.read'] });
    await expect(open(token, configOf({ createContacts: true })).testConnection()).rejects.toThrow(
      'the HubSpot token in HUBSPOT_ACCESS_TOKEN lacks the scope crm.objects.contacts.write: add it to the private app and use its token',
    );
  });

  it('names the read scope a 403 reports', async () => {
    const token = freshToken();
    api(token)
      .post('/crm/v3/lists/search', { query: '', count: 1, offset: 0, processingTypes: ['MANUAL'] })
      .reply(403, {
        status: 'error',
        message: 'missing scopes',
        correlationId: 'c12',
        category: 'MISSING_SCOPES',
        errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.lists.read'] } }],
      });
    await expect(open(token).testConnection()).rejects.toThrow(/lacks the scope crm\.lists\.read .* while reading lists/);
  });
});
