/**
 * The conformance suite every destination connector passes. A connector's test calls
 * `runConnectorConformance('mailchimp', makeHarness)` with its own fake (nock, temp dir…).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AudienceMember } from '../../src/identity/identity-resolver.js';
import type {
  AudienceRef,
  AudienceSpec,
  ConnectorContext,
  DestinationConnector,
} from '../../src/sync/destination-connector.js';
import { retireAudiences } from '../../src/lifecycle/retire-audiences.js';
import type { RetirePolicy } from '../../src/lifecycle/retire-policy.js';
import { syncAudience } from '../../src/sync/sync-audience.js';

/** What a connector's test provides to the suite; `makeHarness` is called once per test. */
export interface ConformanceHarness<Config extends { connector: string }> {
  connector: DestinationConnector<Config>;
  /** A destination entry in mirror mode. */
  config: Config;
  context: ConnectorContext;
  /** At least 7 members the destination accepts (e.g. already in the Mailchimp audience), by rank. */
  members: AudienceMember[];
  /** Emails the audience holds now, read from the fake behind the connector's back. */
  audienceEmails(audience: AudienceRef): Promise<string[]>;
  /** Write operations the destination has received so far (requests other than reads, files written). */
  writes(): number;
  /** Releases the fake (nock scopes, temp dirs). */
  cleanup(): Promise<void>;
}

let specCounter = 0;
function specFor(campaign: string): AudienceSpec {
  specCounter += 1;
  return { name: `conformance ${campaign} ${specCounter}`, campaign, query: `ITEM_ID = "item-${specCounter}"`, runId: `run-${specCounter}` };
}

const sorted = (emails: Iterable<string>): string[] => [...emails].sort();

