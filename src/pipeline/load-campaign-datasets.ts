import { resolve } from 'node:path';
import type { Datasets } from '../datasets/datasets.js';
import { loadDatasets } from '../datasets/load-datasets.js';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import type { RunContext } from './run-context.js';

/** Default dataset directory, relative to the working directory: the bundled retail data. */
export const DEFAULT_DATA_DIR = 'data/retail-demo-store';

/** The dataset directory of a campaign: `--data`, else the campaign's `data` (relative to its file), else the default. */
export function campaignDataDir(loaded: LoadedCampaign, ctx: Pick<RunContext, 'dataDir' | 'cwd'>): string {
  if (ctx.dataDir) return resolve(ctx.cwd, ctx.dataDir);
  if (loaded.campaign.data) return resolve(loaded.baseDir, loaded.campaign.data);
  return resolve(ctx.cwd, DEFAULT_DATA_DIR);
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
