/**
 * Ingest benchmark per synthetic tier, in the same run: a reference reader on the interactions
 * CSV (DuckDB's own `COPY (SELECT * FROM read_csv(…)) TO '/dev/null'`: every field parsed, no
 * dictionary encoding; pyarrow, the issue's other reference, is not installed on these machines),
 * the interactions CSV → typed arrays (`src/ingest/` alone), the three datasets as CSV and as
 * Parquet (interactions as a directory of parts) → typed arrays (`loadDatasets`, users and items
 * read as a campaign run reads them), and CSV → a trained engine ready to serve (load + matrix +
 * RP3beta + index); each step's ratio to the reference.
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
import { datasetSource } from '../src/ingest/dataset-source.js';
import { sqlString, withDuckDb } from '../src/ingest/duckdb-session.js';
import { ingestInteractions } from '../src/ingest/ingest-interactions.js';
import { generateSynthetic, syntheticTiers, type SyntheticTier } from '../src/synthetic/generate-synthetic.js';
import { writeSyntheticCsv } from '../src/synthetic/write-synthetic-csv.js';
import type { BenchModule, BenchRow } from './run.js';

type Step = 'reference' | 'interactions-csv' | 'csv' | 'parquet' | 'csv-to-engine';
const steps: Step[] = ['reference', 'interactions-csv', 'csv', 'parquet', 'csv-to-engine'];

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
/** CPU seconds (user + system, every thread of this process) since `before`. */
const cpuSeconds = (before: NodeJS.CpuUsage) => {
  const cpu = process.cpuUsage(before);
  return ((cpu.user + cpu.system) / 1e6).toFixed(1);
};

async function measure(tier: SyntheticTier, step: Step): Promise<BenchRow> {
  const dirs = await prepareBenchData(tier);
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const row: BenchRow = {};
  if (step === 'reference') {
    await withDuckDb(async (connection) => {
      await connection.run(`COPY (SELECT * FROM read_csv(${sqlString(join(dirs.csv, 'interactions.csv'))})) TO '/dev/null' (FORMAT csv)`);
    });
  } else if (step === 'interactions-csv') {
    const interactions = await ingestInteractions(datasetSource(join(dirs.csv, 'interactions.csv')));
    row.interactions = interactions.length;
  } else {
    const datasets = await loadDatasets(step === 'parquet' ? dirs.parquet : dirs.csv);
    row.interactions = datasets.interactions.length;
    row.users = datasets.users.byId.size;
    if (step === 'csv-to-engine') {
      row['read s (CPU)'] = `${seconds(start).toFixed(1)} (${cpuSeconds(cpuBefore)})`;
      let mark = process.hrtime.bigint();
      let cpuMark = process.cpuUsage();
      const matrix = buildUserItemMatrix(datasets.interactions);
      const model = await trainRp3beta(matrix);
      row['matrix + train s (CPU)'] = `${seconds(mark).toFixed(1)} (${cpuSeconds(cpuMark)})`;
      mark = process.hrtime.bigint();
      cpuMark = process.cpuUsage();
      new LocalSegmenter(datasets.interactions, datasets.items, matrix, model);
      row['index s (CPU)'] = `${seconds(mark).toFixed(1)} (${cpuSeconds(cpuMark)})`;
    }
  }
  return {
    tier,
    step,
    's (wall)': seconds(start).toFixed(1),
    'CPU s': cpuSeconds(cpuBefore),
    'wall × ref': '',
    'CPU × ref': '',
    'peak RSS GB': ((process.resourceUsage().maxRSS * 1024) / 2 ** 30).toFixed(2),
    'load avg': loadavg()[0]!.toFixed(1),
    ...row,
  };
}

export const bench: BenchModule = {
  name: "Ingest (src/ingest/, DuckDB) on synthetic tiers: interactions CSV and the three datasets → typed arrays, CSV → trained engine; reference: DuckDB's COPY (SELECT * FROM read_csv(interactions.csv)) TO '/dev/null'. Wall and CPU seconds (every thread) per step, each in its own process",
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
      const reference = tierRows[0]!;
      for (const row of tierRows.slice(1)) {
        row['wall × ref'] = (Number(row['s (wall)']) / Number(reference['s (wall)'])).toFixed(2);
        row['CPU × ref'] = (Number(row['CPU s']) / Number(reference['CPU s'])).toFixed(2);
      }
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
