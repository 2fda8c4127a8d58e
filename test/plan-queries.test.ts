import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../src/core/errors.js';
import type { Datasets, Interactions, Items } from '../src/datasets/datasets.js';
import { loadDatasets } from '../src/datasets/load-datasets.js';
import type { Campaign } from '../src/campaign/campaign-schema.js';
import { loadCampaign, type LoadedCampaign } from '../src/campaign/load-campaign.js';
import { planQueries } from '../src/campaign/plan-queries.js';
import { matchingItems } from '../src/expressions/index.js';
import { readInventory } from '../src/campaign/read-inventory.js';
import { selectOverstockedItems } from '../src/campaign/select-overstocked-items.js';

const DAY = 86_400;
/** 2024-12-16T00:00:00Z: the last interaction of the hand-made data. */
const T = Date.UTC(2024, 11, 16) / 1000;
const fixtures = resolve(import.meta.dirname, 'fixtures/campaigns');

/** Builds column-oriented interactions from rows [user, item, time, event]. */
function interactionsOf(rows: Array<[string, string, number, string]>): Interactions {
  const userIds: string[] = [];
  const itemIds: string[] = [];
  const eventTypes: string[] = [];
  const indexIn = (list: string[], value: string) => {
    const found = list.indexOf(value);
    if (found >= 0) return found;
    list.push(value);
    return list.length - 1;
  };
  const user = new Int32Array(rows.length);
  const item = new Int32Array(rows.length);
  const timestamp = new Float64Array(rows.length);
  const eventType = new Uint8Array(rows.length);
  rows.forEach(([u, i, t, e], row) => {
    user[row] = indexIn(userIds, u);
    item[row] = indexIn(itemIds, i);
    timestamp[row] = t;
    eventType[row] = indexIn(eventTypes, e);
  });
  return { userIds, itemIds, eventTypes, length: rows.length, user, item, timestamp, eventType };
}

/** Purchases (and views, which never count as sales) of items a–f, relative to T. */
const sales = interactionsOf([
  ['u1', 'a', T - 13 * DAY, 'Purchase'],
  ['u1', 'e', T - 14 * DAY, 'Purchase'], // exactly at the window start: outside (window is (T-14d, T])
  ['u2', 'd', T - 15 * DAY, 'Purchase'],
  ['u2', 'b', T - 7 * DAY, 'Purchase'],
  ['u3', 'b', T - 6 * DAY, 'Purchase'],
  ['u3', 'b', T - 5 * DAY, 'Purchase'],
  ['u1', 'e', T - 8 * DAY, 'Purchase'],
  ['u4', 'e', T - 4 * DAY, 'Purchase'],
  ['u4', 'a', T - 3 * DAY, 'Purchase'],
  ['u5', 'a', T - 2 * DAY, 'Purchase'],
  ['u5', 'c', T - 2 * DAY, 'Purchase'],
  ['u1', 'a', T - 1 * DAY, 'Purchase'],
  ['u2', 'b', T - 1 * DAY, 'Purchase'],
  ['u3', 'e', T - 1 * DAY, 'View'],
  ['u4', 'e', T - 1 * DAY, 'View'],
  ['u5', 'e', T - 1 * DAY, 'View'],
  ['u6', 'f', T - 1 * DAY, 'View'],
  ['u6', 'a', T, 'Purchase'],
]);

/** Units sold in (T-14d, T]: a 5, b 4, c 1, d 0, e 2. */
const inventory = [
  { itemId: 'a', onHand: 100, line: 2 }, // 100 ≥ 10×5  → ratio 20
  { itemId: 'b', onHand: 30, line: 3 }, //  30 < 10×4  → out
  { itemId: 'c', onHand: 0, line: 4 }, //    0 < minOnHand
  { itemId: 'd', onHand: 7, line: 5 }, //   nothing sold → ratio ∞
  { itemId: 'e', onHand: 40, line: 6 }, //  40 ≥ 10×2  → ratio 20 (ties with a; ITEM_ID order)
];

