/**
 * Local engine benchmark per synthetic tier: matrix build ("load" from typed arrays), training,
 * time per Item-Affinity segment of 10,000 users (100 segments), time per attribute segment, peak
 * RSS, and quality against the planted tastes. Each tier runs in its own process, so that the
 * peak RSS is the tier's own (`tsx bench/engine.ts --tier S [--csv]` runs one tier and prints JSON).
 * With `--csv`, the tier is also written as Personalize CSV files and loaded by the datasets
 * reader (the engine then runs on the loaded data, remapped to the reader's indices).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDatasets } from '../src/datasets/load-datasets.js';
import { writeSyntheticCsv } from '../src/synthetic/write-synthetic-csv.js';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LocalSegmenter } from '../src/engine/local-segmenter.js';
import { trainRp3beta, type Rp3betaModel } from '../src/engine/rp3beta.js';
import { buildUserItemMatrix, type UserItemMatrix } from '../src/engine/user-item-matrix.js';
import { scoringPresets } from '../src/evaluation/scoring-candidates.js';
import { seededRandom } from '../src/evaluation/seeded-random.js';
import { generateSynthetic, syntheticTiers, type SyntheticTier } from '../src/synthetic/generate-synthetic.js';
import { tastePrecision } from '../src/synthetic/planted-quality.js';
import type { BenchModule, BenchRow } from './run.js';

const segmentUsers = 10_000;
const itemSegments = 100;
const attributeSegments = 10;

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function runTier(tier: SyntheticTier, csv: boolean): Promise<BenchRow> {
  const spec = syntheticTiers[tier];
  let start = process.hrtime.bigint();
  let data = generateSynthetic(spec);
  const generateS = seconds(start);
  let csvRow: BenchRow = {};
  if (csv) {
    // Round trip through the Personalize CSV layout: the engine then runs on what the reader loaded.
    const dir = await mkdtemp(join(tmpdir(), `affinity-bench-${tier}-`));
    try {
      await writeSyntheticCsv(dir, data);
      const planted = data;
      start = process.hrtime.bigint();
      const loaded = await loadDatasets(dir);
      csvRow = { 'CSV load s': seconds(start).toFixed(1) };
      data = { ...planted, interactions: loaded.interactions, items: loaded.items };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const cpuBefore = process.cpuUsage();
  start = process.hrtime.bigint();
  const matrix = buildUserItemMatrix(data.interactions);
  const loadS = seconds(start);
  start = process.hrtime.bigint();
  const model = await trainRp3beta(matrix);
  const trainS = seconds(start);
  start = process.hrtime.bigint();
  const segmenter = new LocalSegmenter(data.interactions, data.items, matrix, model);
  const indexS = seconds(start);
  const cpu = process.cpuUsage(cpuBefore);
  const loadTrainCpuS = (cpu.user + cpu.system) / 1e6;
  const engine = segmenter.engine;

  const random = seededRandom(7);
  const warmItems = data.interactions.itemIds.length;
  const queries = Array.from({ length: itemSegments }, () => Math.floor(random() * warmItems));
  start = process.hrtime.bigint();
  const itemSegmentsRanked = queries.map((item) => segmenter.segment({ itemId: data.interactions.itemIds[item]! }, { numResults: segmentUsers }));
  const itemTotalS = seconds(start);

  const categories = Array.from({ length: attributeSegments }, (_, k) => Math.floor((k * spec.categories) / attributeSegments));
  start = process.hrtime.bigint();
  const attributeRanked = categories.map((c) => segmenter.segment({ itemAttributes: `ITEMS.CATEGORY = "${data.categoryNames[c]}"` }, { numResults: segmentUsers }));
  const attributeS = seconds(start) / attributeSegments;

  // Quality: share of the top 1% of users who favour the query's category (random ≈ 2 / categories).
  const topShare = Math.max(1, Math.round(spec.users / 100));
  // Planted truth is indexed by the generator's user number (USER_ID `u<n>`) and items-dataset row.
  const toIndices = (ids: string[]) => ids.slice(0, topShare).map((id) => Number(id.slice(1)));
  const categoryOfItem = (item: number) => data.itemCategory[data.items.indexOf.get(data.interactions.itemIds[item]!)!]!;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const itemPrecision = mean(itemSegmentsRanked.map((s, q) => tastePrecision(data, categoryOfItem(queries[q]!), toIndices(s.result.output.usersList))));
  const attributePrecision = mean(attributeRanked.map((s, q) => tastePrecision(data, categories[q]!, toIndices(s.result.output.usersList))));
  const newItemRows = Array.from(data.newItems.subarray(0, 10));
  const newItemPrecision = mean(
    newItemRows.map((row) => {
      const style = data.items.columns[1]!.values[row]![0]!;
      const served = segmenter.segment({ itemAttributes: `ITEMS.STYLE = "${style}"` }, { numResults: segmentUsers });
      return tastePrecision(data, data.itemCategory[row]!, toIndices(served.result.output.usersList));
    }),
  );
  const scored = timeScoring(data, matrix, model, queries, categories);
  const activity = Array.from(engine.activityRanking(topShare), (u) => Number(data.interactions.userIds[u]!.slice(1)));
  const activityPrecision = mean(categories.map((c) => tastePrecision(data, c, activity)));

  const peakRssGb = (process.resourceUsage().maxRSS * 1024) / 2 ** 30;
  return {
    tier,
    users: spec.users,
    items: spec.items,
    interactions: data.interactions.length,
    'generate s': generateS.toFixed(1),
    'load s': loadS.toFixed(1),
    'train s': trainS.toFixed(1),
    'index s': indexS.toFixed(1),
    ...csvRow,
    'load+train s': (loadS + trainS + indexS).toFixed(1),
    // CPU seconds of all threads: the wall time above also depends on what else the machine runs.
    'load+train CPU s': loadTrainCpuS.toFixed(1),
    'load avg': loadavg()[0]!.toFixed(1),
    [`${itemSegments} item segments s`]: itemTotalS.toFixed(2),
    'ms / item segment': ((itemTotalS / itemSegments) * 1000).toFixed(1),
    'ms / attribute segment': (attributeS * 1000).toFixed(1),
    ...scored,
    'peak RSS GB': peakRssGb.toFixed(2),
    'taste precision@1% item / attribute / new item': `${itemPrecision.toFixed(3)} / ${attributePrecision.toFixed(3)} / ${newItemPrecision.toFixed(3)}`,
    'activity / random baseline': `${activityPrecision.toFixed(3)} / ${(2 / spec.categories).toFixed(3)}`,
  };
}

/** The same segments with the optional recency-weighted shrunk-share scoring (`evaluate --models rp3beta-recency-share`). */
function timeScoring(data: ReturnType<typeof generateSynthetic>, matrix: UserItemMatrix, model: Rp3betaModel, queries: number[], categories: number[]): BenchRow {
  let start = process.hrtime.bigint();
  const segmenter = new LocalSegmenter(data.interactions, data.items, matrix, model, scoringPresets['rp3beta-recency-share'].scoring);
  const indexS = seconds(start);
  start = process.hrtime.bigint();
  for (const item of queries) segmenter.segment({ itemId: data.interactions.itemIds[item]! }, { numResults: segmentUsers });
  const itemS = seconds(start);
  start = process.hrtime.bigint();
  for (const c of categories) segmenter.segment({ itemAttributes: `ITEMS.CATEGORY = "${data.categoryNames[c]}"` }, { numResults: segmentUsers });
  const attributeS = seconds(start);
  return {
    'recency-share: index s': indexS.toFixed(1),
    'recency-share: ms / item segment': ((itemS / queries.length) * 1000).toFixed(1),
    'recency-share: ms / attribute segment': ((attributeS / categories.length) * 1000).toFixed(1),
  };
}

export const bench: BenchModule = {
  name: `Local engine (RP3beta) on synthetic tiers: segments of ${segmentUsers} users; "load" = binary matrix from typed arrays`,
  async run({ tiers, csv }) {
    const rows: BenchRow[] = [];
    const self = fileURLToPath(import.meta.url);
    for (const tier of tiers.filter((t): t is SyntheticTier => t in syntheticTiers)) {
      const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, self, '--tier', tier, ...(csv ? ['--csv'] : [])], {
        maxBuffer: 1 << 20,
        env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=16384`.trim() },
      });
      rows.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as BenchRow);
    }
    return rows;
  },
};

const tierFlag = process.argv.indexOf('--tier');
if (tierFlag >= 0 && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const row = await runTier(process.argv[tierFlag + 1] as SyntheticTier, process.argv.includes('--csv'));
  process.stdout.write(`${JSON.stringify(row)}\n`);
}