/** Registers the shared connector conformance tests under `describe(name)`. */
export function runConnectorConformance<Config extends { connector: string }>(
  name: string,
  makeHarness: () => Promise<ConformanceHarness<Config>>,
): void {
  describe(`${name} connector conformance`, () => {
    let harness: ConformanceHarness<Config> | undefined;
    const setUp = async (): Promise<ConformanceHarness<Config>> => {
      harness = await makeHarness();
      expect(harness.members.length).toBeGreaterThanOrEqual(7);
      return harness;
    };
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });

    it('supports mirror mode and validates its own config', async () => {
      const { connector, config } = await setUp();
      expect(connector.capabilities.modes).toContain('mirror');
      expect(connector.modeOf(config)).toBe('mirror');
      expect(connector.configSchema.parse(config)).toEqual(config);
      expect(connector.configSchema.safeParse({ ...config, unexpectedKey: 1 }).success).toBe(false);
    });

    it('ensureAudience creates the audience once and finds it the second time', async () => {
      const h = await setUp();
      const spec = specFor('ensure');
      const first = h.connector.open(h.config, h.context);
      const created = await first.ensureAudience(spec, { dryRun: false });
      expect(created.created).toBe(true);
      expect(created.id).not.toBe('');
      await first.apply(created, { add: h.members.slice(0, 1), remove: [] });
      await first.commit?.(created, { spec, members: 1, outcomes: { added: 1, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 } });
      await first.close?.();

      const second = h.connector.open(h.config, h.context);
      const found = await second.ensureAudience(spec, { dryRun: false });
      expect(found).toEqual({ ...created, created: false });
      await second.close?.();
    });

    it('apply returns one outcome per record, and applying again converges without duplicates', async () => {
      const h = await setUp();
      const spec = specFor('apply');
      const batch = { add: h.members.slice(0, 3), remove: [] };
      const session = h.connector.open(h.config, h.context);
      const audience = await session.ensureAudience(spec, { dryRun: false });

      const first = await session.apply(audience, batch);
      expect(first.map((outcome) => [outcome.email, outcome.kind]).sort()).toEqual(sorted(batch.add.map((m) => m.email)).map((email) => [email, 'added']));
      const again = await session.apply(audience, batch);
      expect(again.map((outcome) => [outcome.email, outcome.kind]).sort()).toEqual(sorted(batch.add.map((m) => m.email)).map((email) => [email, 'alreadyMember']));

      await session.commit?.(audience, { spec, members: 3, outcomes: { added: 3, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 } });
      await session.close?.();
      const stored = await h.audienceEmails(audience);
      expect(stored.length).toBe(3);
      expect(sorted(stored)).toEqual(sorted(batch.add.map((m) => m.email)));
    });

    it('mirror mode removes only the members that left the segment', async () => {
      const h = await setUp();
      const spec = specFor('mirror');
      const before = h.members.slice(0, 5);
      const after = h.members.slice(2, 7);

      const first = h.connector.open(h.config, h.context);
      const firstReport = await syncAudience({ connector: h.connector, config: h.config, session: first, spec, members: before, dryRun: false, retry: { minDelayMs: 1 } });
      await first.close?.();
      expect(firstReport.outcomes.added).toBe(5);
      expect(sorted(await h.audienceEmails(firstReport.audience))).toEqual(sorted(before.map((m) => m.email)));

      const second = h.connector.open(h.config, h.context);
      const secondReport = await syncAudience({ connector: h.connector, config: h.config, session: second, spec, members: after, dryRun: false, retry: { minDelayMs: 1 } });
      await second.close?.();
      expect(secondReport.audience.id).toBe(firstReport.audience.id);
      expect(secondReport.outcomes.failed).toBe(0);
      expect(sorted(await h.audienceEmails(secondReport.audience))).toEqual(sorted(after.map((m) => m.email)));
    });

    const retire = async (h: ConformanceHarness<Config>, policy: RetirePolicy, dryRun = false) => {
      const spec = specFor(`retire-${policy}`);
      const config = { ...h.config, retire: policy } as Config;
      const first = h.connector.open(config, h.context);
      const synced = await syncAudience({ connector: h.connector, config, session: first, spec, members: h.members.slice(0, 5), dryRun: false, retry: { minDelayMs: 1 } });
      await first.close?.();
      const writesBefore = h.writes();
      const session = h.connector.open(config, h.context);
      const retired = await retireAudiences({
        connector: h.connector,
        config,
        destinationIndex: 0,
        session,
        campaign: spec.campaign,
        runId: 'run-retire',
        candidates: [{ name: spec.name, query: spec.query, lastKnownMembers: 5 }],
        activeMembers: 100,
        activeAudiences: 1,
        dryRun,
        retry: { minDelayMs: 1 },
      });
      await session.close?.();
      return { spec, config, synced, retired, writes: h.writes() - writesBefore };
    };

    it('retire: empty removes the campaign\'s members and keeps the audience', async () => {
      const h = await setUp();
      const { synced, retired } = await retire(h, 'empty');
      expect(retired).toMatchObject([{ outcome: 'emptied', removed: 5, policy: 'empty', dryRun: false }]);
      expect(await h.audienceEmails(synced.audience)).toEqual([]);
    });

    it('retire: delete deletes the audience (an audience already gone is fine)', async () => {
      const h = await setUp();
      const { spec, config, retired } = await retire(h, 'delete');
      expect(retired).toMatchObject([{ outcome: 'deleted', removed: 5, policy: 'delete' }]);
      const session = h.connector.open(config, h.context);
      const found = await session.ensureAudience(spec, { dryRun: true });
      expect(found.id === '' || found.created).toBe(true);
      await session.close?.();
    });

    it('a dry run of a retire reads only and says what it would do', async () => {
      const h = await setUp();
      const { synced, retired, writes } = await retire(h, 'delete', true);
      expect(writes).toBe(0);
      expect(retired).toMatchObject([{ outcome: 'deleted', removed: 5, dryRun: true }]);
      expect((await h.audienceEmails(synced.audience)).length).toBe(5);
    });

    it('a dry run reads only and plans every member as an add for a new audience', async () => {
      const h = await setUp();
      const spec = specFor('dry-run');
      const writesBefore = h.writes();
      const session = h.connector.open(h.config, h.context);
      const report = await syncAudience({ connector: h.connector, config: h.config, session, spec, members: h.members, dryRun: true });
      await session.close?.();
      expect(h.writes()).toBe(writesBefore);
      expect(report.dryRun).toBe(true);
      expect(report.plan).toMatchObject({ add: h.members.length, remove: 0 });
      expect(report.outcomes).toEqual({ added: 0, alreadyMember: 0, removed: 0, skipped: 0, failed: 0 });
    });
  });
}
