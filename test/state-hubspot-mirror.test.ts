/**
 * HubSpot mirror mode never flaps a contact whose segment email is a secondary email of the
 * contact: removals start only after every add resolved its contact ids. Against the HubSpot
 * stand-in (real HTTP, HubSpot's wire format), with the snapshot in a real state store.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import type { AudienceMember } from '../src/identity/identity-resolver.js';
import { openAudienceLedger } from '../src/state/audience-ledger.js';
import type { StateStore } from '../src/state/state-store.js';
import { syncAudience, type AudienceSyncReport } from '../src/sync/sync-audience.js';
import { hubspotConnector, hubSpotConfigSchema, HUBSPOT_SKIP_REASONS } from '../connectors/hubspot/index.js';
import { startFakeHubSpot, type FakeHubSpot } from '../connectors/hubspot/testing/fake-hubspot-server.js';
import { createTestStateStore, stateStoreKinds } from './helpers/state-stores.js';

const people = (count: number): AudienceMember[] =>
  Array.from({ length: count }, (_, index) => ({ email: `c${String(index).padStart(4, '0')}@example.com`, userIds: [String(index)], rank: index + 1 }));

describe.each(stateStoreKinds)('HubSpot mirror with a secondary-email contact, state on %s', (kind) => {
  let store: StateStore;
  let dispose: () => Promise<void>;
  let fake: FakeHubSpot;
  const accessToken = `pat-na1-${randomBytes(8).toString('hex')}`;

  beforeEach(async () => {
    ({ store, dispose } = await createTestStateStore(kind));
    fake = await startFakeHubSpot({ accessToken, requestsPerWindow: 10_000 });
    fake.addContacts([...people(1_500).map((person) => ({ email: person.email })), { email: 'primary@example.com', additionalEmails: ['alias@example.com'] }]);
  });
  afterEach(async () => {
    await fake.close();
    await dispose();
  });

  async function mirrorRun(members: AudienceMember[], runId: string): Promise<AudienceSyncReport> {
    const config = hubSpotConfigSchema.parse({ connector: 'hubspot', list: 'affinity {{campaign}}', mode: 'mirror', basePath: fake.basePath });
    const session = hubspotConnector.open(config, { env: { HUBSPOT_ACCESS_TOKEN: accessToken }, logger: silentLogger, baseDir: process.cwd() });
    try {
      return await syncAudience({
        connector: hubspotConnector,
        config,
        session,
        spec: { name: 'affinity shoes', campaign: 'shoes', query: 'q', runId },
        members,
        dryRun: false,
        openLedger: (audience) =>
          openAudienceLedger({ store, key: { campaign: 'shoes', destinationKey: '0:hubspot', name: 'affinity shoes' }, connector: 'hubspot', audience, runId, dryRun: false, fullResync: false }),
      });
    } finally {
      await session.close?.();
    }
  }

  it('three mirror runs: the contact is added once, then never removed or re-added', async () => {
    // The contact is in the segment under its secondary email, ranked last: its add is in the last add chunk.
    const segment = [...people(1_500), { email: 'alias@example.com', userIds: ['alias'], rank: 1_501 }];
    const first = await mirrorRun(segment, 'r1');
    expect(first.outcomes).toMatchObject({ added: 1_501, removed: 0, failed: 0 });
    const listId = first.audience.id;
    expect(fake.listMemberEmails(listId)).toContain('primary@example.com');

    for (const runId of ['r2', 'r3']) {
      const again = await mirrorRun(segment, runId);
      // HubSpot lists the contact under its primary email: the engine plans its removal and an add of
      // the alias; the add resolves the contact first, so the removal is skipped. No membership changes.
      expect(again.plan).toMatchObject({ add: 1, remove: 1 });
      expect(again.outcomes).toEqual({ added: 0, alreadyMember: 1_501, removed: 0, skipped: 1, failed: 0 });
      expect(again.skipReasons).toEqual({ [HUBSPOT_SKIP_REASONS.stillInSegment]: 1 });
      expect(fake.listMemberEmails(listId)).toHaveLength(1_501);
      expect(fake.listMemberEmails(listId)).toContain('primary@example.com');
    }
  });
});
