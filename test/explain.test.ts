import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlannedQuery } from '../src/campaign/planned-query.js';
import type { AffinityModel } from '../src/engine/affinity-model.js';
import { LocalSegmenter } from '../src/engine/local-segmenter.js';
import { trainRp3beta } from '../src/engine/rp3beta.js';
import { buildUserItemMatrix } from '../src/engine/user-item-matrix.js';
import { explainUser, type SegmentExplanation } from '../src/explain/explain-user.js';
import { itemContributions } from '../src/explain/item-contributions.js';
import { kitchenFans, outdoorFans, twoGroupDatasets, twoGroupRows } from './fixtures/two-taste-groups.js';
import { runCli } from './helpers/run-cli.js';

const outdoor: PlannedQuery = { label: 'outdoor', query: { itemAttributes: 'ITEMS.CATEGORY = "outdoor"' } };
const tent: PlannedQuery = { label: 'tent', query: { itemId: 'tent' } };

async function trained() {
  const datasets = twoGroupDatasets();
  const matrix = buildUserItemMatrix(datasets.interactions);
  const model = await trainRp3beta(matrix, {}, { threads: 1 });
  return { datasets, matrix, model };
}

const ranked = (segment: SegmentExplanation) => {
  if (segment.standing.status !== 'ranked') throw new Error(`expected a ranked standing, got ${segment.standing.status}`);
  return segment.standing;
};

describe('item contributions', () => {
  it('are column i of W for Item-Affinity, and the content prior adds γ to the matching items themselves', async () => {
    const { datasets, model } = await trained();
    const index = (id: string) => datasets.interactions.itemIds.indexOf(id);
    const tentColumn = new Map<number, number>();
    for (let p = model.colPtr[index('tent')]!; p < model.colPtr[index('tent') + 1]!; p++) tentColumn.set(model.rows[p]!, model.vals[p]!);
    const forTent = itemContributions(model, { kind: 'item', item: index('tent') }, 0)!;
    expect([...tentColumn.keys()].map((i) => datasets.interactions.itemIds[i]).sort()).toEqual(['boots', 'lamp', 'stove']);
    for (const [item, weight] of tentColumn) expect(forTent[item]).toBeCloseTo(weight, 12);
    expect(forTent[index('pan')]).toBe(0);

    const pair = Int32Array.of(index('tent'), index('boots'));
    const collaborative = itemContributions(model, { kind: 'items', items: pair }, 0)!;
    const prior = itemContributions(model, { kind: 'items', items: pair }, 1)!;
    const blended = itemContributions(model, { kind: 'items', items: pair }, 0.25)!;
    expect(Array.from(prior)).toEqual(Array.from(prior, (_, item) => (item === index('tent') || item === index('boots') ? 1 : 0)));
    for (let item = 0; item < model.numItems; item++) expect(blended[item]).toBeCloseTo(0.75 * collaborative[item]! + 0.25 * prior[item]!, 12);
  });


  it('read a dense item-item model by column (negative weights kept), and give no breakdown for a factor model', () => {
    // W[i, j] at weights[j·n + i]: column 2 is (0.5, −0.25, 0).
    const dense = { kind: 'ease', numItems: 3, params: {}, weights: Float32Array.of(0, 1, 0, 1, 0, 0, 0.5, -0.25, 0) } as unknown as AffinityModel;
    expect(Array.from(itemContributions(dense, { kind: 'item', item: 2 }, 0)!)).toEqual([0.5, -0.25, 0]);
    expect(Array.from(itemContributions(dense, { kind: 'terms', sets: [Int32Array.of(0, 2)] }, 0)!)).toEqual([0.25, 0.375, 0]);
    const factors = { kind: 'ials', numItems: 3, numUsers: 2, params: {}, userFactors: new Float32Array(4), itemFactors: new Float32Array(6) } as unknown as AffinityModel;
    expect(itemContributions(factors, { kind: 'item', item: 0 }, 0)).toBeUndefined();
  });
});

