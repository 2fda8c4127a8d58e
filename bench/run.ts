/**
 * `npm run bench [-- --tiers S,M,L]`: runs every benchmark module and prints one table each.
 * A module exports `bench: BenchModule`; add yours to `benchModules` (one line).
 */
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
}

const benchModules: Array<() => Promise<{ bench: BenchModule }>> = [() => import('./engine.js'), () => import('./hubspot.js'), () => import('./mailchimp.js'), () => import('./queue.js')];

function parseTiers(argv: string[]): string[] {
  const at = argv.findIndex((arg) => arg === '--tiers' || arg.startsWith('--tiers='));
  if (at < 0) return ['S', 'M', 'L'];
  const value = argv[at]!.includes('=') ? argv[at]!.split('=')[1]! : (argv[at + 1] ?? '');
  return value.split(',').map((tier) => tier.trim().toUpperCase()).filter(Boolean);
}

function render(name: string, rows: BenchRow[]): string {
  const head = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(head.map((key) => String(row[key] ?? '')));
  return `${name}\n${table.toString()}\n`;
}

const options: BenchOptions = { tiers: parseTiers(process.argv.slice(2)) };
const cpus = (await import('node:os')).cpus();
process.stdout.write(`machine: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round((await import('node:os')).totalmem() / 2 ** 30)} GB RAM, Node ${process.version}\n\n`);
for (const load of benchModules) {
  const { bench } = await load();
  process.stdout.write(render(bench.name, await bench.run(options)));
}
