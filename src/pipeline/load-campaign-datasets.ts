import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { Datasets } from '../datasets/datasets.js';
import { loadDatasets } from '../datasets/load-datasets.js';
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import { mirrorS3Datasets } from '../s3-datasets/mirror-s3-datasets.js';
import { isS3Url } from '../s3-datasets/s3-url.js';
import type { RunContext } from './run-context.js';

/** The CLI's default `--state-dir`, for callers without a run context (validate). */
const defaultStateDir = '.affinity-sync';

/**
 * The dataset directory of a campaign: `--data`, else the campaign's `data` (relative to its file).
 * There is no default: a campaign that names no data must not quietly run on some other dataset
 * (such as the bundled demo shoppers). An `s3://` location is returned as it is.
 * @throws ConfigError naming the campaign file when neither is given.
 */
export function campaignDataDir(loaded: LoadedCampaign, ctx: Pick<RunContext, 'dataDir' | 'cwd'>): string {
  const data = ctx.dataDir ?? loaded.campaign.data;
  if (data !== undefined && isS3Url(data)) return data;
  if (ctx.dataDir) return resolve(ctx.cwd, ctx.dataDir);
  if (loaded.campaign.data) return resolve(loaded.baseDir, loaded.campaign.data);
  throw new ConfigError([
    { file: loaded.file, field: 'data', message: 'no dataset: add `data: <dataset directory>` (relative to this file) to the campaign, or pass --data <dir>' },
  ]);
}

/**
 * Loads a campaign's datasets once per directory per process (campaigns on the same data share one
 * load). An `s3://` location is first mirrored into `<stateDir>/s3-cache` (unchanged objects are
 * not downloaded again); without `env` and `stateDir`, the process environment and `.affinity-sync`.
 */
export function loadCampaignDatasets(
  loaded: LoadedCampaign,
  ctx: Pick<RunContext, 'dataDir' | 'cwd' | 'datasetCache' | 'onProgress'> & Partial<Pick<RunContext, 'env' | 'stateDir'>>,
): Promise<Datasets> {
  const dir = campaignDataDir(loaded, ctx);
  const cache = (ctx.datasetCache ??= new Map<string, Promise<Datasets>>());
  let datasets = cache.get(dir);
  if (!datasets) {
    const local = isS3Url(dir)
      ? mirrorS3Datasets(dir, {
          cacheDir: resolve(ctx.cwd, join(ctx.stateDir ?? defaultStateDir, 's3-cache')),
          env: ctx.env ?? process.env,
          onProgress: (event) => ctx.onProgress?.({ step: `downloading ${event.url}`, done: event.bytesDone, total: event.bytesTotal, finished: event.finished }),
        }).then((mirror) => mirror.dir)
      : Promise.resolve(dir);
    datasets = local.then((localDir) =>
      loadDatasets(localDir, {
        onProgress: ctx.onProgress
          ? (event) => ctx.onProgress?.({ step: `loading ${event.dataset}`, done: event.rowsRead, finished: event.finished })
          : undefined,
      }),
    );
    cache.set(dir, datasets);
  }
  return datasets;
}
