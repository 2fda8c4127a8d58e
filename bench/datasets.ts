/**
 * Benchmark: load the bundled retail datasets (`loadDatasets`), then fingerprint them.
 * Run alone with `npx tsx bench/datasets.ts`, or with the others by `npm run bench` ({@link bench}).
 */
import { pathToFileURL } from 'node:url';
import { fingerprintDatasets } from '../src/datasets/fingerprint-datasets.js';
import { loadDatasets } from '../src/datasets/load-datasets.js';
import type { BenchModule, BenchRow } from './run.js';

/** Dataset directory the benchmark reads. */
export const benchDataDir = 'data/retail-demo-store';

/**
 * Times one `loadDatasets` of {@link benchDataDir} and one `fingerprintDatasets`; reports rows/s
 * over all three files and the process's peak resident set size (maxRSS, so it includes whatever
 * ran before in the same process).
 */
export async function benchDatasets(): Promise<BenchRow> {
  const loadStart = performance.now();
  const datasets = await loadDatasets(benchDataDir);
  const loadMs = performance.now() - loadStart;
  const fingerprintStart = performance.now();
  await fingerprintDatasets(benchDataDir);
  const fingerprintMs = performance.now() - fingerprintStart;

  const rows = datasets.interactions.length + datasets.items.itemIds.length + datasets.users.byId.size;
  return {
    'datasets: rows (interactions + items + users)': rows,
    'datasets: load ms': Math.round(loadMs),
    'datasets: rows/s': Math.round(rows / (loadMs / 1000)),
    'datasets: fingerprint ms': Math.round(fingerprintMs),
    'datasets: peak RSS MB': Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** The datasets table of `npm run bench`: one row, the bundled data has no size tiers. */
export const bench: BenchModule = {
  name: 'datasets: load and fingerprint the bundled retail data',
  run: async () => [await benchDatasets()],
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await benchDatasets();
  for (const [name, value] of Object.entries(results)) process.stdout.write(`${name}: ${value}\n`);
}
