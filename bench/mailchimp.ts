/**
 * Mailchimp connector throughput: N existing members tagged through the sync engine into a fake
 * Mailchimp (real HTTP on 127.0.0.1, in its own process) that answers every request after
 * 100 ms. The ceiling is what 9 connections × 500 emails per call allow:
 * 9 × 500 / 0.1 s = 45,000 emails/s. The tagging phase (first `members_to_add` call to the end)
 * is compared with it; the one-time read of the audience's member statuses (1,000 per page,
 * 9 pages at a time) is shown apart. Our process's heap and RSS are sampled every 25 ms.
 *
 * `npm run bench` runs tiers S (20,000), M (100,000), L (300,000 members);
 * `npx tsx bench/mailchimp.ts --members 100000` runs one size and prints the row.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/core/logger.js';
import type { AudienceMember } from '../src/identity/identity-resolver.js';
import { syncAudience } from '../src/sync/sync-audience.js';
import { mailchimpConfigSchema } from '../connectors/mailchimp/mailchimp-config.js';
import { createMailchimpConnector } from '../connectors/mailchimp/mailchimp-connector.js';
import type { BenchModule, BenchRow } from './run.js';

const LATENCY_MS = 100;
const CONNECTIONS = 9;
const EMAILS_PER_CALL = 500;
const CEILING_PER_S = (CONNECTIONS * EMAILS_PER_CALL * 1000) / LATENCY_MS;
const tierMembers: Record<string, number> = { S: 20_000, M: 100_000, L: 300_000 };
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

async function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  const answer = once(child, 'message') as Promise<[T]>;
  child.send(message as object);
  return (await answer)[0];
}

/** Tags `memberCount` existing members with a new tag; returns one row. */
export async function benchMailchimp(memberCount: number): Promise<BenchRow> {
  const child = fork(fileURLToPath(new URL('../connectors/mailchimp/fake-mailchimp-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const { baseUrl, listId } = await ask<{ baseUrl: string; listId: string }>(child, { members: memberCount, latencyMs: LATENCY_MS });
    const members: AudienceMember[] = Array.from({ length: memberCount }, (_unused, index) => ({
      email: `member${index}@bench.example`,
      userIds: [String(index)],
      rank: index + 1,
    }));
    const connector = createMailchimpConnector({ connections: CONNECTIONS });
    const config = mailchimpConfigSchema.parse({ connector: 'mailchimp', audienceId: listId, baseUrl });
    const session = connector.open(config, { env: { MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us1' }, logger: silentLogger, baseDir: '.' });
    const spec = { name: `bench ${memberCount}`, campaign: 'bench', query: 'all', runId: 'bench' };

    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let rssPeak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      heapPeak = Math.max(heapPeak, usage.heapUsed);
      rssPeak = Math.max(rssPeak, usage.rss);
    }, 25);
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const report = await syncAudience({ connector, config, session, spec, members, dryRun: false });
    const ended = Date.now();
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    await session.close?.();

    const stats = await ask<{ maxInFlight: number; tagged: number; firstTagCallAt: number }>(child, 'stats');
    const tagMs = ended - stats.firstTagCallAt;
    const tagPerS = memberCount / (tagMs / 1000);
    return {
      members: memberCount,
      'total s': ((ended - started) / 1000).toFixed(2),
      'status read s': ((stats.firstTagCallAt - started) / 1000).toFixed(2),
      'tagging s': (tagMs / 1000).toFixed(2),
      'tag calls': Math.ceil(memberCount / EMAILS_PER_CALL),
      'emails/s (tagging)': Math.round(tagPerS),
      'of 45,000/s ceiling': `${((100 * tagPerS) / CEILING_PER_S).toFixed(1)}%`,
      'emails/s (total)': Math.round(memberCount / ((ended - started) / 1000)),
      'max conns': stats.maxInFlight,
      'client cpu s': ((cpu.user + cpu.system) / 1e6).toFixed(2),
      'heap MB before/peak': `${mb(heapBefore)}/${mb(heapPeak)}`,
      'rss MB peak': mb(rssPeak),
      tagged: stats.tagged === memberCount && report.outcomes.added === memberCount ? 'all' : `${stats.tagged} (lost ${memberCount - stats.tagged})`,
    };
  } finally {
    child.send('stop');
    await once(child, 'exit');
  }
}

export const bench: BenchModule = {
  name: `Mailchimp: tag N existing members, fake API with ${LATENCY_MS} ms latency, ${CONNECTIONS} connections × ${EMAILS_PER_CALL} emails/call`,
  async run(options) {
    const rows: BenchRow[] = [];
    for (const tier of options.tiers) {
      const count = tierMembers[tier];
      if (count !== undefined) rows.push(await benchMailchimp(count));
    }
    return rows;
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--members');
  const count = at >= 0 ? Number(process.argv[at + 1]) : 100_000;
  process.stdout.write(`${JSON.stringify(await benchMailchimp(count), null, 2)}\n`);
}