function catalog(): Items {
  const itemIds = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  return {
    itemIds,
    indexOf: new Map(itemIds.map((id, index) => [id, index])),
    columns: [
      { name: 'PRODUCT_NAME', kind: 'textual', values: itemIds.map((id) => [`Product ${id.toUpperCase()}`]) },
      {
        name: 'CATEGORY_L1',
        kind: 'categorical',
        values: [['footwear'], ['footwear'], ['jewelry'], ['apparel'], ['apparel'], ['beauty', 'outdoors'], ['tools']],
      },
      { name: 'GENDER', kind: 'categorical', values: [['F'], ['M'], ['F'], ['Any'], ['M'], ['F'], ['M']] },
      { name: 'PROMOTED', kind: 'categorical', values: [['Y'], ['N'], ['N'], ['N'], ['Y'], ['N'], ['N']] },
      {
        name: 'PRICE',
        kind: 'numeric',
        values: [['10'], ['20'], ['30'], ['40'], ['50'], ['60'], ['70']],
        numbers: Float64Array.from([10, 20, 30, 40, 50, 60, 70]),
      },
    ],
    creationTimestamp: Float64Array.from([1, 2, 3, 4, 5, T - 2 * DAY, T - DAY]),
  };
}

function datasets(): Datasets {
  return {
    dir: '/hand-made',
    interactions: sales,
    items: catalog(),
    users: { byId: new Map(), columns: [] },
    files: { interactions: '/hand-made/interactions.csv', items: '/hand-made/items.csv', users: '' },
  };
}

function loaded(campaign: Partial<Campaign> & Pick<Campaign, 'type'>, baseDir = fixtures): LoadedCampaign {
  return {
    file: 'campaign.yaml',
    baseDir,
    campaign: {
      name: 'test',
      segment: { provider: 'local', numResults: 10 },
      destinations: [{ connector: 'file' }],
      ...campaign,
    } as Campaign,
  };
}

describe('selectOverstockedItems', () => {
  const rule = { onHandAtLeastTimesSales: 10, salesWindowDays: 14, minOnHand: 1 };

  it('picks ON_HAND ≥ N × units sold in the window, most overstocked first', () => {
    const { asOfSeconds, items } = selectOverstockedItems({ inventory, interactions: sales, rule });
    expect(asOfSeconds).toBe(T);
    expect(items).toEqual([
      { itemId: 'd', onHand: 7, unitsSold: 0, overstockRatio: Infinity },
      { itemId: 'a', onHand: 100, unitsSold: 5, overstockRatio: 20 },
      { itemId: 'e', onHand: 40, unitsSold: 2, overstockRatio: 20 },
    ]);
  });

  it('honours minOnHand and maxItems', () => {
    expect(selectOverstockedItems({ inventory, interactions: sales, rule: { ...rule, minOnHand: 8 } }).items.map((item) => item.itemId)).toEqual(['a', 'e']);
    expect(selectOverstockedItems({ inventory, interactions: sales, rule, maxItems: 2 }).items.map((item) => item.itemId)).toEqual(['d', 'a']);
  });

  it('ends the window at asOf when given', () => {
    // Window (T-24d, T-10d]: a 1 sale, b 0, d 1, e 1.
    const { items } = selectOverstockedItems({ inventory, interactions: sales, rule, asOfSeconds: T - 10 * DAY });
    expect(items.map(({ itemId, unitsSold, overstockRatio }) => [itemId, unitsSold, overstockRatio])).toEqual([
      ['b', 0, Infinity],
      ['a', 1, 100],
      ['e', 1, 40],
    ]);
  });
});

describe('readInventory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'affinity-inventory-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads ITEM_ID and ON_HAND', async () => {
    expect(await readInventory(join(fixtures, 'inventory.csv'), 'inventory.csv')).toEqual([
      { itemId: 'a', onHand: 100, line: 2 },
      { itemId: 'b', onHand: 30, line: 3 },
      { itemId: 'c', onHand: 0, line: 4 },
      { itemId: 'd', onHand: 7, line: 5 },
      { itemId: 'zz-not-in-catalog', onHand: 500, line: 6 },
      { itemId: 'e', onHand: 40, line: 7 },
    ]);
  });

  it('reports every bad row with file, line and column', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(file, 'ITEM_ID,ON_HAND\na,12\nb,-3\n,4\nc,many\na,5\n');
    const error = await readInventory(file, 'bad.csv').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).issues).toEqual([
      { file: 'bad.csv', line: 3, field: 'ON_HAND', message: 'expected a whole number of units ≥ 0, found "-3"' },
      { file: 'bad.csv', line: 4, field: 'ITEM_ID', message: 'empty ITEM_ID' },
      { file: 'bad.csv', line: 5, field: 'ON_HAND', message: 'expected a whole number of units ≥ 0, found "many"' },
      { file: 'bad.csv', line: 6, field: 'ITEM_ID', message: 'ITEM_ID a is already listed on line 2' },
    ]);
  });

  it('requires the ON_HAND column', async () => {
    const file = join(dir, 'no-on-hand.csv');
    await writeFile(file, 'ITEM_ID,STOCK\na,1\n');
    await expect(readInventory(file)).rejects.toThrow(/required column ON_HAND is missing/);
  });
});

