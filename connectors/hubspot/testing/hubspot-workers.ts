/**
 * Several queue workers syncing HubSpot campaigns with one token, each worker in its own process, for
 * the shared-budget test and benchmark. A campaign "file" is a name, `hubspot:<campaign>:<first>:<count>`:
 * the segment is members `member<first>…` of the stand-in, synced through the real HubSpot connector
 * (with the stand-in's rate window) and the real sync engine, with the worker's rate budgets.
 *
 * `spawnHubSpotWorker` starts `hubspot-worker-process.ts` (`node --import tsx`), which reads:
 * REDIS_URL, AFFINITY_QUEUE_PREFIX, HUBSPOT_ACCESS_TOKEN, HUBSPOT_BASE_PATH, HUBSPOT_REQUESTS_PER_WINDOW,
 * HUBSPOT_RATE_WINDOW_MS and RATE_BUDGETS (`redis`, the worker's default, or `memory`: one budget per
 * process, as before budgets were shared).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../src/core/logger.js';
import type { AudienceMember } from '../../../src/identity/identity-resolver.js';
import type { CampaignRunPipeline } from '../../../src/queue/campaign-run-pipeline.js';
import { syncAudience } from '../../../src/sync/sync-audience.js';
import { hubSpotConfigSchema } from '../hubspot-config.js';
import { createHubSpotConnector } from '../index.js';

/** The campaign "file" of `count` members starting at `member<first>`. */
export const hubSpotCampaignFile = (campaign: string, first: number, count: number): string => `hubspot:${campaign}:${first}:${count}`;

/** Email of stand-in contact `index`. */
export const budgetMemberEmail = (index: number): string => `member${index}@budget.example`;

/** What a sync job returns: the sync report's counts and who ran it when. */
export interface HubSpotWorkerSyncResult {
  pid: number;
  startedAt: number;
  finishedAt: number;
  listId: string;
  added: number;
  failed: number;
  rateLimitWaits: number;
}

interface HubSpotCampaign {
  file: string;
  campaign: { name: string; first: number; count: number; destinations: Array<{ connector: string }> };
}

/** The pipeline of one worker process; settings from its environment. */
export function createHubSpotWorkerPipeline(env: NodeJS.ProcessEnv): CampaignRunPipeline<HubSpotCampaign, { members: AudienceMember[]; runId: string }> {
  const windowMs = Number(env.HUBSPOT_RATE_WINDOW_MS ?? 10_000);
  const connector = createHubSpotConnector({ rateWindowMs: windowMs });
  const config = hubSpotConfigSchema.parse({
    connector: 'hubspot',
    list: 'budget {{campaign}}',
    basePath: env.HUBSPOT_BASE_PATH,
    requestsPer10s: Number(env.HUBSPOT_REQUESTS_PER_WINDOW ?? 100),
  });
  return {
    loadCampaign(file) {
      const [, name, first, count] = file.split(':');
      return Promise.resolve({ file, campaign: { name: name!, first: Number(first), count: Number(count), destinations: [{ connector: 'hubspot' }] } });
    },
    generateSegments(loaded, ctx) {
      const { first, count } = loaded.campaign;
      const members = Array.from({ length: count }, (_, index) => ({ email: budgetMemberEmail(first + index), userIds: [String(first + index)], rank: index + 1 }));
      return Promise.resolve({ done: true, segments: { members, runId: ctx.runId ?? '' }, summary: { segments: 1, members: count } });
    },
    parseSegments: (json) => json as { members: AudienceMember[]; runId: string },
    async syncDestination(loaded, segments, _index, ctx, progressFor) {
      const startedAt = Date.now();
      const session = connector.open(config, { env, logger: silentLogger, baseDir: ctx.cwd, ...(ctx.rateBudgets ? { rateBudgets: ctx.rateBudgets } : {}) });
      const report = await syncAudience({
        connector,
        config,
        session,
        spec: { name: `budget ${loaded.campaign.name}`, campaign: loaded.campaign.name, query: 'all', runId: segments.runId },
        members: segments.members,
        dryRun: ctx.dryRun,
        progress: progressFor(0),
      });
      const result: HubSpotWorkerSyncResult = {
        pid: process.pid,
        startedAt,
        finishedAt: Date.now(),
        listId: report.audience.id,
        added: report.outcomes.added,
        failed: report.outcomes.failed,
        rateLimitWaits: report.rateLimitWaits,
      };
      return result;
    },
  };
}

const script = fileURLToPath(new URL('./hubspot-worker-process.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface HubSpotWorkerProcess {
  process: ChildProcess;
  /** What it printed. */
  output(): string;
  /** Asks it to drain and stop (SIGTERM); resolves when it exited. */
  stop(): Promise<void>;
}

/** Spawns a worker process and resolves once it takes jobs. */
export async function spawnHubSpotWorker(env: Record<string, string>): Promise<HubSpotWorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: projectRoot,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready\n')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then(() => reject(new Error(`worker exited before ready: ${output}`)));
  });
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
