/**
 * The segment step of a campaign run: plan the queries, ask the segment provider for the
 * segments, resolve USER_IDs to audience members.
 */
import { ConfigError } from '../core/errors.js';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import { planQueries } from '../campaign/plan-queries.js';
import type { Interactions, Items } from '../datasets/datasets.js';
import { mergeItems } from '../datasets/merge-items.js';
import { campaignUsers } from '../identity/campaign-users.js';
import { UsersIdentityResolver } from '../identity/users-resolver.js';
import { describeQuery, queryKey, type SegmentProvider, type SegmentResult } from '../segments/segment-provider.js';
import type { CampaignSegments, RunSegment } from './campaign-segments.js';
import { createCampaignProvider } from './create-campaign-provider.js';
import { loadCampaignDatasets } from './load-campaign-datasets.js';
import type { RunContext } from './run-context.js';
import { makeRunId } from './run-id.js';
import { controlSegment, prepareCampaignControls } from '../controls/campaign-controls.js';
import { controlsStoreOf } from '../controls/controls-store-of.js';

/**
 * Generates and resolves every segment of a campaign.
 * @throws ConfigError for bad campaign input (unknown items or columns), DataError for bad datasets,
 *   and whatever the provider throws for whole-job problems.
 */
export async function generateCampaignSegments(
  loaded: LoadedCampaign,
  ctx: RunContext,
  options: {
    /** The campaign's provider as an earlier step of this run left it (the queue's last job round): results it read are not read again. */
    provider?: SegmentProvider;
  } = {},
): Promise<CampaignSegments> {
  const { campaign } = loaded;
  const runId = ctx.runId ?? makeRunId(campaign.name);
  const datasets = await loadCampaignDatasets(loaded, ctx);
  const users = await campaignUsers(loaded, datasets, ctx.env);
  const planNotes: string[] = [];
  const newItems: Items[] = [];
  const planned = await planQueries(loaded, datasets, { onNote: (note) => planNotes.push(note), onNewItems: (items) => newItems.push(items) });
  if (planned.length === 0) {
    // Nothing to segment: say so (the notes say why) instead of asking the provider for nothing.
    return { runId, campaign: campaign.name, provider: campaign.segment.provider, numResults: campaign.segment.numResults, generatedAt: new Date().toISOString(), notes: planNotes, segments: [] };
  }
  const userCount = datasets.interactions.userIds.length;
  if (campaign.segment.numResults >= userCount) {
    planNotes.push(
      `numResults ${campaign.segment.numResults.toLocaleString('en-US')} is not below the ${userCount.toLocaleString('en-US')} users with interactions: each segment holds every user the recipe can rank, not a targeted audience`,
    );
  }
  // New items are not in the catalog yet: the provider reaches them through their attributes.
  const providerDatasets = newItems.length > 0 ? { ...datasets, items: mergeItems(datasets.items, newItems) } : datasets;

  const provider = options.provider ?? createCampaignProvider(loaded, providerDatasets, ctx).provider;
  if (ctx.resume) {
    const resumable = provider.hasRun ? await provider.hasRun(runId) : false;
    if (!resumable) {
      throw new ConfigError(
        provider.hasRun
          ? `--run-id ${runId}: no earlier run of that id under ${ctx.stateDir}; leave --run-id out to start a new run`
          : `--run-id: the ${provider.id} provider keeps no jobs between runs, so there is nothing to resume; leave --run-id out`,
      );
    }
  }
  const controls = await prepareCampaignControls(loaded, datasets.users, planned.map((entry) => entry.label), { ...ctx, store: controlsStoreOf(ctx.state) });
  ctx.onProgress?.({ step: `segments for ${campaign.name}` });
  const notes = new Map<string, string[]>();
  const results = await provider.generate(
    planned.map((entry) => entry.query),
    {
      numResults: campaign.segment.numResults,
      reserve: controls.reserve,
      excludeInteracted: 'excludeInteracted' in campaign.segment ? campaign.segment.excludeInteracted : undefined,
      runId,
      signal: ctx.signal,
      onNote: (query, note) => notes.set(queryKey(query), [...(notes.get(queryKey(query)) ?? []), note]),
      onProgress: ctx.onProgress ? (event) => ctx.onProgress?.(event) : undefined,
    },
  );
  ctx.onProgress?.({ step: `segments for ${campaign.name}`, finished: true });

  const byKey = new Map<string, SegmentResult>(results.map((result) => [queryKey(result.input), result]));
  const resolver = new UsersIdentityResolver(users);
  const segments: RunSegment[] = planned.map(({ query, label }) => {
    const result = byKey.get(queryKey(query));
    const usersList = result?.output.usersList ?? [];
    const error = result ? result.error : 'the segment provider returned no result for this query';
    const selected = controlSegment(controls, { label, query: JSON.stringify(query) }, error ? [] : usersList, result, campaign.segment.numResults);
    return {
      label,
      query,
      queryText: describeQuery(query),
      usersInSegment: selected.treatment.length,
      error,
      ...(notes.has(queryKey(query)) || selected.notes.length > 0 ? { notes: [...(notes.get(queryKey(query)) ?? []), ...selected.notes] } : {}),
      resolved: resolver.resolve(selected.treatment, selected.treatmentScores),
      controls: selected.counts,
      ...(selected.affinity ? { affinity: selected.affinity } : {}),
    };
  });
  await controls.record(runId);
  ctx.logger.info({ campaign: campaign.name, runId, segments: segments.length }, 'segments generated');
  const provenance = await provider.provenance?.(runId);
  return {
    runId,
    campaign: campaign.name,
    provider: provider.id,
    numResults: campaign.segment.numResults,
    generatedAt: new Date().toISOString(),
    ...(planNotes.length > 0 ? { notes: planNotes } : {}),
    ...latestInteraction(datasets.interactions),
    ...(provenance ? { provenance } : {}),
    segments,
  };
}

/** `dataEndsAt`: the time of the latest interaction, when there is one. */
function latestInteraction(interactions: Interactions): { dataEndsAt?: string } {
  let latest = -Infinity;
  for (const timestamp of interactions.timestamp) if (timestamp > latest) latest = timestamp;
  return Number.isFinite(latest) ? { dataEndsAt: new Date(latest * 1000).toISOString() } : {};
}
