/**
 * Incremental syncs against the Mailchimp stand-in (real HTTP, the Marketing API's wire format),
 * with the audience snapshot in a real state store (SQLite and PostgreSQL): repeat runs write only
 * the change, a full resync re-sends everything, a crash leaves only unconfirmed chunks to check.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import type { AudienceMember } from '../src/identity/identity-resolver.js';
import { openAudienceLedger } from '../src/state/audience-ledger.js';
import { emailHash } from '../src/state/email-hash.js';
import type { StateStore } from '../src/state/state-store.js';
import type { AudienceSpec, ConnectorSession } from '../src/sync/destination-connector.js';
import { syncAudience, type AudienceSyncReport } from '../src/sync/sync-audience.js';
import { FakeMailchimp, serveFakeMailchimp, type FakeMailchimpServer } from '../connectors/mailchimp/fake-mailchimp.js';
import { mailchimpConfigSchema, type MailchimpConfig } from '../connectors/mailchimp/mailchimp-config.js';
import { createMailchimpConnector } from '../connectors/mailchimp/mailchimp-connector.js';
import { createTestStateStore, stateStoreKinds } from './helpers/state-stores.js';

const connector = createMailchimpConnector({ rateLimitWaitMs: 5 });
const context = { env: { MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us21' }, logger: silentLogger, baseDir: process.cwd() };
const spec: AudienceSpec = { name: 'affinity boots', campaign: 'boots', query: 'ITEM_ID = "B07"', runId: 'run-1' };
const people = (from: number, to: number): AudienceMember[] =>
  Array.from({ length: to - from }, (_, index) => ({ email: `p${String(from + index).padStart(5, '0')}@example.com`, userIds: [String(from + index)], rank: index + 1 }));

describe.each(stateStoreKinds)('incremental sync on %s', (kind) => {
  let store: StateStore;
  let dispose: () => Promise<void>;
  let fake: FakeMailchimp;
  let server: FakeMailchimpServer;

  beforeEach(async () => {
    ({ store, dispose } = await createTestStateStore(kind));
    fake = new FakeMailchimp();
    for (const person of people(0, 1_400)) fake.members.set(person.email, 'subscribed');
    server = await serveFakeMailchimp(fake);
  });
  afterEach(async () => {
    await server.close();
    await dispose();
  });

  const config = (overrides: Partial<MailchimpConfig> = {}): MailchimpConfig =>
    mailchimpConfigSchema.parse({ connector: 'mailchimp', audienceId: fake.listId, tag: 'affinity {{campaign}}', baseUrl: server.baseUrl, ...overrides });

  async function run(members: AudienceMember[], options: { runId: string; overrides?: Partial<MailchimpConfig>; fullResync?: boolean; session?: ConnectorSession; now?: Date }): Promise<AudienceSyncReport> {
    const destination = config(options.overrides);
    return syncAudience({
      connector,
      config: destination,
      session: options.session ?? connector.open(destination, context),
      spec: { ...spec, runId: options.runId },
      members,
      dryRun: false,
      retry: { minDelayMs: 1, maxDelayMs: 2 },
      openLedger: (audience) =>
        openAudienceLedger({
          store,
          key: { campaign: 'boots', destinationKey: '0:mailchimp', name: spec.name },
          connector: 'mailchimp',
          audience,
          runId: options.runId,
          dryRun: false,
          fullResync: options.fullResync ?? false,
          fullResyncEveryMs: 7 * 86_400_000,
          now: options.now,
        }),
    });
  }
  const segmentWrites = (): string[] => fake.requests.filter((request) => request.startsWith('POST /lists/a1b2c3d4e5/segments/'));

  it('a repeat additive run writes nothing; a changed segment writes only the new members', async () => {
    const first = await run(people(0, 1_283), { runId: 'r1' });
    expect(first.outcomes).toMatchObject({ added: 1_283, alreadyMember: 0, failed: 0 });
    expect(first.plan).toEqual({ add: 1_283, remove: 0, unchanged: 0, chunks: 3 });
    expect(segmentWrites()).toHaveLength(3);

    fake.requests.length = 0;
    const repeat = await run(people(0, 1_283), { runId: 'r2' });
    expect(repeat.plan).toEqual({ add: 0, remove: 0, unchanged: 1_283, chunks: 0 });
    expect(repeat.outcomes).toMatchObject({ added: 0, alreadyMember: 1_283, removed: 0, skipped: 0, failed: 0 });
    expect(fake.writes()).toBe(0);

    fake.requests.length = 0;
    const changed = await run(people(13, 1_296), { runId: 'r3' });
    expect(changed.plan).toEqual({ add: 13, remove: 0, unchanged: 1_270, chunks: 1 });
    expect(changed.outcomes).toMatchObject({ added: 13, alreadyMember: 1_270 });
    expect(segmentWrites()).toHaveLength(1);
    expect(fake.segmentEmails(first.audience.id).sort()).toEqual(people(0, 1_296).map((person) => person.email));

    const audience = await store.getAudience({ campaign: 'boots', destinationKey: '0:mailchimp', name: spec.name });
    expect(audience).toMatchObject({ externalId: first.audience.id, connector: 'mailchimp', lastRunId: 'r3', status: 'active' });
    const snapshot = await store.loadSnapshot(audience!.audienceId);
    expect(snapshot.size).toBe(1_296);
    expect(snapshot.get(emailHash('p01295@example.com'))).toEqual({ emailHash: emailHash('p01295@example.com'), userIds: ['1295'], rank: 1_283, runId: 'r3' });
  });

  it('mirror mode reads the destination, re-adds what was removed by hand and removes only what left the segment', async () => {
    const first = await run(people(0, 600), { runId: 'r1', overrides: { mode: 'mirror' } });
    expect(first.outcomes.added).toBe(600);
    // Someone untags two members in Mailchimp.
    const segment = fake.segments.find((candidate) => String(candidate.id) === first.audience.id)!;
    segment.members.delete('p00005@example.com');
    segment.members.delete('p00006@example.com');
    fake.requests.length = 0;
    const second = await run(people(10, 600), { runId: 'r2', overrides: { mode: 'mirror' } });
    expect(second.plan).toEqual({ add: 0, remove: 8, unchanged: 590, chunks: 1 });
    expect(second.outcomes).toMatchObject({ added: 0, removed: 8, alreadyMember: 590 });
    const third = await run(people(0, 600), { runId: 'r3', overrides: { mode: 'mirror' } });
    expect(third.plan).toEqual({ add: 10, remove: 0, unchanged: 590, chunks: 1 });
    expect(fake.segmentEmails(first.audience.id).sort()).toEqual(people(0, 600).map((person) => person.email));
  });

  it('--full-resync and fullResyncEvery re-send every member, then runs are incremental again', async () => {
    await run(people(0, 700), { runId: 'r1' });
    fake.requests.length = 0;
    const full = await run(people(0, 700), { runId: 'r2', fullResync: true });
    expect(full.fullResync).toBe(true);
    expect(full.plan).toEqual({ add: 700, remove: 0, unchanged: 0, chunks: 2 });
    expect(full.outcomes).toMatchObject({ added: 0, alreadyMember: 700 });
    expect(segmentWrites()).toHaveLength(2);

    fake.requests.length = 0;
    const sixDaysOn = await run(people(0, 700), { runId: 'r3', now: new Date(Date.now() + 6 * 86_400_000) });
    expect(sixDaysOn).toMatchObject({ fullResync: false, plan: { add: 0, unchanged: 700 } });
    const eightDaysOn = await run(people(0, 700), { runId: 'r4', now: new Date(Date.now() + 8 * 86_400_000) });
    expect(eightDaysOn).toMatchObject({ fullResync: true, plan: { add: 700, unchanged: 0 } });
    expect(segmentWrites()).toHaveLength(2);
  });

  it('a crash with several chunks in flight: the resumed sync checks them against the destination and re-sends none that landed', async () => {
    const members = people(0, 1_400);
    // Attempt 1: the connector applies chunks, but the process "dies" before confirming any chunk after the second.
    const real = connector.open(config(), context);
    let applied = 0;
    const dying: ConnectorSession = {
      ...real,
      ensureAudience: real.ensureAudience.bind(real),
      listMembers: real.listMembers?.bind(real),
      apply: async (audience, batch) => {
        const outcomes = await real.apply(audience, batch);
        applied += 1;
        if (applied > 1) await new Promise(() => undefined); // never confirmed
        return outcomes;
      },
    };
    const crashed = run(members, { runId: 'r1', session: dying });
    await expect.poll(() => applied, { timeout: 10_000 }).toBe(3);
    void crashed.catch(() => undefined);
    const tagId = String(fake.segments[0]?.id);
    expect(fake.segmentEmails(tagId)).toHaveLength(1_400);

    fake.requests.length = 0;
    const resumed = await run(members, { runId: 'r1' });
    expect(resumed.recovered).toBe(900);
    expect(resumed.plan).toEqual({ add: 0, remove: 0, unchanged: 1_400, chunks: 0 });
    expect(fake.writes()).toBe(0);
    const audience = await store.getAudience({ campaign: 'boots', destinationKey: '0:mailchimp', name: spec.name });
    expect((await store.loadSnapshot(audience!.audienceId)).size).toBe(1_400);
    expect(await store.chunksInFlight(audience!.audienceId)).toEqual(new Set());
  });
});
