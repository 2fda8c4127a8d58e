/**
 * Ingest benchmark per synthetic tier: the datasets (interactions, items, users) as CSV and as
 * Parquet (interactions as a directory of parts) → typed arrays (`loadDatasets`), CSV → a trained
 * engine ready to serve (load + matrix + RP3beta + index), and in the same run a reference reader
 * on the same interactions CSV: DuckDB's own CSV reader into an in-memory table
 * (`CREATE TABLE … AS SELECT * FROM read_csv(…)`, no dictionary encoding), with the ratio.
 *
 * The files are written once per tier into `AFFINITY_BENCH_DATA_DIR` (default
 * `<tmpdir>/affinity-bench-data/<tier>`) and reused. Each measurement runs in its own process, so
 * its peak RSS is its own; CPU seconds count every thread of that process.
 * `tsx bench/ingest.ts --tier L --step csv` runs one measurement and prints JSON.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadDatasets } from '../src/datasets/load-datasets.js';
import { LocalSegmenter } from '../src/engine/local-segmenter.js';
import { trainRp3beta } from '../src/engine/rp3beta.js';
import { buildUserItemMatrix } from '../src/engine/user-item-matrix.js';
import { sqlString, withDuckDb } from '../src/ingest/duckdb-session.js';
import { generateSynthetic, syntheticTiers, type SyntheticTier } from '../src/synthetic/generate-synthetic.js';
import { writeSyntheticCsv } from '../src/synthetic/write-synthetic-csv.js';
import type { BenchModule, BenchRow } from './run.js';

type Step = 'csv' | 'parquet' | 'csv-to-engine' | 'reference';
const steps: Step[] = ['reference', 'csv', 'parquet', 'csv-to-engine'];

/** Where a tier's files live. */
export function benchDataDir(tier: string): string {
  return join(process.env.AFFINITY_BENCH_DATA_DIR ?? join(tmpdir(), 'affinity-bench-data'), tier);
}

/** Writes the tier as CSV (`csv/`) and Parquet (`parquet/`, interactions in parts of 10M rows) unless already there. */
export async function prepareBenchData(tier: SyntheticTier): Promise<{ csv: string; parquet: string }> {
  const root = benchDataDir(tier);
  const csv = join(root, 'csv');
  const parquet = join(root, 'parquet');
  if (!existsSync(join(csv, 'users.csv'))) await writeSyntheticCsv(csv, generateSynthetic(syntheticTiers[tier]));
  if (!existsSync(join(parquet, 'users.parquet'))) {
    await mkdir(join(parquet, 'interactions'), { recursive: true });
    await withDuckDb(async (connection) => {
      const read = (name: string) => `read_csv(${sqlString(join(csv, `${name}.csv`))}, all_varchar = true)`;
      await connection.run(
        `COPY (SELECT USER_ID, ITEM_ID, TIMESTAMP::BIGINT AS TIMESTAMP, EVENT_TYPE FROM ${read('interactions')}) TO ${sqlString(join(parquet, 'interactions'))} (FORMAT parquet, PER_THREAD_OUTPUT false, FILE_SIZE_BYTES '200MB', FILENAME_PATTERN 'part-{i}')`,
      );
      for (const name of ['items', 'users']) await connection.run(`COPY (SELECT * FROM ${read(name)}) TO ${sqlString(join(parquet, `${name}.parquet`))} (FORMAT parquet)`);
    });
  }
  return { csv, parquet };
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function measure(tier: SyntheticTier, step: Step): Promise<BenchRow> {
  const dirs = await prepareBenchData(tier);
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const row: BenchRow = {};
  if (step === 'reference') {
    await withDuckDb(async (connection) => {
      await connection.run(`CREATE TABLE interactions AS SELECT * FROM read_csv(${sqlString(join(dirs.csv, 'interactions.csv'))})`);
    });
  } else {
    const datasets = await loadDatasets(step === 'parquet' ? dirs.parquet : dirs.csv);
    row.interactions = datasets.interactions.length;
    row.users = datasets.users.byId.size;
    if (step === 'csv-to-engine') {
      row['read s'] = seconds(start).toFixed(1);
      let mark = process.hrtime.bigint();
      const matrix = buildUserItemMatrix(datasets.interactions);
      const model = await trainRp3beta(matrix);
      row['matrix + train s'] = seconds(mark).toFixed(1);
      mark = process.hrtime.bigint();
      new LocalSegmenter(datasets.interactions, datasets.items, matrix, model);
      row['index s'] = seconds(mark).toFixed(1);
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    tier,
    step,
    ...row,
    's (wall)': seconds(start).toFixed(1),
    'CPU s': ((cpu.user + cpu.system) / 1e6).toFixed(1),
    'peak RSS GB': ((process.resourceUsage().maxRSS * 1024) / 2 ** 30).toFixed(2),
    'load avg': loadavg()[0]!.toFixed(1),
  };
}

export const bench: BenchModule = {
  name: 'Ingest (src/ingest/, DuckDB) on synthetic tiers: datasets → typed arrays, CSV → trained engine, and DuckDB’s own CSV reader as the reference',
  async run({ tiers }) {
    const rows: BenchRow[] = [];
    const self = fileURLToPath(import.meta.url);
    for (const tier of tiers.filter((t): t is SyntheticTier => t in syntheticTiers)) {
      await prepareBenchData(tier);
      const tierRows: BenchRow[] = [];
      for (const step of steps) {
        const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, self, '--tier', tier, '--step', step], {
          maxBuffer: 1 << 20,
          env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=16384`.trim() },
        });
        tierRows.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as BenchRow);
      }
      const reference = Number(tierRows[0]!['s (wall)']);
      for (const row of tierRows.slice(1)) row['× reference'] = (Number(row['s (wall)']) / reference).toFixed(2);
      rows.push(...tierRows);
    }
    return rows;
  },
};

const tierFlag = process.argv.indexOf('--tier');
if (tierFlag >= 0 && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const step = process.argv[process.argv.indexOf('--step') + 1] as Step;
  process.stdout.write(`${JSON.stringify(await measure(process.argv[tierFlag + 1] as SyntheticTier, step))}\n`);
}
