import { join } from 'node:path';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import { ConfigError } from '../core/errors.js';
import type { Datasets } from '../datasets/datasets.js';
import type { SegmentProviderDefinition } from '../segments/provider-definition.js';
import { segmentProviders } from '../segments/providers.js';
import type { SegmentProvider } from '../segments/segment-provider.js';
import type { RunContext } from './run-context.js';

/**
 * The segment provider of a campaign, with its state under `<stateDir>/providers/<id>`: every step
 * of a run (in-process or a queue job) gets the same directory, so a later step finds the jobs an
 * earlier one recorded.
 * @throws ConfigError for a provider that is not in the registry.
 */
export function createCampaignProvider(
  loaded: LoadedCampaign,
  datasets: Datasets,
  ctx: Pick<RunContext, 'env' | 'logger' | 'stateDir'>,
): { definition: SegmentProviderDefinition; provider: SegmentProvider } {
  const definition = segmentProviders.find((candidate) => candidate.id === loaded.campaign.segment.provider);
  if (!definition) throw new ConfigError([{ file: loaded.file, field: 'segment.provider', message: `unknown provider "${loaded.campaign.segment.provider}"` }]);
  const provider = definition.create(loaded.campaign.segment, {
    datasets: () => Promise.resolve(datasets),
    env: ctx.env,
    logger: ctx.logger,
    baseDir: loaded.baseDir,
    stateDir: join(ctx.stateDir, 'providers', definition.id),
  });
  return { definition, provider };
}
