/**
 * Repeat runs on sync state: a mirror-mode audience of N members synced once (run 1, the audience
 * is new), then again with 1 % churn (run 2: the first 1 % of the members left the segment, as many
 * new ones joined), with the audience's snapshot in the SQLite state store. Against the Mailchimp and
 * HubSpot stand-ins, each in its own process with a fixed answer latency (HubSpot also enforces its
 * 100 requests per rolling 10 s). Each run is a fresh process too, so its peak RSS is its own.
 *
 * Counted by the stand-ins, not by our code: write requests (every non-GET request for Mailchimp;
 * list creation and membership changes for HubSpot, reads and searches excluded) and all requests,
 * per run. Target: run 2 writes ≤ 2 % of run 1's. That needs the churn to fill whole calls (500
 * emails for Mailchimp, 1,000 ids for HubSpot): below 100,000 members 1 % churn is a partial call of
 * adds and one of removals, so "fewest writes for the change" is the column to compare run 2 with.
 * Peak RSS is the kernel's high-water mark of the run's process (the larger of the two runs);
 * "per added member" is its rise from the previous, smaller audience of the same connector, divided
 * by the members added: flat memory would show about 0.
 *
 * `npm run bench -- --only sync-repeat` runs the tiers (Mailchimp S 10,000 / M 50,000 / L 100,000
 * members; HubSpot S 2,000 / M 5,000 / L 10,000, its budget makes it slow by nature: about two
 * minutes in all); `--members 10000,50000,100000` runs those sizes on both (about 11 minutes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeHubSpotStats } from '../connectors/hubspot/testing/fake-hubspot-server.js';
import type { FakeHubSpotProcessStart } from '../connectors/hubspot/testing/fake-hubspot-process.js';
import { hubspotConnector } from '../connectors/hubspot/index.js';
import { mailchimpConnector } from '../connectors/mailchimp/mailchimp-connector.js';
import type { BenchModule, BenchRow } from './run.js';
import type { RepeatRunRequest, RepeatRunResult } from './sync-repeat-run.js';

const MAILCHIMP_LATENCY_MS = 100;
const HUBSPOT_LATENCY_MS = 150;
const HUBSPOT_REQUESTS_PER_10S = 100;
/** Share of the members that leave the segment between run 1 and run 2 (as many join). */
const CHURN = 0.01;
/** Target: run 2's write requests at most this share of run 1's. */
const TARGET_SHARE = 0.02;
const tierMembers: Record<'mailchimp' | 'hubspot', Record<string, number>> = {
  mailchimp: { S: 10_000, M: 50_000, L: 100_000 },
  hubspot: { S: 2_000, M: 5_000, L: 10_000 },
};

type ConnectorId = RepeatRunRequest['connector'];

/** What a stand-in has received so far. */
interface RequestCounts {
  requests: number;
  writes: number;
}

/** A stand-in running in a child process. */
interface StandIn {
  request: Pick<RepeatRunRequest, 'connector' | 'endpoint' | 'listId' | 'accessToken'>;
  counts(): Promise<RequestCounts>;
  stop(): Promise<void>;
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const tsxFork = (script: string): ChildProcess => fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

async function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  const answer = once(child, 'message') as Promise<[T]>;
  child.send(message as object);
  return (await answer)[0];
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.send('stop');
  await exited;
}

/** Starts the stand-in of `connector` holding `people` members (`member<i>@bench.example`, i < people). */
async function startStandIn(connector: ConnectorId, people: number): Promise<StandIn> {
  if (connector === 'mailchimp') {
    const child = tsxFork(here('../connectors/mailchimp/fake-mailchimp-process.ts'));
    const { baseUrl, listId } = await ask<{ baseUrl: string; listId: string }>(child, { members: people, latencyMs: MAILCHIMP_LATENCY_MS });
    return {
      request: { connector, endpoint: baseUrl, listId },
      counts: () => ask<RequestCounts>(child, 'stats'),
      stop: () => stopChild(child),
    };
  }
  const accessToken = `pat-bench-${people}-${Date.now()}`;
  const child = tsxFork(here('../connectors/hubspot/testing/fake-hubspot-process.ts'));
  const start: FakeHubSpotProcessStart = { accessToken, contacts: people, requestsPerWindow: HUBSPOT_REQUESTS_PER_10S, windowMs: 10_000, latencyMs: HUBSPOT_LATENCY_MS };
  const { basePath } = await ask<{ basePath: string }>(child, start);
  return {
    request: { connector, endpoint: basePath, accessToken },
    counts: async () => {
      const stats = await ask<FakeHubSpotStats>(child, 'stats');
      return { requests: stats.requests, writes: stats.writes };
    },
    stop: () => stopChild(child),
  };
}