describe('planQueries: excess-inventory', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'affinity-plan-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('plans one Item-Affinity query per listed item, labelled with its name', async () => {
    const planned = await planQueries(loaded({ type: 'excess-inventory', items: { itemIds: ['e', 'a'] } }), datasets());
    expect(planned).toEqual([
      { query: { itemId: 'e' }, label: 'Product E' },
      { query: { itemId: 'a' }, label: 'Product A' },
    ]);
  });

  it('lists every unknown ITEM_ID with its field', async () => {
    const error = await planQueries(loaded({ type: 'excess-inventory', items: { itemIds: ['a', 'nope', 'b', 'gone'] } }), datasets()).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { file: 'campaign.yaml', field: 'items.itemIds[1]', message: 'ITEM_ID nope is not in the items dataset (/hand-made/items.csv)' },
      { file: 'campaign.yaml', field: 'items.itemIds[3]', message: 'ITEM_ID gone is not in the items dataset (/hand-made/items.csv)' },
    ]);
  });

  it('applies the inventory rule of a campaign file (items outside the catalog left out)', async () => {
    const campaign = await loadCampaign(join(fixtures, 'excess-inventory.json'));
    expect(await planQueries(campaign, datasets())).toEqual([
      { query: { itemId: 'd' }, label: 'Product D' },
      { query: { itemId: 'a' }, label: 'Product A' },
      { query: { itemId: 'e' }, label: 'Product E' },
    ]);
  });

  it('notes the inventory ITEM_IDs it skipped, through onNote', async () => {
    const notes: string[] = [];
    const campaign = await loadCampaign(join(fixtures, 'excess-inventory.json'));
    expect(await planQueries(campaign, datasets(), { onNote: (note) => notes.push(note) })).toHaveLength(3);
    expect(notes).toEqual([
      'inventory.csv: 1 ITEM_ID is not in the items dataset and was skipped (zz-not-in-catalog)',
      '2 inventory items left out by the overstock rule:\n    - Product B [b]: 30 on hand < 10 × 4 sold in 14 days\n    - Product C [c]: 0 on hand < minOnHand 1',
    ]);

    const file = join(tmp, 'many-unknown.csv');
    await writeFile(file, 'ITEM_ID,ON_HAND\nabc,9\na,100\ndef,9\nghi,9\n', 'utf8');
    const many: string[] = [];
    const items = { inventory: { file: 'many-unknown.csv', rule: { onHandAtLeastTimesSales: 10, salesWindowDays: 14, minOnHand: 1 } } };
    const planned = await planQueries(loaded({ type: 'excess-inventory', items }, tmp), datasets(), { onNote: (note) => many.push(note) });
    expect(planned.map((entry) => entry.query)).toEqual([{ itemId: 'a' }]);
    expect(many).toEqual(['many-unknown.csv: 3 ITEM_IDs are not in the items dataset and were skipped (first: abc, def, ghi)']);
  });

  it('names the campaign file and field of a missing inventory file', async () => {
    const items = { inventory: { file: 'no-such-inventory.csv', rule: { onHandAtLeastTimesSales: 10, salesWindowDays: 14, minOnHand: 1 } } };
    const error = await planQueries(loaded({ type: 'excess-inventory', items }), datasets()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      {
        file: 'campaign.yaml',
        field: 'items.inventory.file',
        message: `no-such-inventory.csv: file not found (looked for ${join(fixtures, 'no-such-inventory.csv')}; paths are relative to the campaign file)`,
      },
    ]);
  });

  it('uses asOf from the campaign', async () => {
    const planned = await planQueries(
      loaded({
        type: 'excess-inventory',
        items: {
          inventory: { file: 'inventory.csv', rule: { onHandAtLeastTimesSales: 10, salesWindowDays: 14, minOnHand: 1 }, asOf: '2024-12-06' },
          maxItems: 2,
        },
      }),
      datasets(),
    );
    expect(planned.map((entry) => entry.query)).toEqual([{ itemId: 'b' }, { itemId: 'a' }]);
  });
});

