/**
 * `npm run bench [-- --tiers S,M,L] [--only engine,mailchimp]`: runs the benchmark modules and
 * prints one table each. A module exports `bench: BenchModule`; add yours to `benchModules` (one line).
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';

/** One printed row: column name → value. */
export type BenchRow = Record<string, string | number>;

/** A benchmark: a name and a function that measures and returns rows. */
export interface BenchModule {
  name: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

export interface BenchOptions {
  /** Size tiers to run (S, M, L); modules ignore tiers they do not have. */
  tiers: string[];
  /** `--csv`: the engine benchmark also writes each tier as CSV and times the datasets reader on it. */
  csv?: boolean;
  /**
   * `--members N[,N…]`: the HubSpot and sync-repeat benchmarks sync these member counts instead of
   * the tiers' sizes.
   */
  members?: number[];
}

const benchModules: Record<string, () => Promise<{ bench: BenchModule }>> = {
  datasets: () => import('./datasets.js'),
  engine: () => import('./engine.js'),
  hubspot: () => import('./hubspot.js'),
  ingest: () => import('./ingest.js'),
  mailchimp: () => import('./mailchimp.js'),
  queue: () => import('./queue.js'),
  workers: () => import('./workers.js'),
  'sync-repeat': () => import('./sync-repeat.js'),
  'sync-crash': () => import('./sync-crash.js'),
};

const USAGE = `usage: npm run bench -- [--tiers S,M,L] [--only ${Object.keys(benchModules).join(',')}]

  --tiers   size tiers (default S,M,L; L takes minutes: 1M users, 50M interactions; 100k members)
  --only    benchmark modules to run (default: all)
  --csv     engine: also write each tier as CSV and time the datasets reader on it
  --members hubspot, sync-repeat: sync these member counts (N or N,N,…) instead of the tiers' sizes; workers: members per campaign
`;

function render(name: string, rows: BenchRow[]): string {
  const head = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(head.map((key) => String(row[key] ?? '')));
  return `${name}\n${table.toString()}\n`;
}

const { values } = parseArgs({
  options: {
    tiers: { type: 'string', default: 'S,M,L' },
    only: { type: 'string' },
    csv: { type: 'boolean', default: false },
    members: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const names = values.only ? values.only.split(',').map((name) => name.trim()) : Object.keys(benchModules);
const unknown = names.filter((name) => !(name in benchModules));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const members = values.members === undefined ? undefined : values.members.split(',').map((size) => Number(size.trim()));
if (members !== undefined && !members.every((size) => Number.isInteger(size) && size >= 1)) {
  process.stderr.write(`--members needs whole numbers ≥ 1, separated by commas\n${USAGE}`);
  process.exit(2);
}
const options: BenchOptions = {
  tiers: values.tiers.split(',').map((tier) => tier.trim().toUpperCase()).filter(Boolean),
  csv: values.csv,
  ...(members !== undefined ? { members } : {}),
};
process.stdout.write(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}\n\n`);
for (const name of names) {
  const { bench } = await benchModules[name]!();
  process.stdout.write(render(bench.name, await bench.run(options)));
}
