/**
 * New items that are not in the catalog yet reach shoppers through their attributes; a brand-new
 * category gives an empty segment that says why (fill: none), or falls back to user activity and
 * says so (fill: activity).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Items } from '../src/datasets/datasets.js';
import { mergeItems } from '../src/datasets/merge-items.js';
import { runCli } from './helpers/run-cli.js';

const repo = resolve(import.meta.dirname, '..');

describe('mergeItems', () => {
  const catalog: Items = {
    itemIds: ['a', 'b'],
    indexOf: new Map([['a', 0], ['b', 1]]),
    columns: [
      { name: 'CATEGORY_L1', kind: 'categorical', values: [['shoes'], ['hats']] },
      { name: 'PRICE', kind: 'numeric', values: [['10'], ['20']], numbers: Float64Array.from([10, 20]) },
    ],
  };
  const added: Items = {
    itemIds: ['b', 'c'],
    indexOf: new Map([['b', 0], ['c', 1]]),
    columns: [{ name: 'category_l1', kind: 'categorical', values: [['socks'], ['pets', 'toys']] }],
  };

  it('appends unknown items with the catalog columns, keeps existing rows, leaves the catalog alone', () => {
    const merged = mergeItems(catalog, [added]);
    expect(merged.itemIds).toEqual(['a', 'b', 'c']);
    expect(merged.indexOf.get('c')).toBe(2);
    expect(merged.columns[0]?.values).toEqual([['shoes'], ['hats'], ['pets', 'toys']]);
    expect(merged.columns[1]?.values).toEqual([['10'], ['20'], []]);
    expect(Array.from(merged.columns[1]?.numbers ?? [])).toEqual([10, 20, Number.NaN]);
    expect(catalog.itemIds).toEqual(['a', 'b']);
    expect(catalog.columns[0]?.values).toHaveLength(2);
  });
});

describe('a new-items campaign with a brand-new category', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'affinity-new-items-'));
    await writeFile(
      join(dir, 'new.csv'),
      'ITEM_ID,PRODUCT_NAME,CATEGORY_L1,CATEGORY_L2,PRICE,GENDER,PROMOTED,PRODUCT_DESCRIPTION\nn1,Dog Bed,pets,beds,39.99,Any,N,"soft"\nn2,Trail Boot,footwear,boot,99,M,N,"waterproof"\n',
    );
    await writeFile(
      join(dir, 'campaign.yaml'),
      [
        'name: launch',
        'type: new-items',
        `data: ${join(repo, 'data/retail-demo-store')}`,
        'queries:',
        '  - fromNewItems: { file: new.csv, column: CATEGORY_L1 }',
        'segment: { provider: local, numResults: 40 }',
        'destinations:',
        '  - { connector: file, dir: out, name: "{{campaign}}-{{label}}" }',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds both segments; the unseen category is empty with a note (fill: none), ranked by activity with fill: activity', async () => {
    type Report = Array<{ segments: Array<{ label: string; usersInSegment: number; error: string | null; notes?: string[] }> }>;
    const result = await runCli(['run', '--json', join(dir, 'campaign.yaml')], { cwd: dir });
    expect(result.code).toBe(0);
    const [report] = JSON.parse(result.stdout) as Report;
    expect(report?.segments.map((segment) => [segment.label, segment.usersInSegment, segment.error])).toEqual([
      ['footwear', 40, null],
      ['pets', 0, null],
    ]);
    expect(report?.segments[0]?.notes).toBeUndefined();
    expect(report?.segments[1]?.notes).toEqual([
      'ITEMS.CATEGORY_L1 = "pets": value never seen in the interactions; no user has any affinity, so the segment is empty (segment.fill: activity ranks by user activity instead)',
      '0 users with affinity; numResults 40 not reached (fill: none)',
    ]);

    const campaign = await readFile(join(dir, 'campaign.yaml'), 'utf8');
    await writeFile(join(dir, 'padded.yaml'), campaign.replace('name: launch', 'name: padded').replace('numResults: 40 }', 'numResults: 40, fill: activity }'));
    const padded = await runCli(['run', '--json', join(dir, 'padded.yaml')], { cwd: dir });
    const [paddedReport] = JSON.parse(padded.stdout) as Report;
    expect(paddedReport?.segments.map((segment) => [segment.label, segment.usersInSegment])).toEqual([
      ['footwear', 40],
      ['pets', 40],
    ]);
    expect(paddedReport?.segments[1]?.notes).toEqual([
      'ITEMS.CATEGORY_L1 = "pets": value never seen in the interactions; ranked by user activity',
      '0 users with affinity; 40 more padded by activity (score 0) to reach numResults 40 (fill: activity)',
    ]);
  });
});