describe('planQueries: new-items', () => {
  it('plans expressions, structured queries and fromNewItems, checked against the items dataset', async () => {
    const planned = await planQueries(
      loaded({
        type: 'new-items',
        queries: [
          'ITEMS.category_l1 = "footwear" and ITEMS.GENDER = "F"',
          { CATEGORY_L1: 'jewelry', price: 30 },
          { fromNewItems: { file: 'new-items.csv', column: 'category_l1' } },
        ],
      }),
      datasets(),
    );
    expect(planned).toEqual([
      { query: { itemAttributes: 'ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"' }, label: 'footwear / F' },
      { query: { itemAttributes: 'ITEMS.CATEGORY_L1 = "jewelry" AND ITEMS.PRICE = "30"' }, label: 'jewelry / 30' },
      { query: { itemAttributes: 'ITEMS.CATEGORY_L1 = "accessories"' }, label: 'accessories' },
      { query: { itemAttributes: 'ITEMS.CATEGORY_L1 = "footwear"' }, label: 'footwear' },
      { query: { itemAttributes: 'ITEMS.CATEGORY_L1 = "jewelry"' }, label: 'jewelry' },
    ]);
  });

  it('derives one query per combination with columns, sorted, without duplicates', async () => {
    const planned = await planQueries(
      loaded({
        type: 'new-items',
        queries: [
          { fromNewItems: { file: 'new-items.csv', columns: ['CATEGORY_L1', 'GENDER'] } },
          'ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "M"',
        ],
      }),
      datasets(),
    );
    expect(planned.map((entry) => entry.label)).toEqual([
      'accessories / M',
      'footwear / Any',
      'footwear / M',
      'jewelry / F',
      'jewelry / M',
    ]);
    expect(planned[2]?.query).toEqual({ itemAttributes: 'ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "M"' });
  });

  it('finds new catalog items by CREATION_TIMESTAMP and by having no interactions', async () => {
    const byDate = await planQueries(
      loaded({ type: 'new-items', queries: [{ fromNewItems: { createdAfter: '2024-12-13', column: 'CATEGORY_L1' } }] }),
      datasets(),
    );
    // f (created T-2d: beauty|outdoors) and g (T-1d: tools).
    expect(byDate.map((entry) => entry.label)).toEqual(['beauty', 'outdoors', 'tools']);
    const unseen = await planQueries(
      loaded({ type: 'new-items', queries: [{ fromNewItems: { noInteractions: true, column: 'GENDER' } }] }),
      datasets(),
    );
    // Only g has no interactions.
    expect(unseen).toEqual([{ query: { itemAttributes: 'ITEMS.GENDER = "M"' }, label: 'M' }]);
  });

  it('names the campaign file and query for unknown or textual columns, all at once', async () => {
    const error = await planQueries(
      loaded({
        type: 'new-items',
        queries: [
          'ITEMS.CATEGORY_L1 = "footwear"',
          'ITEMS.COLOR = "red"',
          { PRODUCT_NAME: 'Product A' },
          { fromNewItems: { file: 'new-items.csv', columns: ['GENDER', 'BRAND'] } },
        ],
      }),
      datasets(),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((issue) => [issue.file, issue.field])).toEqual([
      ['campaign.yaml', 'queries[1]'],
      ['campaign.yaml', 'queries[2]'],
      ['campaign.yaml', 'queries[3].fromNewItems.columns[1]'],
      ['campaign.yaml', 'queries[3].fromNewItems.columns[1]'],
    ]);
    expect(issues[0]?.message).toContain('unknown column COLOR; expected one of CATEGORY_L1, GENDER, PROMOTED, PRICE');
    expect(issues[1]?.message).toContain('column PRODUCT_NAME is textual');
    expect(issues[3]?.message).toContain('the new-items file new-items.csv has no column BRAND');
  });

  it('rejects written values no item has, suggesting the closest ones, but not values derived from new items', async () => {
    const error = await planQueries(
      loaded({
        type: 'new-items',
        queries: [
          'ITEMS.CATEGORY_L1 = "Footwear"',
          { CATEGORY_L1: 'jewelyr', GENDER: 'F' },
          { CATEGORY_L1: 'footwear', GENDER: 'Any' },
          // accessories is in new-items.csv only: a brand-new category is fine here.
          { fromNewItems: { file: 'new-items.csv', column: 'CATEGORY_L1' } },
          { CATEGORY_L1: 'garden' },
        ],
      }),
      datasets(),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    const items = '(items dataset /hand-made/items.csv)';
    expect((error as ConfigError).issues).toEqual([
      { file: 'campaign.yaml', field: 'queries[0]', message: `no item has CATEGORY_L1 = "Footwear"; did you mean "footwear"? ${items}` },
      { file: 'campaign.yaml', field: 'queries[1]', message: `no item has CATEGORY_L1 = "jewelyr"; did you mean "jewelry"? ${items}` },
      {
        file: 'campaign.yaml',
        field: 'queries[2]',
        message: `no item has all of ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "Any", though each term matches some item ${items}`,
      },
      {
        file: 'campaign.yaml',
        field: 'queries[4]',
        message: `no item has CATEGORY_L1 = "garden"; it has 6 distinct values, e.g. "apparel", "beauty", "footwear", "jewelry", "outdoors" ${items}`,
      },
    ]);
  });

  it('reports a missing new-items file and the other queries\' problems together', async () => {
    const error = await planQueries(
      loaded({
        type: 'new-items',
        queries: [{ fromNewItems: { file: 'gone.csv', column: 'CATEGORY_L1' } }, 'ITEMS.COLOR = "red"'],
      }),
      datasets(),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => `${issue.file}: ${issue.field}: ${issue.message}`)).toEqual([
      `campaign.yaml: queries[0].fromNewItems.file: gone.csv: file not found (looked for ${join(fixtures, 'gone.csv')}; paths are relative to the campaign file)`,
      'campaign.yaml: queries[1]: unknown column COLOR; expected one of CATEGORY_L1, GENDER, PROMOTED, PRICE at character 7 of "ITEMS.COLOR = \\"red\\"" (items dataset /hand-made/items.csv)',
    ]);
  });

  it('needs CREATION_TIMESTAMP for createdAfter', async () => {
    const data = datasets();
    delete data.items.creationTimestamp;
    await expect(
      planQueries(loaded({ type: 'new-items', queries: [{ fromNewItems: { createdAfter: '2024-12-01', column: 'GENDER' } }] }), data),
    ).rejects.toThrow('campaign.yaml: queries[0].fromNewItems.createdAfter: the items dataset has no CREATION_TIMESTAMP column');
  });
});