/** One sync run in a fresh process. @throws Error with the child's message when the sync failed */
async function runOnce(request: RepeatRunRequest): Promise<RepeatRunResult> {
  const child = tsxFork(here('./sync-repeat-run.ts'));
  const exited = once(child, 'exit');
  const answer = await ask<{ ok: true; result: RepeatRunResult } | { ok: false; error: string }>(child, request);
  await exited;
  if (!answer.ok) throw new Error(`${request.connector} ${request.runId}: ${answer.error}`);
  return answer.result;
}

/** A run and what the stand-in saw during it. */
interface MeasuredRun extends RepeatRunResult {
  requests: number;
  writes: number;
}

async function measuredRun(standIn: StandIn, request: RepeatRunRequest): Promise<MeasuredRun> {
  const before = await standIn.counts();
  const result = await runOnce(request);
  const after = await standIn.counts();
  return { ...result, requests: after.requests - before.requests, writes: after.writes - before.writes };
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Run 1 and run 2 of one connector at one size: one row, and the peak RSS of the two runs in bytes. */
export async function benchRepeatRun(connector: ConnectorId, members: number): Promise<{ row: BenchRow; peakRssBytes: number }> {
  const churn = Math.max(1, Math.round(members * CHURN));
  const standIn = await startStandIn(connector, members + churn);
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-sync-repeat-'));
  try {
    const base = { ...standIn.request, stateDir, count: members };
    const first = await measuredRun(standIn, { ...base, runId: 'bench-run-1', from: 0 });
    const second = await measuredRun(standIn, { ...base, runId: 'bench-run-2', from: churn });
    const share = first.writes > 0 ? second.writes / first.writes : Number.NaN;
    // Adds and removals go in separate calls (removals after every add), each of at most batchSize.
    const batchSize = (connector === 'mailchimp' ? mailchimpConnector : hubspotConnector).limits.batchSize;
    const fewest = 2 * Math.ceil(churn / batchSize);
    const row: BenchRow = {
      connector,
      members,
      'run 1 writes': first.writes,
      'run 1 requests': first.requests,
      'run 1 s': seconds(first.wallMs),
      'run 2 writes': second.writes,
      'run 2 requests': second.requests,
      'run 2 s': seconds(second.wallMs),
      'writes 2 / 1': `${(share * 100).toFixed(2)}%`,
      [`≤ ${TARGET_SHARE * 100}%`]: share <= TARGET_SHARE ? 'yes' : 'NO',
      'fewest writes for the change': fewest,
      'run 2 added/removed/unchanged': `${second.outcomes.added ?? 0}/${second.outcomes.removed ?? 0}/${second.plan.unchanged}`,
      'peak RSS MB 1/2': `${mb(first.maxRssBytes)}/${mb(second.maxRssBytes)}`,
      'heap peak MB 1/2': `${mb(first.heapPeakBytes)}/${mb(second.heapPeakBytes)}`,
      'RSS at start MB': mb(second.rssStartBytes),
    };
    return { row, peakRssBytes: Math.max(first.maxRssBytes, second.maxRssBytes) };
  } finally {
    await standIn.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

export const bench: BenchModule = {
  name:
    `Repeat run, mirror mode, SQLite state: run 1 (new audience) then run 2 (${CHURN * 100} % churn); ` +
    `Mailchimp stand-in ${MAILCHIMP_LATENCY_MS} ms latency, HubSpot stand-in ${HUBSPOT_LATENCY_MS} ms latency at ${HUBSPOT_REQUESTS_PER_10S} requests / 10 s; requests counted by the stand-ins`,
  async run(options) {
    const rows: BenchRow[] = [];
    for (const connector of ['mailchimp', 'hubspot'] as const) {
      const sizes = options.members ?? options.tiers.map((tier) => tierMembers[connector][tier]).filter((size): size is number => size !== undefined);
      let previous: { members: number; peakRssBytes: number } | undefined;
      for (const size of sizes) {
        const { row, peakRssBytes } = await benchRepeatRun(connector, size);
        row['peak RSS per added member'] = previous && size > previous.members ? `${Math.round((peakRssBytes - previous.peakRssBytes) / (size - previous.members))} B` : '';
        rows.push(row);
        previous = { members: size, peakRssBytes };
      }
    }
    return rows;
  },
};