describe('explainUser on the two taste groups', () => {
  it("orders users exactly as the engine ranks them, by the sum of their items' contributions", async () => {
    const { datasets, matrix, model } = await trained();
    for (const attributePriorWeight of [0, 0.5]) {
      const segmenter = new LocalSegmenter(datasets.interactions, datasets.items, matrix, model, { attributePriorWeight });
      for (const planned of [outdoor, tent]) {
        const engineOrder = segmenter.segment(planned.query, { numResults: 12, excludeInteracted: true }).result.output.usersList;
        const explained = datasets.interactions.userIds.map((userId) => ({
          userId,
          segment: explainUser({ datasets, matrix, model, attributePriorWeight, segments: [planned], userId, numResults: 3 }).segments[0]!,
        }));
        const candidates = explained.filter(({ segment }) => segment.standing.status === 'ranked');
        // Every candidate's rank is its place in the engine's list, and scores never rise down the list.
        expect(candidates.map(({ userId, segment }) => [ranked(segment).rank, userId]).sort((a, b) => Number(a[0]) - Number(b[0])).map(([, u]) => u)).toEqual(engineOrder);
        const scores = engineOrder.map((userId) => explained.find((entry) => entry.userId === userId)!.segment.score);
        for (let k = 1; k < scores.length; k++) expect(scores[k]!).toBeLessThanOrEqual(scores[k - 1]! + 1e-12);
        // The users in the segment are the engine's first three (listed here in dataset order).
        expect(candidates.filter(({ segment }) => ranked(segment).inSegment).map(({ userId }) => userId).sort()).toEqual(engineOrder.slice(0, 3).sort());
      }
    }
  });

  it('explains an outdoor fan by outdoor items only, with shares that add up to the score', async () => {
    const { datasets, matrix, model } = await trained();
    const explanation = explainUser({ datasets, matrix, model, attributePriorWeight: 0, segments: [outdoor, tent], userId: 'o1', numResults: 3 });
    expect(explanation).toMatchObject({ userId: 'o1', items: 3, interactions: 4, attributeColumns: ['CATEGORY', 'STYLE'] });
    const [byCategory, byTent] = explanation.segments;

    // o1 skipped the tent, so o1 is a candidate for it, with o5 (same items, higher index) and the
    // 6 kitchen fans (score 0); the 4 outdoor fans who had the tent are left out.
    expect(ranked(byTent!)).toEqual({ status: 'ranked', rank: 1, candidates: 8, inSegment: true });
    expect(byTent!.topItems.map((item) => item.itemId).sort()).toEqual(['boots', 'lamp', 'stove']);
    expect(byTent!.topItems.every((item) => !item.matchesQuery)).toBe(true);
    const boots = byTent!.topItems.find((item) => item.itemId === 'boots')!;
    expect(boots).toMatchObject({ attributes: { CATEGORY: 'outdoor', STYLE: 'gear' }, events: [{ eventType: 'View', count: 2 }] });
    expect(boots.lastSeconds - boots.firstSeconds).toBeGreaterThan(0);

    expect(byCategory!.scoredBy).toBe('items');
    expect(byCategory!.contributingItems).toBe(3);
    expect(byCategory!.topItems.every((item) => item.matchesQuery && item.attributes.CATEGORY === 'outdoor')).toBe(true);
    const shareSum = byCategory!.topItems.reduce((sum, item) => sum + item.share, 0);
    expect(shareSum).toBeCloseTo(1, 12);
    expect(byCategory!.topItems.reduce((sum, item) => sum + item.contribution, 0)).toBeCloseTo(byCategory!.score, 12);
    // Shares are sorted, biggest first.
    const shares = byCategory!.topItems.map((item) => item.share);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
  });

  it('gives a kitchen fan score 0 for the outdoor segment, outside the top 3', async () => {
    const { datasets, matrix, model } = await trained();
    const explanation = explainUser({ datasets, matrix, model, attributePriorWeight: 0, segments: [outdoor], userId: 'k3', numResults: 3 });
    const segment = explanation.segments[0]!;
    expect(segment.score).toBe(0);
    expect(segment.topItems).toEqual([]);
    // The 6 outdoor fans come first; kitchen fans follow, ordered by activity then index.
    expect(ranked(segment).rank).toBeGreaterThan(outdoorFans.length);
    expect(ranked(segment)).toMatchObject({ candidates: outdoorFans.length + kitchenFans.length, inSegment: false });
  });

  it('says a user who interacted with the item is excluded from its Item-Affinity segment', async () => {
    const { datasets, matrix, model } = await trained();
    const explanation = explainUser({ datasets, matrix, model, attributePriorWeight: 0, segments: [tent], userId: 'o2', numResults: 3 });
    expect(explanation.segments[0]!.standing).toEqual({ status: 'excluded' });
  });

  it('refuses an unknown USER_ID with the dataset files in the message', async () => {
    const { datasets, matrix, model } = await trained();
    expect(() => explainUser({ datasets, matrix, model, attributePriorWeight: 0, segments: [tent], userId: 'nobody', numResults: 3 })).toThrow(
      '--user: USER_ID "nobody" is not in interactions.csv; expected a USER_ID of the campaign\'s datasets',
    );
  });
});