describe('planQueries on the bundled retail data', () => {
  const root = resolve(import.meta.dirname, '..');
  let bundled: Datasets;
  beforeAll(async () => {
    bundled = await loadDatasets(join(root, 'data/retail-demo-store'));
  });

  it('picks the overstocked items of config/campaigns/inventory.csv (computed independently from the CSV)', async () => {
    const campaign = await loadCampaign(join(root, 'config/campaigns/excess-inventory.yaml'));
    // Rule: ON_HAND ≥ 20 × Purchases in the 30 days up to 2024-12-16T02:01:51Z, ON_HAND ≥ 50.
    // Sales: 22552eb1 5, 2ffa8784 4, e9f3e5cc 2, dce757b6 4 → ratios 80, 75, 75, 65; the others hold < 50 units.
    expect(await planQueries(campaign, bundled)).toEqual([
      { query: { itemId: '22552eb1-57f1-4fa3-a93a-a9fa22851f9f' }, label: 'Urban Glide Red Sneaker Wedges' },
      { query: { itemId: '2ffa8784-9c55-414e-b852-b0615a49bfb9' }, label: 'Winter Wonderland Candle Set' },
      { query: { itemId: 'e9f3e5cc-1f5f-4073-bea6-42c12a2c6bc5' }, label: 'Vintage Charm Oil Lantern' },
      { query: { itemId: 'dce757b6-709e-48c2-89d7-3002963b871e' }, label: 'Vintage Suede Explorer Jacket' },
    ]);
  });

  it('matches items of the bundled catalog (counts computed independently from items.csv)', () => {
    const footwear = matchingItems('ITEMS.CATEGORY_L1 = "footwear"', bundled.items);
    expect(footwear.length).toBe(188);
    expect(Array.from(footwear.slice(0, 3))).toEqual([762, 763, 764]);
    expect(matchingItems('ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"', bundled.items).length).toBe(90);
    const price = matchingItems('ITEMS.PRICE = 79.99', bundled.items);
    expect([price.length, ...price.slice(0, 3)]).toEqual([153, 7, 11, 17]);
  });

  it('derives the new-arrivals queries from config/campaigns/new-items.csv', async () => {
    const campaign = await loadCampaign(join(root, 'config/campaigns/new-items.yaml'));
    expect(await planQueries(campaign, bundled)).toEqual([
      { query: { itemAttributes: 'ITEMS.CATEGORY_L1 = "footwear"' }, label: 'footwear' },
      { query: { itemAttributes: 'ITEMS.CATEGORY_L1 = "jewelry"' }, label: 'jewelry' },
    ]);
  });
});
