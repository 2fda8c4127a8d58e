/**
 * Explains a campaign's segments for one user: loads the campaign and its datasets the way a run
 * does, plans its queries, trains (or reuses) the local engine's model, and asks {@link explainUser}.
 */
import { existsSync } from 'node:fs';
import type { Campaign } from '../campaign/campaign-schema.js';
import { loadCampaign } from '../campaign/load-campaign.js';
import { planQueries } from '../campaign/plan-queries.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { loadDatasets } from '../datasets/load-datasets.js';
import { obtainLocalModel } from '../engine/local-model.js';
import { localModelFile, localProviderConfigSchema } from '../segments/local-provider.js';
import { campaignDataDir } from '../pipeline/load-campaign-datasets.js';
import { assertKnownUser, explainUser, type UserExplanation } from './explain-user.js';

/** What to explain. */
export interface ExplainCampaignUserOptions {
  /** Campaign file (YAML or JSON), relative to `cwd`. */
  campaignFile: string;
  userId: string;
  /** Only the segment with this label (an item's name, a category value) or query text; case-insensitive. */
  segment?: string;
  /** Dataset directory that overrides the campaign's `data`. */
  dataDir?: string;
  cwd: string;
  /** Contributing items listed per segment. @defaultValue 5 */
  topItems?: number;
  logger?: Logger;
}

/** An explanation with the campaign it is about. */
export interface CampaignUserExplanation extends UserExplanation {
  campaign: { name: string; type: Campaign['type']; file: string; provider: string; dataDir: string };
}

/**
 * Explains every segment (or the one named by `segment`) of a campaign for one user, with the
 * local engine; a campaign with `provider: personalize` is explained with the local engine too.
 * A local `model` file is reused when it exists and matches the data; explain never writes it.
 * @throws ConfigError for a bad campaign file, an unknown USER_ID or segment label; DataError for bad datasets.
 */
export async function explainCampaignUser(options: ExplainCampaignUserOptions): Promise<CampaignUserExplanation> {
  const loaded = await loadCampaign(options.campaignFile, { cwd: options.cwd });
  const { campaign } = loaded;
  const dataDir = campaignDataDir(loaded, { dataDir: options.dataDir, cwd: options.cwd });
  const datasets = await loadDatasets(dataDir);
  const planned = await planQueries(loaded, datasets);
  const wanted = options.segment?.trim().toLowerCase();
  const segments =
    wanted === undefined
      ? planned
      : planned.filter(({ label, query }) =>
          [label, 'itemId' in query ? query.itemId : query.itemAttributes].some((text) => text.toLowerCase() === wanted),
        );
  if (segments.length === 0) {
    throw new ConfigError([
      {
        field: '--segment',
        message: `no segment of ${options.campaignFile} is labelled "${options.segment ?? ''}"; its segments are: ${planned.map(({ label }) => JSON.stringify(label)).join(', ')}`,
      },
    ]);
  }
  // Check the USER_ID before the (longer) training.
  assertKnownUser(datasets, options.userId);

  const segment = campaign.segment;
  const local = segment.provider === 'local' ? localProviderConfigSchema.parse(segment) : undefined;
  const modelFile = local && localModelFile(local, loaded.baseDir);
  const { matrix, saved } = await obtainLocalModel(datasets.interactions, {
    ...(modelFile !== undefined && existsSync(modelFile) ? { modelFile } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const explanation = explainUser({
    datasets,
    matrix,
    model: saved.model,
    attributePriorWeight: saved.engine.attributePriorWeight,
    segments,
    userId: options.userId,
    numResults: segment.numResults,
    excludeInteracted: local?.excludeInteracted ?? true,
    ...(options.topItems !== undefined ? { topItems: options.topItems } : {}),
  });
  return {
    ...explanation,
    campaign: { name: campaign.name, type: campaign.type, file: options.campaignFile, provider: segment.provider, dataDir },
  };
}
