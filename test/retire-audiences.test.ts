/**
 * Audience lifecycle: the retire policy's defaults, the mass-removal guard, and "empty" removing
 * only the members this campaign put there (Mailchimp stand-in over HTTP).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeMailchimp, serveFakeMailchimp, type FakeMailchimpServer } from '../connectors/mailchimp/fake-mailchimp.js';
import { mailchimpConfigSchema } from '../connectors/mailchimp/mailchimp-config.js';
import { createMailchimpConnector } from '../connectors/mailchimp/mailchimp-connector.js';
import { silentLogger } from '../src/core/logger.js';
import { retireAudiences, type RetireCandidate } from '../src/lifecycle/retire-audiences.js';
import { effectiveRetirePolicy } from '../src/lifecycle/retire-policy.js';

const connector = createMailchimpConnector({ rateLimitWaitMs: 5 });
const context = { env: { MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us21' }, logger: silentLogger, baseDir: process.cwd() };
const TAG = 'affinity shop jewelry';
const candidate: RetireCandidate = { name: TAG, query: 'ITEMS.CATEGORY_L1 = "jewelry"' };

describe('retire policy defaults', () => {
  it('empty for mirror, keep for additive and for dated audiences; the destination\'s choice wins', () => {
    expect(effectiveRetirePolicy(undefined, 'mirror', 'affinity {{campaign}} {{label}}')).toBe('empty');
    expect(effectiveRetirePolicy(undefined, 'additive', 'affinity {{campaign}} {{label}}')).toBe('keep');
    expect(effectiveRetirePolicy(undefined, 'mirror', '{{campaign}}-{{label}}-{{ date }}')).toBe('keep');
    expect(effectiveRetirePolicy('delete', 'additive', 'x')).toBe('delete');
  });
});

describe('retireAudiences on the Mailchimp stand-in', () => {
  let server: FakeMailchimpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function tagged(members: number) {
    const fake = new FakeMailchimp();
    const emails = Array.from({ length: members }, (_, index) => `m${index}@example.com`);
    for (const email of [...emails, 'by-hand@example.com']) fake.members.set(email, 'subscribed');
    fake.segments.push({ id: 2001, name: TAG, members: new Set([...emails, 'by-hand@example.com']) });
    server = await serveFakeMailchimp(fake);
    return { fake, emails, baseUrl: server.baseUrl };
  }

  const retire = (config: Record<string, unknown>, overrides: Partial<Parameters<typeof retireAudiences>[0]> = {}) => {
    const parsed = mailchimpConfigSchema.parse({ connector: 'mailchimp', audienceId: 'a1b2c3d4e5', tag: 'affinity {{campaign}} {{label}}', ...config });
    return retireAudiences({
      connector,
      config: parsed,
      destinationIndex: 0,
      session: connector.open(parsed, context),
      campaign: 'shop',
      runId: 'shop-2',
      candidates: [candidate],
      activeMembers: 500,
      activeAudiences: 1,
      dryRun: false,
      retry: { minDelayMs: 1 },
      ...overrides,
    });
  };

  it('mirror (default empty) untags only the members this campaign tagged', async () => {
    const { fake, emails, baseUrl } = await tagged(166);
    const owned = new Set(emails);
    const reports = await retire({ mode: 'mirror', baseUrl }, { candidates: [{ ...candidate, isOwned: (email) => owned.has(email) }] });
    expect(reports).toEqual([
      {
        destinationIndex: 0,
        connector: 'mailchimp',
        audience: TAG,
        query: candidate.query,
        location: `Mailchimp audience a1b2c3d4e5, tag "${TAG}"`,
        policy: 'empty',
        outcome: 'emptied',
        removed: 166,
        dryRun: false,
      },
    ]);
    expect(fake.segmentEmails('2001')).toEqual(['by-hand@example.com']);
    expect(fake.members.size).toBe(167);
  });

  it('additive (default keep) leaves the tag alone and writes nothing', async () => {
    const { fake, baseUrl } = await tagged(10);
    const reports = await retire({ mode: 'additive', baseUrl });
    expect(reports).toMatchObject([{ policy: 'keep', outcome: 'kept', removed: 0 }]);
    expect(fake.writes()).toBe(0);
    expect(fake.segmentEmails('2001')).toHaveLength(11);
  });

  it('the mass-removal guard refuses to retire more than maxRemovalShare of the campaign\'s members, and says how to proceed', async () => {
    const { fake, baseUrl } = await tagged(599);
    const refused = await retire({ mode: 'mirror', baseUrl });
    expect(refused).toMatchObject([
      {
        outcome: 'refused',
        removed: 0,
        message:
          "retiring would remove 600 of the campaign's 1100 members in this destination (54.5%), more than maxRemovalShare (50%) and more than 100 members — raise maxRemovalShare (0–1), or set retire: keep",
      },
    ]);
    expect(fake.writes()).toBe(0);
    const allowed = await retire({ mode: 'mirror', baseUrl, maxRemovalShare: 0.8 });
    expect(allowed).toMatchObject([{ outcome: 'emptied', removed: 600 }]);
  });

  it('never retires the last audiences of a run that produced none', async () => {
    const { fake, baseUrl } = await tagged(20);
    const reports = await retire({ mode: 'mirror', baseUrl }, { activeMembers: 0, activeAudiences: 0 });
    expect(reports).toMatchObject([
      { outcome: 'refused', message: "this run produced no audience in this destination; refusing to retire its last audience (21 members) — check the campaign's queries and data" },
    ]);
    expect(fake.writes()).toBe(0);
  });

  it('delete deletes the tag; a tag already gone is reported as gone', async () => {
    const { fake, baseUrl } = await tagged(3);
    expect(await retire({ mode: 'mirror', retire: 'delete', baseUrl })).toMatchObject([{ policy: 'delete', outcome: 'deleted', removed: 4 }]);
    expect(fake.segments).toEqual([]);
    expect(fake.members.size).toBe(4);
    expect(await retire({ mode: 'mirror', retire: 'delete', baseUrl })).toMatchObject([{ outcome: 'gone', removed: 0 }]);
  });
});
