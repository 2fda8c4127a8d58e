import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { dataErrorOf } from './helpers/data-error-of.js';
import { readCsv, type CsvRow } from '../src/datasets/csv-reader.js';
import { readInteractions } from '../src/datasets/read-interactions.js';
import { readItems, readNewItems } from '../src/datasets/read-items.js';
import { readUsers } from '../src/datasets/read-users.js';
import { loadDatasets, type LoadProgress } from '../src/datasets/load-datasets.js';
import { fingerprintDatasets } from '../src/datasets/fingerprint-datasets.js';
import { ConfigError } from '../src/core/errors.js';

const fixtures = 'test/fixtures/datasets/small';
const tempDir = mkdtempSync(join(tmpdir(), 'affinity-datasets-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

let fileCounter = 0;
/** Writes `text` to a fresh temp file (gzipped when `name` ends in .gz) and returns its path. */
function tempFile(text: string, name = 'data.csv'): string {
  const dir = join(tempDir, String((fileCounter += 1)));
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, name.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}


async function collect(rows: AsyncIterable<CsvRow>): Promise<CsvRow[]> {
  const all: CsvRow[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

describe('readCsv', () => {
  it('reads quoted fields, escaped quotes, multi-line fields and extra columns with physical line numbers', async () => {
    const file = tempFile('A,b,Extra\n1,"x, ""y""",e\n\n2,"two\nlines",f\n3,z,g\n');
    const table = await readCsv(file, { requiredColumns: ['a', 'B'] });
    expect(table.header).toEqual(['A', 'b', 'Extra']);
    expect(table.columnIndex('EXTRA')).toBe(2);
    expect(table.columnIndex('missing')).toBe(-1);
    expect(await collect(table.rows)).toEqual([
      { line: 2, record: ['1', 'x, "y"', 'e'] },
      { line: 4, record: ['2', 'two\nlines', 'f'] },
      { line: 6, record: ['3', 'z', 'g'] },
    ]);
  });

  it('gunzips a .csv.gz file', async () => {
    const file = tempFile('ID,V\na,1\nb,2\n', 'x.csv.gz');
    const table = await readCsv(file);
    expect(await collect(table.rows)).toEqual([
      { line: 2, record: ['a', '1'] },
      { line: 3, record: ['b', '2'] },
    ]);
  });

  it('names a missing required column and lists the header found', async () => {
    const error = await dataErrorOf(readCsv(tempFile('USER_ID,TIMESTAMP\nu,1\n'), { requiredColumns: ['USER_ID', 'ITEM_ID'] }));
    expect(error.issues).toEqual([
      expect.objectContaining({ line: 1, field: 'ITEM_ID', message: 'required column ITEM_ID is missing; header found: USER_ID,TIMESTAMP' }),
    ]);
  });

  it('rejects a row with too few fields, naming the line and the missing column', async () => {
    const file = tempFile('A,B,C\n1,2,3\n4,5\n');
    const error = await dataErrorOf(readCsv(file).then((table) => collect(table.rows)));
    expect(error.message).toBe(`${file}:3: C: expected 3 fields as in the header, found 2 (no value for C)`);
  });

  it('rejects a row with too many fields', async () => {
    const file = tempFile('A,B\n1,2\n3,4,5\n');
    const error = await dataErrorOf(readCsv(file).then((table) => collect(table.rows)));
    expect(error.message).toBe(`${file}:3: expected 2 fields as in the header, found 3 (unquoted comma in a field?)`);
  });

  it('rejects an unterminated quote at the line where the row starts', async () => {
    const file = tempFile('A,B\n1,2\n3,"open\n4,5\n');
    const error = await dataErrorOf(readCsv(file).then((table) => collect(table.rows)));
    expect(error.issues[0]).toMatchObject({ file, line: 3 });
    expect(error.message).toContain('a quoted field is never closed');
  });

  it('rejects a stray quote inside an unquoted field with its line', async () => {
    const file = tempFile('A,B\n1,2\n3,ab"c"d\n');
    const error = await dataErrorOf(readCsv(file).then((table) => collect(table.rows)));
    expect(error.issues[0]).toMatchObject({ file, line: 3 });
    expect(error.message).toMatch(/malformed CSV/);
  });

  it('rejects an empty file, a duplicate column, a missing file and a corrupt gzip', async () => {
    expect((await dataErrorOf(readCsv(tempFile('')))).message).toMatch(/:1: the file is empty; expected a header row$/);
    expect((await dataErrorOf(readCsv(tempFile('A,B,a\n1,2,3\n')))).message).toMatch(
      /:1: a: duplicate column \(also column 1 "A"\)$/,
    );
    expect((await dataErrorOf(readCsv(join(tempDir, 'nope.csv')))).message).toMatch(/nope\.csv: file not found$/);
    const corrupt = tempFile('x', 'plain.csv');
    const gz = corrupt.replace(/plain\.csv$/, 'bad.csv.gz');
    writeFileSync(gz, 'this is not gzip');
    expect((await dataErrorOf(readCsv(gz))).message).toBe(`${gz}: not a valid gzip file (the name ends in .gz)`);
  });
});

describe('readInteractions', () => {
  it('reads the gzipped fixture: case-insensitive header, interned ids, ignored extra columns', async () => {
    const interactions = await readInteractions(join(fixtures, 'interactions.csv.gz'));
    expect(interactions.length).toBe(4);
    expect(interactions.userIds).toEqual(['u1', 'u2', 'u3']);
    expect(interactions.itemIds).toEqual(['i1', 'i2', 'i3']);
    expect(interactions.eventTypes).toEqual(['View', 'Purchase']);
    expect([...interactions.user]).toEqual([0, 1, 0, 2]);
    expect([...interactions.item]).toEqual([0, 0, 1, 2]);
    expect([...interactions.timestamp]).toEqual([1731715203, 1731715210, 1731715220, 1731715230]);
    expect([...interactions.eventType]).toEqual([0, 0, 1, 0]);
  });

  it('grows its arrays past the initial capacity and reports progress', async () => {
    const rows = Array.from({ length: 70_000 }, (_, k) => `u${k % 7},i${k % 13},${1_700_000_000 + k}`);
    const progress: number[] = [];
    const interactions = await readInteractions(tempFile(`USER_ID,ITEM_ID,TIMESTAMP\n${rows.join('\n')}\n`), {
      onProgress: (rowsRead) => progress.push(rowsRead),
    });
    expect(interactions.length).toBe(70_000);
    expect(interactions.user.length).toBe(70_000);
    expect(interactions.userIds.length).toBe(7);
    expect(interactions.itemIds.length).toBe(13);
    expect(interactions.eventTypes).toEqual(['']);
    expect(interactions.timestamp[69_999]).toBe(1_700_069_999);
    expect(interactions.user[69_999]).toBe(69_999 % 7);
    expect(progress).toEqual([50_000, 70_000]);
  });

  it('names the missing TIMESTAMP column and the header found', async () => {
    const error = await dataErrorOf(readInteractions(tempFile('USER_ID,ITEM_ID,EVENT_TYPE\nu,i,View\n')));
    expect(error.message).toMatch(/:1: TIMESTAMP: required column TIMESTAMP is missing; header found: USER_ID,ITEM_ID,EVENT_TYPE$/);
  });

  it('rejects a non-integer TIMESTAMP with line, column and value', async () => {
    const file = tempFile('USER_ID,ITEM_ID,TIMESTAMP\nu,i,1731715203\nu,i,2024-11-16\n');
    const error = await dataErrorOf(readInteractions(file));
    expect(error.message).toBe(
      `${file}:3: TIMESTAMP: "2024-11-16" is not an integer; expected Unix epoch seconds, e.g. 1731715203`,
    );
  });

  it('rejects a TIMESTAMP in milliseconds', async () => {
    const file = tempFile('USER_ID,ITEM_ID,TIMESTAMP\nu,i,1731715203000\n');
    const error = await dataErrorOf(readInteractions(file));
    expect(error.message).toBe(`${file}:2: TIMESTAMP: 1731715203000 looks like milliseconds; expected Unix epoch seconds`);
  });

  it('rejects an empty USER_ID and an empty ITEM_ID', async () => {
    const noUser = tempFile('USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\n,i,2\n');
    expect((await dataErrorOf(readInteractions(noUser))).message).toBe(
      `${noUser}:3: USER_ID: empty USER_ID; every interaction needs a user`,
    );
    const noItem = tempFile('USER_ID,ITEM_ID,TIMESTAMP\n\nu,"",2\n');
    expect((await dataErrorOf(readInteractions(noItem))).message).toBe(
      `${noItem}:3: ITEM_ID: empty ITEM_ID; every interaction needs an item`,
    );
  });

  it('rejects a row with too few fields', async () => {
    const file = tempFile('USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu,i,1,View\nu,i,2\n');
    expect((await dataErrorOf(readInteractions(file))).message).toBe(
      `${file}:3: EVENT_TYPE: expected 4 fields as in the header, found 3 (no value for EVENT_TYPE)`,
    );
  });

  it('loads the bundled retail interactions with the documented counts', async () => {
    const interactions = await readInteractions('data/retail-demo-store/interactions.csv.gz');
    expect(interactions.length).toBe(274_111);
    expect(interactions.userIds.length).toBe(6_000);
    expect(interactions.itemIds.length).toBe(2_465);
    const perType = Object.fromEntries(interactions.eventTypes.map((name) => [name, 0]));
    for (const code of interactions.eventType) perType[interactions.eventTypes[code]!]! += 1;
    expect(perType).toEqual({ View: 236_300, AddToCart: 18_904, ViewCart: 11_816, StartCheckout: 4_727, Purchase: 2_364 });
    expect(interactions.timestamp[0]).toBe(1_731_715_203);
    expect(interactions.timestamp[interactions.length - 1]).toBe(1_734_314_511);
  });
});

describe('readItems', () => {
  it('infers kinds, splits multi-values, keeps quoted commas and escaped quotes, reads CREATION_TIMESTAMP', async () => {
    const items = await readItems(join(fixtures, 'items.csv'));
    expect(items.itemIds).toEqual(['i1', 'i2', 'i3']);
    expect(items.indexOf.get('i3')).toBe(2);
    expect(items.columns.map((column) => [column.name, column.kind])).toEqual([
      ['PRODUCT_NAME', 'categorical'],
      ['CATEGORY_L1', 'categorical'],
      ['PRICE', 'numeric'],
      ['STYLE', 'categorical'],
      ['PRODUCT_DESCRIPTION', 'textual'],
    ]);
    const byName = new Map(items.columns.map((column) => [column.name, column]));
    expect(byName.get('PRODUCT_NAME')!.values).toEqual([['Chair, oak'], ['Lamp'], ['Socks']]);
    expect(byName.get('STYLE')!.values).toEqual([['modern', 'classic'], [], ['sport', 'casual']]);
    expect(byName.get('PRICE')!.values).toEqual([['129.50'], ['24'], []]);
    expect([...byName.get('PRICE')!.numbers!]).toEqual([129.5, 24, Number.NaN]);
    expect(byName.get('PRODUCT_DESCRIPTION')!.values).toEqual([['A sturdy "oak" chair'], ['Warm light'], ['Cotton']]);
    expect([...items.creationTimestamp!]).toEqual([1731000000, 1731100000, Number.NaN]);
  });

  it('calls a column with long values textual, and honours forced kinds', async () => {
    const long = 'x'.repeat(61);
    const file = tempFile(`item_id,NOTES,CODE\na,${long},1\nb,${long},2\n`);
    const inferred = await readItems(file);
    expect(inferred.columns.map((column) => [column.name, column.kind])).toEqual([
      ['NOTES', 'textual'],
      ['CODE', 'numeric'],
    ]);
    expect(inferred.creationTimestamp).toBeUndefined();
    const forced = await readItems(file, { kinds: { code: 'categorical' } });
    expect(forced.columns[1]).toEqual({ name: 'CODE', kind: 'categorical', values: [['1'], ['2']] });
  });

  it('rejects a repeated ITEM_ID naming both lines', async () => {
    const file = tempFile('ITEM_ID,C\na,x\nb,y\na,z\n');
    expect((await dataErrorOf(readItems(file))).message).toBe(
      `${file}:4: ITEM_ID: ITEM_ID "a" repeats line 2; item ids must be unique`,
    );
  });

  it('rejects an empty ITEM_ID, a bad CREATION_TIMESTAMP and a non-number in a forced numeric column', async () => {
    const empty = tempFile('ITEM_ID,C\na,x\n,y\n');
    expect((await dataErrorOf(readItems(empty))).message).toBe(`${empty}:3: ITEM_ID: empty ITEM_ID`);
    const created = tempFile('ITEM_ID,CREATION_TIMESTAMP\na,1731000000\nb,yesterday\n');
    expect((await dataErrorOf(readItems(created))).message).toBe(
      `${created}:3: CREATION_TIMESTAMP: "yesterday" is not an integer; expected Unix epoch seconds`,
    );
    const price = tempFile('ITEM_ID,PRICE\na,1\nb,cheap\n');
    expect((await dataErrorOf(readItems(price, { kinds: { PRICE: 'numeric' } }))).message).toBe(
      `${price}:3: PRICE: "cheap" is not a number (column kind numeric)`,
    );
  });

  it('reads a new-items file with the kinds of the catalog', async () => {
    const catalog = await readItems(join(fixtures, 'items.csv'));
    const file = tempFile('ITEM_ID,STYLE,PRICE\nn1,a very long style name that would otherwise look like free text to us,5\n');
    const newItems = await readNewItems(file, { catalog });
    expect(newItems.itemIds).toEqual(['n1']);
    expect(newItems.columns.map((column) => [column.name, column.kind])).toEqual([
      ['STYLE', 'categorical'],
      ['PRICE', 'numeric'],
    ]);
  });

  it('loads the bundled retail items: 2,465 items, 20 CATEGORY_L1 values, PRICE numeric', async () => {
    const items = await readItems('data/retail-demo-store/items.csv.gz');
    expect(items.itemIds.length).toBe(2_465);
    const byName = new Map(items.columns.map((column) => [column.name, column]));
    expect(new Set(byName.get('CATEGORY_L1')!.values.flat()).size).toBe(20);
    expect(new Set(byName.get('CATEGORY_L2')!.values.flat()).size).toBe(84);
    expect(byName.get('PRICE')!.kind).toBe('numeric');
    expect(byName.get('PRODUCT_DESCRIPTION')!.kind).toBe('textual');
    expect(Math.min(...byName.get('PRICE')!.numbers!)).toBe(1.99);
    expect(Math.max(...byName.get('PRICE')!.numbers!)).toBe(24999.99);
  });
});

describe('readUsers', () => {
  it('reads USER_ID, EMAIL and names as written, and upper-cases the column names', async () => {
    const users = await readUsers(join(fixtures, 'users.csv'));
    expect(users.byId.size).toBe(5);
    expect(users.byId.get('u1')).toEqual({ userId: 'u1', email: ' Ann@Example.com ', firstName: 'Ann', lastName: 'Lee' });
    expect(users.byId.get('u4')!.email).toBe('');
    expect(users.columns).toEqual(['USER_ID', 'USERNAME', 'EMAIL', 'FIRST_NAME', 'LAST_NAME', 'AGE']);
  });

  it("gives '' for absent EMAIL and name columns", async () => {
    const users = await readUsers(tempFile('user_id,AGE\n7,31\n'));
    expect(users.byId.get('7')).toEqual({ userId: '7', email: '', firstName: '', lastName: '' });
  });

  it('rejects a repeated USER_ID naming both lines, an empty one and a missing column', async () => {
    const repeated = tempFile('USER_ID,EMAIL\n1,a@x.com\n2,b@x.com\n\n1,c@x.com\n');
    expect((await dataErrorOf(readUsers(repeated))).message).toBe(
      `${repeated}:5: USER_ID: USER_ID "1" repeats line 2; user ids must be unique`,
    );
    const empty = tempFile('USER_ID,EMAIL\n,a@x.com\n');
    expect((await dataErrorOf(readUsers(empty))).message).toBe(`${empty}:2: USER_ID: empty USER_ID`);
    const noColumn = tempFile('ID,EMAIL\n1,a@x.com\n');
    expect((await dataErrorOf(readUsers(noColumn))).message).toBe(
      `${noColumn}:1: USER_ID: required column USER_ID is missing; header found: ID,EMAIL`,
    );
  });

  it('loads the 6,000 retail users with 5,724 distinct emails', async () => {
    const users = await readUsers('data/retail-demo-store/users.csv.gz');
    expect(users.byId.size).toBe(6_000);
    expect(new Set([...users.byId.values()].map((user) => user.email)).size).toBe(5_724);
  });
});

describe('loadDatasets', () => {
  it('loads a directory of mixed .csv and .csv.gz files and reports progress per dataset', async () => {
    const progress: LoadProgress[] = [];
    const datasets = await loadDatasets(fixtures, { onProgress: (event) => progress.push(event) });
    expect(datasets.dir).toBe(fixtures);
    expect(datasets.files).toEqual({
      interactions: join(fixtures, 'interactions.csv.gz'),
      items: join(fixtures, 'items.csv'),
      users: join(fixtures, 'users.csv'),
    });
    expect(datasets.usersMissing).toBeUndefined();
    expect([datasets.interactions.length, datasets.items.itemIds.length, datasets.users.byId.size]).toEqual([4, 3, 5]);
    expect(progress.filter((event) => event.finished).sort((a, b) => a.dataset.localeCompare(b.dataset))).toEqual([
      { dataset: 'interactions', rowsRead: 4, finished: true },
      { dataset: 'items', rowsRead: 3, finished: true },
      { dataset: 'users', rowsRead: 5, finished: true },
    ]);
  });

  it('returns empty users with a flag when the users file is absent', async () => {
    const dir = join(tempDir, 'no-users');
    mkdirSync(dir);
    copyFileSync(join(fixtures, 'interactions.csv.gz'), join(dir, 'interactions.csv.gz'));
    copyFileSync(join(fixtures, 'items.csv'), join(dir, 'items.csv'));
    const datasets = await loadDatasets(dir);
    expect(datasets.usersMissing).toBe(true);
    expect(datasets.users.byId.size).toBe(0);
    expect(datasets.files.users).toBe('');
  });

  it('names the directory and the expected files when required ones are missing', async () => {
    const dir = join(tempDir, 'only-users');
    mkdirSync(dir);
    copyFileSync(join(fixtures, 'users.csv'), join(dir, 'users.csv'));
    const error = await loadDatasets(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `${dir}: no interactions dataset: expected interactions.csv, interactions.csv.gz, interactions.parquet or a directory interactions/ of part files in this directory\n` +
        `${dir}: no items dataset: expected items.csv, items.csv.gz, items.parquet or a directory items/ of part files in this directory`,
    );
    const absent = join(tempDir, 'absent');
    await expect(loadDatasets(absent)).rejects.toThrow(`dataset directory ${absent} does not exist or is not a directory`);
  });

  it('refuses a directory with both items.csv and items.csv.gz', async () => {
    const dir = join(tempDir, 'both');
    mkdirSync(dir);
    copyFileSync(join(fixtures, 'interactions.csv.gz'), join(dir, 'interactions.csv.gz'));
    copyFileSync(join(fixtures, 'items.csv'), join(dir, 'items.csv'));
    writeFileSync(join(dir, 'items.csv.gz'), gzipSync('ITEM_ID\nx\n'));
    await expect(loadDatasets(dir)).rejects.toThrow(`dataset directory ${dir} has both items.csv and items.csv.gz; keep only one`);
  });

  it('loads the bundled retail data with the documented counts', async () => {
    const datasets = await loadDatasets('data/retail-demo-store');
    expect(datasets.interactions.length).toBe(274_111);
    expect(datasets.interactions.eventTypes.length).toBe(5);
    expect(datasets.users.byId.size).toBe(6_000);
    expect(datasets.items.itemIds.length).toBe(2_465);
  });
});

describe('fingerprintDatasets', () => {
  it('depends on content, not on modification times', async () => {
    const dir = join(tempDir, 'fingerprint');
    mkdirSync(dir);
    for (const file of ['interactions.csv.gz', 'items.csv', 'users.csv']) copyFileSync(join(fixtures, file), join(dir, file));
    const original = await fingerprintDatasets(fixtures);
    expect(original).toMatch(/^[0-9a-f]{64}$/);
    utimesSync(join(dir, 'users.csv'), new Date('2020-01-01'), new Date('2020-01-01'));
    expect(await fingerprintDatasets(dir)).toBe(original);
    writeFileSync(join(dir, 'users.csv'), 'USER_ID,EMAIL\nu1,changed@example.com\n');
    const changed = await fingerprintDatasets(dir);
    expect(changed).not.toBe(original);
    rmSync(join(dir, 'users.csv'));
    expect(await fingerprintDatasets(dir)).not.toBe(changed);
  });
});
