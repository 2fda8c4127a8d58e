import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { Datasets } from '../datasets/datasets.js';
import { loadDatasets } from '../datasets/load-datasets.js';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import type { RunContext } from './run-context.js';

/**
 * The dataset directory of a campaign: `--data`, else the campaign's `data` (relative to its file).
 * There is no default: a campaign that names no data must not quietly run on some other dataset
 * (such as the bundled demo shoppers).
 * @throws ConfigError naming the campaign file when neither is given.
 */
export function campaignDataDir(loaded: LoadedCampaign, ctx: Pick<RunContext, 'dataDir' | 'cwd'>): string {
  if (ctx.dataDir) return resolve(ctx.cwd, ctx.dataDir);
  if (loaded.campaign.data) return resolve(loaded.baseDir, loaded.campaign.data);
  throw new ConfigError([
    { file: loaded.file, field: 'data', message: 'no dataset: add `data: <dataset directory>` (relative to this file) to the campaign, or pass --data <dir>' },
  ]);
}

/** Loads a campaign's datasets once per directory per process (campaigns on the same data share one load). */
export function loadCampaignDatasets(loaded: LoadedCampaign, ctx: Pick<RunContext, 'dataDir' | 'cwd' | 'datasetCache' | 'onProgress'>): Promise<Datasets> {
  const dir = campaignDataDir(loaded, ctx);
  const cache = (ctx.datasetCache ??= new Map<string, Promise<Datasets>>());
  let datasets = cache.get(dir);
  if (!datasets) {
    datasets = loadDatasets(dir, {
      onProgress: ctx.onProgress
        ? (event) => ctx.onProgress?.({ step: `loading ${event.dataset}`, done: event.rowsRead, finished: event.finished })
        : undefined,
    });
    cache.set(dir, datasets);
  }
  return datasets;
}
