/** A small generated shop and campaign files for the marketing-controls tests. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic } from '../../src/synthetic/generate-synthetic.js';
import { writeSyntheticCsv } from '../../src/synthetic/write-synthetic-csv.js';

/** A working directory with `data/` (800 users, 4 categories `cat-00`…`cat-03`) and `campaigns/`. */
export async function controlsWorkspace(): Promise<{ cwd: string; data: string; campaigns: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'affinity-controls-'));
  const data = join(cwd, 'data');
  await writeSyntheticCsv(data, generateSynthetic({ users: 800, items: 200, interactions: 16_000, categories: 4, seed: 3 }), 3);
  return { cwd, data, campaigns: join(cwd, 'campaigns') };
}

/** Writes a new-items campaign over `cat-00` and `cat-01` (or `categories`; file destination under `out/`), plus `extra` YAML lines. */
export async function writeCampaign(dir: string, name: string, extra: string[] = [], options: { numResults?: number; destination?: string[]; categories?: string[] } = {}): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  const destination = options.destination ?? ['  - connector: file', '    dir: out', '    name: "{{campaign}}-{{label}}"'];
  await writeFile(
    file,
    [
      `name: ${name}`,
      'type: new-items',
      'data: ../data',
      'queries:',
      ...(options.categories ?? ['cat-00', 'cat-01']).map((category) => `  - { CATEGORY: ${category} }`),
      'segment:',
      '  provider: local',
      `  numResults: ${options.numResults ?? 100}`,
      'destinations:',
      ...destination,
      ...extra,
      '',
    ].join('\n'),
  );
  return file;
}
