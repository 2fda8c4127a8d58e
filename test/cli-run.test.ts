/**
 * End to end: the CLI on the bundled retail data, writing audiences to files.
 */
import { mkdtemp, readFile, readdir, rm, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { gunzipSync } from 'node:zlib';
import { runCli } from './helpers/run-cli.js';

const repo = resolve(import.meta.dirname, '..');
const campaigns = ['excess-inventory.yaml', 'new-items.yaml'].map((name) => join(repo, 'config/campaigns', name));

interface SegmentCounts {
  label: string;
  usersInSegment: number;
  matched: number;
  members: number;
}
interface Report {
  campaign: string;
  segments: SegmentCounts[];
  destinations: Array<{ segments: Array<{ sync: { audience: { location: string }; outcomes: { added: number } } }> }>;
}

async function audienceFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.csv')).sort()) {
    files.set(name, await readFile(join(dir, name), 'utf8'));
  }
  return files;
}

describe('affinity-sync run on the bundled retail data', () => {
  let cwd: string;
  let reports: Report[];
  let firstRun: Map<string, string>;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'affinity-run-'));
    const result = await runCli(['run', '--json', ...campaigns], { cwd });
    // Each run's id is printed as it starts, on stderr (the JSON report is on stdout).
    expect(result.stderr).toMatch(/^started run winter-clearance-\d{8}T\d{6}Z \(winter-clearance\)\nstarted run new-arrivals-\d{8}T\d{6}Z \(new-arrivals\)\n$/);
    expect(result.code).toBe(0);
    reports = JSON.parse(result.stdout) as Report[];
    firstRun = await audienceFiles(join(cwd, 'out/audiences'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('plans the overstocked items and the new items\' categories', () => {
    expect(reports.map((report) => report.campaign)).toEqual(['winter-clearance', 'new-arrivals']);
    // inventory.csv: four items hold ≥ 20 × their 30-day sales and ≥ 50 units; three do not.
    expect(reports[0]?.segments.map((segment) => segment.label)).toEqual([
      'Urban Glide Red Sneaker Wedges',
      'Winter Wonderland Candle Set',
      'Vintage Charm Oil Lantern',
      'Vintage Suede Explorer Jacket',
    ]);
    expect(reports[1]?.segments.map((segment) => segment.label)).toEqual(['footwear', 'jewelry']);
  });

  it('writes one audience file per segment with numResults users, unique emails, in rank order', () => {
    expect([...firstRun.keys()]).toEqual([
      'new-arrivals-footwear.csv',
      'new-arrivals-jewelry.csv',
      'winter-clearance-urban-glide-red-sneaker-wedges.csv',
      'winter-clearance-vintage-charm-oil-lantern.csv',
      'winter-clearance-vintage-suede-explorer-jacket.csv',
      'winter-clearance-winter-wonderland-candle-set.csv',
    ]);
    const numResults = { 'winter-clearance': 200, 'new-arrivals': 500 } as Record<string, number>;
    for (const report of reports) {
      for (const [index, segment] of report.segments.entries()) {
        expect(segment.usersInSegment).toBe(numResults[report.campaign]);
        expect(segment.matched).toBe(segment.usersInSegment); // every retail user has an email
        const sync = report.destinations[0]?.segments[index]?.sync;
        const file = sync?.audience.location.split('/').at(-1) ?? '';
        const rows = parse<Record<string, string>>(firstRun.get(file) ?? '', { columns: true });
        expect(rows.length).toBe(segment.members);
        expect(sync?.outcomes.added).toBe(segment.members);
        const emails = rows.map((row) => row.email);
        expect(new Set(emails).size).toBe(emails.length);
        const ranks = rows.map((row) => Number(row.rank));
        expect(ranks.every((rank, i) => i === 0 || rank > (ranks[i - 1] ?? 0))).toBe(true);
        expect(ranks[0]).toBe(1);
        expect(Math.max(...ranks)).toBeLessThanOrEqual(segment.usersInSegment);
        expect(rows.every((row) => /^[^@\s]+@example\.com$/.test(row.email ?? ''))).toBe(true);
      }
    }
  });

  it('reaches the users whose persona holds the category', async () => {
    // PERSONA (how the data was generated: each user's favourite categories) is never a model input; it checks plausibility.
    const users = parse<Record<string, string>>(gunzipSync(await readFile(join(repo, 'data/retail-demo-store/users.csv.gz'))), { columns: true });
    const personaOf = new Map(users.map((user) => [user.USER_ID, user.PERSONA ?? '']));
    const rows = parse<Record<string, string>>(firstRun.get('new-arrivals-footwear.csv') ?? '', { columns: true });
    const fans = rows.filter((row) => (row.user_id ?? '').split('|').some((id) => (personaOf.get(id) ?? '').split('|').includes('footwear')));
    expect(fans.length / rows.length).toBeGreaterThan(0.9);
  });

  it('keeps merged USER_IDs in their own column: user_id is always one id of the users dataset', () => {
    const rows = [...firstRun.values()].flatMap((csv) => parse<Record<string, string>>(csv, { columns: true }));
    expect(Object.keys(rows[0] ?? {})).toEqual(['email', 'user_id', 'first_name', 'last_name', 'rank', 'score', 'merged_user_ids']);
    expect(rows.filter((row) => !/^\d+$/.test(row.user_id ?? ''))).toEqual([]);
    const merged = rows.filter((row) => row.merged_user_ids !== '');
    // The report's "N USER_IDs shared an email … merged" lines: 5 + 3 over the two campaigns.
    expect(merged.flatMap((row) => (row.merged_user_ids ?? '').split('|'))).toHaveLength(8);
    expect(merged.every((row) => /^\d+(\|\d+)*$/.test(row.merged_user_ids ?? ''))).toBe(true);
  });

  it('writes byte-identical audience files on a second run', async () => {
    const again = await runCli(['run', ...campaigns], { cwd });
    expect(again.code).toBe(0);
    expect(await audienceFiles(join(cwd, 'out/audiences'))).toEqual(firstRun);
  });

  it('prints the summary table', async () => {
    const dry = await runCli(['run', '--dry-run', campaigns[1] ?? ''], { cwd });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('new-arrivals (new-items)');
    expect(dry.stdout).toContain('DRY RUN: nothing written');
    expect(dry.stdout).toContain('ITEMS.CATEGORY_L1 = "footwear"');
    expect(dry.stdout).toMatch(/footwear[^\n]*│ 500 +│ 500 +│ 0 +│ 500 /);
  });
});

