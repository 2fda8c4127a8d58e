/**
 * HubSpot connector throughput: N members synced through the sync engine into a local fake HubSpot
 * that enforces 100 requests per rolling 10 s (429 `TEN_SECONDLY_ROLLING` beyond). Measures the share
 * of that ceiling reached (the fastest possible time for the requests made over ours), the members per
 * second, 429s received and records lost (members missing from the list at the end).
 *
 * `npm run bench` runs tiers S (2,000), M (20,000), L (100,000 members, ~2 minutes by nature);
 * `npx tsx bench/hubspot.ts --members 100000` runs one size and prints the row.
 */
import { silentLogger } from '../src/core/logger.js';
import type { AudienceMember } from '../src/identity/identity-resolver.js';
import { syncAudience } from '../src/sync/sync-audience.js';
import { hubSpotConfigSchema } from '../connectors/hubspot/hubspot-config.js';
import { hubspotConnector } from '../connectors/hubspot/index.js';
import { startFakeHubSpot } from '../connectors/hubspot/testing/fake-hubspot-server.js';
import type { BenchModule, BenchRow } from './run.js';

const CEILING_PER_WINDOW = 100;
const WINDOW_MS = 10_000;
const tierMembers: Record<string, number> = { S: 2_000, M: 20_000, L: 100_000 };

/** Syncs `memberCount` members (all existing contacts) into a new list; returns one row. */
export async function benchHubSpot(memberCount: number): Promise<BenchRow> {
  const accessToken = `pat-bench-${memberCount}-${Date.now()}`;
  const fake = await startFakeHubSpot({ accessToken, requestsPerWindow: CEILING_PER_WINDOW, windowMs: WINDOW_MS });
  try {
    const members: AudienceMember[] = Array.from({ length: memberCount }, (_unused, index) => ({
      email: `member${index}@bench.example`,
      userIds: [String(index)],
      rank: index + 1,
    }));
    fake.addContacts(members.map((member) => ({ email: member.email })));
    const config = hubSpotConfigSchema.parse({ connector: 'hubspot', list: 'bench {{campaign}}', mode: 'mirror', basePath: fake.basePath });
    const session = hubspotConnector.open(config, { env: { HUBSPOT_ACCESS_TOKEN: accessToken }, logger: silentLogger, baseDir: '.' });
    const spec = { name: `bench ${memberCount}`, campaign: 'bench', query: 'all', runId: 'bench' };

    const started = Date.now();
    const report = await syncAudience({ connector: hubspotConnector, config, session, spec, members, dryRun: false });
    const elapsedMs = Date.now() - started;

    const times = fake.acceptedRequestTimes();
    const spanMs = (times.at(-1) ?? 0) - (times[0] ?? 0);
    // The fastest any client can make R requests under a rolling C / W limit: C at once, then C per
    // window, so the last starts (ceil(R / C) - 1) windows after the first. Ours over that is the share
    // of the ceiling reached.
    const idealMs = (Math.ceil(times.length / CEILING_PER_WINDOW) - 1) * WINDOW_MS;
    const share = idealMs > 0 ? idealMs / spanMs : Number.NaN;
    const inList = fake.listMemberEmails(report.audience.id).length;
    return {
      members: memberCount,
      requests: fake.stats.requests,
      'seconds': Number((elapsedMs / 1000).toFixed(1)),
      'requests/10 s': Number(((times.length / Math.max(spanMs, 1)) * WINDOW_MS).toFixed(1)),
      'of ceiling': Number.isNaN(share) ? `n/a (≤ ${CEILING_PER_WINDOW} requests)` : `${(share * 100).toFixed(1)}%`,
      'peak/10 s': fake.stats.peakRequestsPerWindow,
      '429s': fake.stats.rateLimited,
      'members/s': Math.round(memberCount / (elapsedMs / 1000)),
      added: report.outcomes.added,
      lost: memberCount - inList,
    };
  } finally {
    await fake.close();
  }
}

function membersOption(argv: string[]): number | undefined {
  const at = argv.findIndex((arg) => arg === '--members' || arg.startsWith('--members='));
  if (at < 0) return undefined;
  const value = Number(argv[at]!.includes('=') ? argv[at]!.split('=')[1] : argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error('--members needs a whole number ≥ 1');
  return value;
}

export const bench: BenchModule = {
  name: `HubSpot connector → fake HubSpot at ${CEILING_PER_WINDOW} requests / 10 s (rolling)`,
  async run(options) {
    const sizes = options.members ?? options.tiers.map((tier) => tierMembers[tier]).filter((size): size is number => size !== undefined);
    const rows: BenchRow[] = [];
    for (const size of sizes) rows.push(await benchHubSpot(size));
    return rows;
  },
};

if (process.argv[1]?.endsWith('hubspot.ts')) {
  const row = await benchHubSpot(membersOption(process.argv.slice(2)) ?? tierMembers.L!);
  process.stdout.write(`${JSON.stringify(row)}\n`);
}
