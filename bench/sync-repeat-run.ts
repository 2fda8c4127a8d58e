/**
 * One sync run of the repeat-run benchmark (bench/sync-repeat.ts), in a process of its own so its
 * peak RSS is the run's alone (not the fake's, not the previous run's). Forked with an IPC channel:
 * the parent sends a {@link RepeatRunRequest}; the child syncs the members
 * `member<from>…member<from + count − 1>@bench.example` (rank 1…count) in mirror mode, with the
 * audience's snapshot in the SQLite state store of `stateDir` (wired as `sync-campaign-destination.ts`
 * wires it), answers a {@link RepeatRunResult} and exits. `BENCH_WITHOUT_STATE=1` in the environment
 * syncs without the snapshot (as before sync state existed), to measure what the state costs.
 */
import { silentLogger } from '../src/core/logger.js';
import type { AudienceMember } from '../src/identity/identity-resolver.js';
import { openAudienceLedger } from '../src/state/audience-ledger.js';
import { openStateStore } from '../src/state/open-state-store.js';
import { destinationKey } from '../src/state/state-store.js';
import type { DestinationConnector } from '../src/sync/destination-connector.js';
import { fullResyncEveryMs } from '../src/sync/full-resync-config.js';
import { syncAudience } from '../src/sync/sync-audience.js';
import { hubSpotConfigSchema, hubspotConnector } from '../connectors/hubspot/index.js';
import { mailchimpConfigSchema } from '../connectors/mailchimp/mailchimp-config.js';
import { mailchimpConnector } from '../connectors/mailchimp/mailchimp-connector.js';

/** What the parent asks for. */
export interface RepeatRunRequest {
  connector: 'mailchimp' | 'hubspot';
  /** Mailchimp: the fake's base URL (`…/3.0`); HubSpot: its base path. */
  endpoint: string;
  /** Mailchimp audience id (the fake's list). */
  listId?: string;
  /** HubSpot access token the fake accepts. */
  accessToken?: string;
  /** Directory of the SQLite state store (shared by the runs of one audience). */
  stateDir: string;
  runId: string;
  /** First member index and member count. */
  from: number;
  count: number;
}

/** What the child answers. */
export interface RepeatRunResult {
  /** From opening the state store to closing it, milliseconds. */
  wallMs: number;
  plan: { add: number; remove: number; unchanged: number; chunks: number };
  outcomes: Record<string, number>;
  recovered: number;
  /** RSS when the request arrived (modules loaded, no members yet), bytes. */
  rssStartBytes: number;
  /** The process's peak RSS (`resourceUsage().maxRSS`, the kernel's high-water mark), bytes. */
  maxRssBytes: number;
  /** Largest `heapUsed` seen (sampled every 25 ms), bytes. */
  heapPeakBytes: number;
}

const MAILCHIMP_TEST_KEY = '0123456789abcdef0123456789abcdef-us1';

function destination(request: RepeatRunRequest): { connector: DestinationConnector; config: { connector: string }; env: NodeJS.ProcessEnv } {
  if (request.connector === 'mailchimp') {
    const config = mailchimpConfigSchema.parse({ connector: 'mailchimp', audienceId: request.listId, baseUrl: request.endpoint, mode: 'mirror', tag: 'affinity {{campaign}}' });
    return { connector: mailchimpConnector, config, env: { MAILCHIMP_API_KEY: MAILCHIMP_TEST_KEY } };
  }
  const config = hubSpotConfigSchema.parse({ connector: 'hubspot', list: 'affinity {{campaign}}', mode: 'mirror', basePath: request.endpoint });
  return { connector: hubspotConnector, config, env: { HUBSPOT_ACCESS_TOKEN: request.accessToken } };
}

async function run(request: RepeatRunRequest): Promise<RepeatRunResult> {
  const rssStartBytes = process.memoryUsage().rss;
  let heapPeakBytes = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    heapPeakBytes = Math.max(heapPeakBytes, process.memoryUsage().heapUsed);
  }, 25);
  const { connector, config, env } = destination(request);
  const members: AudienceMember[] = Array.from({ length: request.count }, (_unused, index) => ({
    email: `member${request.from + index}@bench.example`,
    userIds: [String(request.from + index)],
    rank: index + 1,
  }));
  const started = Date.now();
  // Forced to SQLite (no AFFINITY_STATE_URL): the store a single machine uses.
  const store = await openStateStore({ env: {}, stateDir: request.stateDir });
  const session = connector.open(config, { env, logger: silentLogger, baseDir: '.' });
  try {
    const spec = { name: 'affinity bench', campaign: 'bench', query: 'all', runId: request.runId };
    const report = await syncAudience({
      connector,
      config,
      session,
      spec,
      members,
      dryRun: false,
      maxRemovalShare: connector.maxRemovalShareOf?.(config),
      openLedger: process.env.BENCH_WITHOUT_STATE === '1' ? undefined : (audience) =>
        openAudienceLedger({
          store,
          key: { campaign: spec.campaign, destinationKey: destinationKey(0, connector.id), name: audience.name || spec.name },
          connector: connector.id,
          audience,
          runId: request.runId,
          dryRun: false,
          fullResync: false,
          fullResyncEveryMs: fullResyncEveryMs(connector.fullResyncEveryOf?.(config)),
        }),
    });
    await session.close?.();
    await store.close();
    const wallMs = Date.now() - started;
    clearInterval(sampler);
    heapPeakBytes = Math.max(heapPeakBytes, process.memoryUsage().heapUsed);
    return {
      wallMs,
      plan: report.plan,
      outcomes: report.outcomes,
      recovered: report.recovered,
      rssStartBytes,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapPeakBytes,
    };
  } catch (error) {
    clearInterval(sampler);
    throw error;
  }
}

process.once('message', (request: RepeatRunRequest) => {
  run(request).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => {
      process.send?.({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, () => process.exit(1));
    },
  );
});