describe('affinity-sync run with bad input', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'affinity-bad-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('reports every problem of a campaign file with its field path, exit 2, no stack trace, nothing written', async () => {
    const file = join(cwd, 'broken.yaml');
    await writeFile(
      file,
      ['name: Bad Name', 'type: new-items', 'queries: ["ITEMS.CATEGORY_L1 = \\"footwear\\" OR ITEMS.GENDER = \\"F\\""]', 'segment: { provider: local, numResults: 0 }', 'destinations: []', 'colour: blue', ''].join('\n'),
    );
    const result = await runCli(['run', file], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('broken.yaml');
    for (const field of ['name', 'queries[0]', 'segment.numResults', 'destinations', 'colour']) expect(result.stderr).toContain(field);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    await expect(readdir(join(cwd, 'out'))).rejects.toThrow();
  });

  it('names the file, line and column of bad data, exit 2', async () => {
    const data = join(cwd, 'data');
    await mkdir(data);
    await copyFile(join(repo, 'data/retail-demo-store/items.csv.gz'), join(data, 'items.csv.gz'));
    await copyFile(join(repo, 'data/retail-demo-store/users.csv.gz'), join(data, 'users.csv.gz'));
    await writeFile(join(data, 'interactions.csv'), 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n1,6579c22f-be2b-444c-a52b-0116dd82df6c,1734314511,View\n2,6579c22f-be2b-444c-a52b-0116dd82df6c,yesterday,View\n');
    const result = await runCli(['run', '--data', data, campaigns[1] ?? ''], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/interactions\.csv:3: TIMESTAMP: /);
    expect(result.stderr).toContain('yesterday');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('affinity-sync run interrupted with Ctrl-C', () => {
  it('stops before writing, names the run id to resume and exits 130', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'affinity-sigint-'));
    try {
      const before = new Set(process.listeners('SIGINT'));
      const running = runCli(['run', campaigns[1] ?? ''], { cwd });
      let ours: NodeJS.SignalsListener | undefined;
      while (!ours) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        ours = process.listeners('SIGINT').find((listener) => !before.has(listener));
      }
      ours('SIGINT');
      const result = await running;
      expect(result.code).toBe(130);
      expect(result.stderr).toMatch(/interrupted during new-arrivals \(run new-arrivals-\d{8}T\d{6}Z\): stopped after the request in flight\./);
      expect(result.stderr).toMatch(/resumes them with: --run-id new-arrivals-\d{8}T\d{6}Z/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      await expect(readdir(join(cwd, 'out'))).rejects.toThrow();
      expect(process.listeners('SIGINT').filter((listener) => !before.has(listener))).toEqual([]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
