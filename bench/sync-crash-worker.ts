/**
 * A queue worker in its own process, for the crash benchmark (bench/sync-crash.ts): the production
 * worker (`startCampaignWorker`) with the production pipeline and the SQLite state store, except that
 * the segment step returns a synthetic segment of `BENCH_MEMBERS` members
 * (`member<i>@bench.example`, rank i + 1) instead of running the engine: the segment step is not
 * what is measured, and the count is then exact. Everything after it is what `affinity-sync worker`
 * runs: the sync job, `syncCampaignDestination`, the audience ledger, the Mailchimp connector.
 * Short lock and stalled intervals (as in test/helpers/queue-worker-process.ts), so a killed
 * worker's job is taken over in about a second.
 *
 * Env: REDIS_URL, AFFINITY_QUEUE_PREFIX, MAILCHIMP_API_KEY, BENCH_STATE_DIR (the shared SQLite
 * store; `none`: no state store, only the queue's chunk checkpoints, as before sync state existed),
 * BENCH_MEMBERS. Prints `ready` once it takes jobs.
 */
import { tmpdir } from 'node:os';
import { silentLogger } from '../src/core/logger.js';
import type { LoadedCampaign } from '../src/campaign/load-campaign.js';
import type { AudienceMember } from '../src/identity/identity-resolver.js';
import type { CampaignSegments } from '../src/pipeline/campaign-segments.js';
import type { CampaignRunPipeline } from '../src/queue/campaign-run-pipeline.js';
import { startCampaignWorker } from '../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../src/queue/default-pipeline.js';
import { readQueueSettings } from '../src/queue/queue-settings.js';
import { shutdownOnSignals } from '../src/queue/shutdown-on-signals.js';
import { openStateStore } from '../src/state/open-state-store.js';

/** Email of synthetic member `index`. */
export const crashBenchEmail = (index: number): string => `member${index}@bench.example`;

function syntheticSegments(loaded: LoadedCampaign, runId: string, count: number): CampaignSegments {
  const members: AudienceMember[] = Array.from({ length: count }, (_unused, index) => ({ email: crashBenchEmail(index), userIds: [String(index)], rank: index + 1 }));
  const queryText = 'ITEMS.CATEGORY_L1 = "footwear"';
  return {
    runId,
    campaign: loaded.campaign.name,
    provider: 'local',
    numResults: count,
    generatedAt: new Date().toISOString(),
    segments: [
      {
        label: 'footwear',
        query: { itemAttributes: queryText },
        queryText,
        usersInSegment: count,
        error: null,
        resolved: { members, unmatched: { unknownUser: 0, missingEmail: 0, invalidEmail: 0 }, mergedDuplicates: 0 },
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const members = Number(process.env.BENCH_MEMBERS);
  const stateDir = process.env.BENCH_STATE_DIR;
  if (!stateDir || !Number.isInteger(members)) throw new Error('BENCH_STATE_DIR and BENCH_MEMBERS are required');
  const settings = readQueueSettings(process.env);
  const state = stateDir === 'none' ? undefined : await openStateStore({ env: {}, stateDir });
  const pipeline: CampaignRunPipeline<LoadedCampaign, CampaignSegments> = {
    ...createDefaultPipeline(),
    generateSegments: (loaded, ctx) => Promise.resolve({ done: true, segments: syntheticSegments(loaded, ctx.runId ?? '', members), summary: { segments: 1, members } }),
  };
  const worker = await startCampaignWorker({
    settings,
    pipeline,
    env: process.env,
    logger: silentLogger,
    stateDir: state ? stateDir : tmpdir(),
    state,
    cwd: process.cwd(),
    lockDurationMs: 1000,
    stalledIntervalMs: 300,
  });
  process.stdout.write('ready\n');
  await shutdownOnSignals(() => worker.close());
  await state?.close();
  process.stdout.write('closed\n');
}
