/**
 * The real pipeline (`src/pipeline/`) behind the queue's {@link CampaignRunPipeline} port.
 *
 * A provider with a long external job (Personalize: `advanceRun`) is driven by delayed re-checks:
 * each segment-job round takes the provider's jobs as far as they go without waiting and, while
 * they run, the job is delayed by the provider's `waitMs`. Once they are done, the ordinary
 * `generateCampaignSegments` runs with the provider of that last round, which serves the results it
 * has just read, so the segments are assembled exactly as `run` assembles them.
 */
import { loadCampaigns, type LoadedCampaign } from '../campaign/load-campaign.js';
import { planQueries } from '../campaign/plan-queries.js';
import { ConfigError } from '../core/errors.js';
import type { Datasets } from '../datasets/datasets.js';
import { parseCampaignSegments, type CampaignSegments } from '../pipeline/campaign-segments.js';
import { createCampaignProvider } from '../pipeline/create-campaign-provider.js';
import { generateCampaignSegments } from '../pipeline/generate-campaign-segments.js';
import { loadCampaignDatasets } from '../pipeline/load-campaign-datasets.js';
import { summariseSegments } from '../pipeline/run-campaign.js';
import type { RunContext } from '../pipeline/run-context.js';
import { syncCampaignDestination } from '../pipeline/sync-campaign-destination.js';
import type { SegmentProvider, SegmentQuery } from '../segments/segment-provider.js';
import type { CampaignRunPipeline } from './campaign-run-pipeline.js';

/** A provider that can be stepped instead of waited on (the Personalize provider). */
interface SteppableProvider extends SegmentProvider {
  advanceRun(queries: readonly SegmentQuery[], options: { numResults: number; runId: string }): Promise<{ done: true } | { done: false; waitMs: number }>;
}

function isSteppable(provider: SegmentProvider): provider is SteppableProvider {
  return typeof (provider as Partial<SteppableProvider>).advanceRun === 'function';
}

/** State kept in the segment job between rounds. */
interface StepState {
  rounds: number;
}

/**
 * One round of a steppable provider's jobs.
 * @returns the wait before the next round while its jobs run; else the provider as the round left
 *   it (it holds what it read, so the segment step does not read it again), or nothing when the
 *   provider is not steppable (then `generateCampaignSegments` does everything).
 */
async function advanceExternalJobs(loaded: LoadedCampaign, ctx: RunContext & { runId: string }): Promise<{ waitMs: number } | { provider?: SegmentProvider }> {
  if (loaded.campaign.segment.provider === 'local') return {};
  const datasets = await loadCampaignDatasets(loaded, ctx);
  const planned = await planQueries(loaded, datasets);
  const { provider } = createCampaignProvider(loaded, datasets, ctx);
  if (!isSteppable(provider)) return {};
  const round = await provider.advanceRun(
    planned.map((entry) => entry.query),
    { numResults: loaded.campaign.segment.numResults, runId: ctx.runId },
  );
  return round.done ? { provider } : { waitMs: round.waitMs };
}

/** The pipeline `run` uses, step by step. */
export function createDefaultPipeline(): CampaignRunPipeline<LoadedCampaign, CampaignSegments> {
  return {
    async loadCampaign(file) {
      const [loaded] = await loadCampaigns([file]);
      if (!loaded) throw new ConfigError([{ file, message: 'no campaign in this file' }]);
      return loaded;
    },
    async generateSegments(campaign, ctx, state) {
      const runCtx = { ...ctx, runId: ctx.runId ?? campaign.campaign.name, datasetCache: ctx.datasetCache ?? new Map<string, Promise<Datasets>>() };
      const round = await advanceExternalJobs(campaign, runCtx);
      if ('waitMs' in round) {
        const rounds = (state as StepState | undefined)?.rounds ?? 0;
        return { done: false, state: { rounds: rounds + 1 } satisfies StepState, waitMs: round.waitMs };
      }
      const segments = await generateCampaignSegments(campaign, runCtx, round);
      const members = segments.segments.reduce((sum, segment) => sum + segment.resolved.members.length, 0);
      const report = {
        type: campaign.campaign.type,
        notes: segments.notes ?? [],
        segments: summariseSegments(segments),
        ...(segments.dataEndsAt ? { dataEndsAt: segments.dataEndsAt } : {}),
        ...(segments.provenance ? { provenance: segments.provenance } : {}),
      };
      return { done: true, segments, summary: { segments: segments.segments.length, members, report } };
    },
    parseSegments(json) {
      return parseCampaignSegments(json, 'segments kept in Redis');
    },
    syncDestination(campaign, segments, destinationIndex, ctx, progressFor) {
      return syncCampaignDestination(campaign, segments, destinationIndex, ctx, progressFor);
    },
  };
}
