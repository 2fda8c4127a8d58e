/**
 * Mailchimp allows 10 simultaneous connections per account; the connector uses at most 9. Three
 * workers syncing three tags of one account at once: each has its own API client and connection
 * limit (as separate processes would), and with their budgets in the real Redis they keep to 9
 * requests in flight together. Without the shared budget the same three reach more than 9 (the
 * account's 10 would answer 429). Against the Mailchimp stand-in over real HTTP, 40 ms per answer.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeMailchimp, serveFakeMailchimp, type FakeMailchimpServer } from '../connectors/mailchimp/fake-mailchimp.js';
import { mailchimpConfigSchema } from '../connectors/mailchimp/mailchimp-config.js';
import { createMailchimpConnector } from '../connectors/mailchimp/mailchimp-connector.js';
import { silentLogger } from '../src/core/logger.js';
import type { AudienceMember } from '../src/identity/identity-resolver.js';
import type { RateBudgets } from '../src/rate-budget/rate-budgets.js';
import { createRedisRateBudgets } from '../src/rate-budget/redis-rate-budgets.js';
import { syncAudience, type AudienceSyncReport } from '../src/sync/sync-audience.js';
import { deletePrefix, testRedisUrl } from './helpers/queue-redis.js';

const KEY = `${randomBytes(16).toString('hex')}-us21`;
/** 9 chunks of 500 per tag: each worker alone fills its 9 connections. */
const MEMBERS_PER_TAG = 4_500;
const WORKERS = 3;

const membersOf = (worker: number): AudienceMember[] =>
  Array.from({ length: MEMBERS_PER_TAG }, (_, index) => ({ email: `w${worker}-${index}@example.com`, userIds: [`${worker}-${index}`], rank: index + 1 }));

describe('three workers, one Mailchimp account', () => {
  let fake: FakeMailchimp;
  let server: FakeMailchimpServer;
  let prefix: string;
  const connections: Redis[] = [];

  beforeEach(async () => {
    fake = new FakeMailchimp();
    for (let worker = 0; worker < WORKERS; worker += 1) for (const member of membersOf(worker)) fake.members.set(member.email, 'subscribed');
    server = await serveFakeMailchimp(fake, { latencyMs: 40 });
    prefix = `affinity-sync-test-${randomBytes(6).toString('hex')}`;
  });
  afterEach(async () => {
    await server.close();
    await Promise.all(connections.splice(0).map((redis) => redis.quit()));
    await deletePrefix(prefix);
  });

  /** Each worker: its own connector (so its own API client and 9-connection limit, as in its own process). */
  async function syncAll(budgetsOf: (worker: number) => RateBudgets | undefined): Promise<AudienceSyncReport[]> {
    return Promise.all(
      Array.from({ length: WORKERS }, (_, worker) => {
        const connector = createMailchimpConnector({ timeoutMs: 60_000 + worker, rateLimitWaitMs: 5 });
        const config = mailchimpConfigSchema.parse({ connector: 'mailchimp', audienceId: fake.listId, baseUrl: server.baseUrl, tag: `aff {{campaign}}` });
        const budgets = budgetsOf(worker);
        const session = connector.open(config, { env: { MAILCHIMP_API_KEY: KEY }, logger: silentLogger, baseDir: process.cwd(), ...(budgets ? { rateBudgets: budgets } : {}) });
        return syncAudience({ connector, config, session, spec: { name: `aff w${worker}`, campaign: `w${worker}`, query: 'all', runId: 'r1' }, members: membersOf(worker), dryRun: false });
      }),
    );
  }

  it('with the budget in Redis, at most 9 requests are in flight for the account; every tag is complete', async () => {
    const budgets = Array.from({ length: WORKERS }, () => {
      const redis = new Redis(testRedisUrl);
      connections.push(redis);
      return createRedisRateBudgets({ redis, prefix });
    });
    const reports = await syncAll((worker) => budgets[worker]);
    expect(fake.maxInFlight).toBeLessThanOrEqual(9);
    expect(fake.maxInFlight).toBeGreaterThan(1);
    for (const report of reports) {
      expect(report.outcomes).toMatchObject({ added: MEMBERS_PER_TAG, failed: 0 });
      expect(fake.segmentEmails(report.audience.id)).toHaveLength(MEMBERS_PER_TAG);
    }
    expect(await connections[0]!.keys(`${prefix}:rate-budget:mailchimp-connections:*`)).toHaveLength(1);
  });

  it('without it (one limit per worker process), the same three go past 9', async () => {
    await syncAll(() => undefined);
    expect(fake.maxInFlight).toBeGreaterThan(9);
  });
});