describe('affinity-sync explain', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'explain-'));
    const data = join(dir, 'data');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(data);
    const rows = twoGroupRows();
    await writeFile(
      join(data, 'interactions.csv'),
      ['USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE', ...rows.map(([user, item], r) => `${user},${item},${1_733_000_000 + r * 3600},${r % 5 === 4 ? 'Purchase' : 'View'}`)].join('\n') + '\n',
    );
    const items = twoGroupDatasets().items;
    await writeFile(
      join(data, 'items.csv'),
      ['ITEM_ID,PRODUCT_NAME,CATEGORY,STYLE', ...items.itemIds.map((id, row) => `${id},${id[0]!.toUpperCase()}${id.slice(1)},${items.columns[0]!.values[row]![0]},${items.columns[1]!.values[row]!.join('|')}`)].join('\n') + '\n',
    );
    const users = [...outdoorFans, ...kitchenFans, 'newbie'];
    await writeFile(join(data, 'users.csv'), ['USER_ID,EMAIL', ...users.map((user) => `${user},${user}@example.com`)].join('\n') + '\n');
    await writeFile(
      join(dir, 'outdoor.yaml'),
      [
        'name: outdoor-fans',
        'type: new-items',
        'data: data',
        'queries:',
        '  - ITEMS.CATEGORY = "outdoor"',
        '  - ITEMS.CATEGORY = "kitchen"',
        'segment: { provider: local, numResults: 6 }',
        'destinations: [{ connector: file, dir: out }]',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the rank and the items behind the score of one segment', async () => {
    const result = await runCli(['explain', '--campaign', 'outdoor.yaml', '--user', 'o1', '--segment', 'OUTDOOR'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('User o1 in campaign outdoor-fans (new-items, local engine, 6 users per segment)');
    expect(lines[1]).toBe('History: 3 items, 4 interactions, 2024-11-30 to 2024-12-03.');
    expect(lines).toContain('outdoor — ITEMS.CATEGORY = "outdoor"');
    // Every outdoor fan outranks every kitchen fan (whose score is 0).
    expect(lines.find((line) => line.startsWith('  rank '))).toMatch(/^ {2}rank [1-6] of 12 → in the segment \(top 6\), synced to the destinations$/);
    expect(result.stdout).not.toContain('kitchen —');
    const rowsOfItems = lines.filter((line) => /^ +\d+\.\d% {2}✔ /.test(line));
    expect(rowsOfItems.map((line) => /✔ (\w+)/.exec(line)![1]).sort()).toEqual(['Boots', 'Lamp', 'Stove']);
    expect(lines.find((line) => line.includes('✔ Boots'))).toMatch(/outdoor · gear +View, Purchase +2024-12-03$/);
  });

  it('prints JSON with every segment, and a user without interactions is never a candidate', async () => {
    const result = await runCli(['explain', '--campaign', 'outdoor.yaml', '--user', 'newbie', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { campaign: { name: string }; items: number; segments: Array<{ label: string; standing: unknown }> };
    expect(json.campaign.name).toBe('outdoor-fans');
    expect(json.items).toBe(0);
    expect(json.segments.map(({ label, standing }) => [label, standing])).toEqual([
      ['outdoor', { status: 'no-interactions' }],
      ['kitchen', { status: 'no-interactions' }],
    ]);
  });

  it('exits 2 with one clear line for an unknown user, segment or campaign file', async () => {
    const unknownUser = await runCli(['explain', '--campaign', 'outdoor.yaml', '--user', 'zz'], { cwd: dir });
    expect(unknownUser).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: --user: USER_ID "zz" is not in ${join(dir, 'data', 'interactions.csv')} or ${join(dir, 'data', 'users.csv')}; expected a USER_ID of the campaign's datasets\n`,
    });
    const unknownSegment = await runCli(['explain', '--campaign', 'outdoor.yaml', '--user', 'o1', '--segment', 'garden'], { cwd: dir });
    expect(unknownSegment.code).toBe(2);
    expect(unknownSegment.stderr).toBe('error: --segment: no segment of outdoor.yaml is labelled "garden"; its segments are: "outdoor", "kitchen"\n');
    const missing = await runCli(['explain', '--campaign', 'nope.yaml', '--user', 'o1'], { cwd: dir });
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'error: nope.yaml: file not found\n' });
    const badTop = await runCli(['explain', '--campaign', 'outdoor.yaml', '--user', 'o1', '--top', '0'], { cwd: dir });
    expect(badTop).toEqual({ code: 2, stdout: '', stderr: 'error: --top: expected at least 1\n' });
  });
});
