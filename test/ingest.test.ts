import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataErrorOf } from './helpers/data-error-of.js';
import { loadDatasets } from '../src/datasets/load-datasets.js';
import { readInteractions } from '../src/datasets/read-interactions.js';
import { fingerprintDatasets } from '../src/datasets/fingerprint-datasets.js';
import { datasetSource } from '../src/ingest/dataset-source.js';
import { sqlString, withDuckDb } from '../src/ingest/duckdb-session.js';
import { ingestInteractions } from '../src/ingest/ingest-interactions.js';

const retail = 'data/retail-demo-store';
const tempDir = mkdtempSync(join(tmpdir(), 'affinity-ingest-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

let counter = 0;
function freshDir(): string {
  const dir = join(tempDir, String((counter += 1)));
  mkdirSync(dir);
  return dir;
}

/** Writes `text` as a CSV file of its own. */
function csvFile(text: string, name = 'interactions.csv'): string {
  const path = join(freshDir(), name);
  writeFileSync(path, name.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}

/** Runs SQL statements in a throwaway DuckDB (to write Parquet fixtures). */
async function duck(...statements: string[]): Promise<void> {
  await withDuckDb(async (connection) => {
    for (const statement of statements) await connection.run(statement);
  });
}


/** The retail data in every layout the ingest engine reads. */
const layouts = { csv: '', gz: '', parquet: '', parquetParts: '', csvParts: '' };

beforeAll(async () => {
  const root = freshDir();
  const plain = join(root, 'interactions.csv');
  writeFileSync(plain, gunzipSync(readFileSync(join(retail, 'interactions.csv.gz'))));
  layouts.csv = plain;
  layouts.gz = join(retail, 'interactions.csv.gz');
  layouts.parquet = join(root, 'interactions.parquet');
  layouts.parquetParts = join(root, 'parquet-parts');
  layouts.csvParts = join(root, 'csv-parts');
  mkdirSync(layouts.parquetParts);
  mkdirSync(layouts.csvParts);
  const typed = `SELECT USER_ID::VARCHAR AS USER_ID, ITEM_ID, TIMESTAMP::BIGINT AS TIMESTAMP, EVENT_TYPE, DISCOUNT FROM read_csv(${sqlString(plain)}, all_varchar = true)`;
  // Row ranges of 100,000: part-0 holds rows 1–100,000, and so on (parts are read in name order).
  const part = (k: number) => `SELECT * FROM (${typed}) LIMIT 100000 OFFSET ${k * 100_000}`;
  await duck(
    `COPY (${typed}) TO ${sqlString(layouts.parquet)} (FORMAT parquet, ROW_GROUP_SIZE 50000)`,
    ...[0, 1, 2].map((k) => `COPY (${part(k)}) TO ${sqlString(join(layouts.parquetParts, `part-0000${k}.parquet`))} (FORMAT parquet)`),
    ...[0, 1, 2].map((k) => `COPY (SELECT * FROM read_csv(${sqlString(plain)}, all_varchar = true) LIMIT 100000 OFFSET ${k * 100_000}) TO ${sqlString(join(layouts.csvParts, `part-0000${k}.csv${k === 1 ? '.gz' : ''}`))} (HEADER)`),
  );
  writeFileSync(join(layouts.parquetParts, '_SUCCESS'), '');
});

describe('ingestInteractions', () => {
  it('gives the streaming reader’s arrays for CSV, CSV.gz, Parquet and directories of Parquet or CSV parts', async () => {
    const expected = await readInteractions(join(retail, 'interactions.csv.gz'));
    expect(expected.length).toBe(274_111);
    for (const [layout, path] of Object.entries(layouts)) {
      const progress: number[] = [];
      const read = await ingestInteractions(datasetSource(path), { onProgress: (rows) => progress.push(rows) });
      expect({ layout, ...read }).toEqual({ layout, ...expected });
      expect(progress.at(-1)).toBe(274_111);
    }
  }, 300_000);

  it('reads the TIMESTAMP of a Parquet file as a TIMESTAMP type, in epoch seconds', async () => {
    const file = join(freshDir(), 'interactions.parquet');
    await duck(`COPY (SELECT 'u1' AS user_id, 'i1' AS item_id, TIMESTAMP '2024-11-16 00:00:03' AS "timestamp") TO ${sqlString(file)} (FORMAT parquet)`);
    const read = await ingestInteractions(datasetSource(file));
    expect([read.userIds, read.itemIds, read.eventTypes, [...read.timestamp]]).toEqual([['u1'], ['i1'], [''], [1_731_715_203]]);
  });

  // Every bad-data case of the CSV reader, through the DuckDB path: same message, same line.
  it.each([
    ['USER_ID,ITEM_ID,TIMESTAMP\nu,i,1731715203\nu,i,2024-11-16\n', ':3: TIMESTAMP: "2024-11-16" is not an integer; expected Unix epoch seconds, e.g. 1731715203'],
    ['USER_ID,ITEM_ID,TIMESTAMP\nu,i,1731715203\nu,i,+12\n', ':3: TIMESTAMP: "+12" is not an integer; expected Unix epoch seconds, e.g. 1731715203'],
    ['USER_ID,ITEM_ID,TIMESTAMP\nu,i,1731715203000\n', ':2: TIMESTAMP: 1731715203000 looks like milliseconds; expected Unix epoch seconds'],
    ['USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\n,i,2\n', ':3: USER_ID: empty USER_ID; every interaction needs a user'],
    ['USER_ID,ITEM_ID,TIMESTAMP\n\nu,"",2\n', ':3: ITEM_ID: empty ITEM_ID; every interaction needs an item'],
    ['USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu,i,1,View\nu,i,2\n', ':3: EVENT_TYPE: expected 4 fields as in the header, found 3 (no value for EVENT_TYPE)'],
    ['USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\nu,i,2,3\n', ':3: expected 3 fields as in the header, found 4 (unquoted comma in a field?)'],
    ['USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\nu,"open,2\nu,i,3\n', ':3: a quoted field is never closed (missing `"` before the end of the file)'],
    ['USER_ID,ITEM_ID,EVENT_TYPE\nu,i,View\n', ':1: TIMESTAMP: required column TIMESTAMP is missing; header found: USER_ID,ITEM_ID,EVENT_TYPE'],
    ['USER_ID,ITEM_ID,TIMESTAMP,user_id\nu,i,1,u\n', ':1: user_id: duplicate column (also column 1 "USER_ID")'],
  ])('CSV %#: names the line and the column', async (text, expected) => {
    for (const name of ['interactions.csv', 'interactions.csv.gz']) {
      const file = csvFile(text, name);
      expect((await dataErrorOf(ingestInteractions(datasetSource(file)))).message).toBe(`${file}${expected}`);
    }
  });

  it('names the bad part of a CSV directory', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'part-0.csv'), 'USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\n');
    writeFileSync(join(dir, 'part-1.csv'), 'USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\nu,i,x\n');
    expect((await dataErrorOf(ingestInteractions(datasetSource(dir)))).message).toBe(
      `${join(dir, 'part-1.csv')}:3: TIMESTAMP: "x" is not an integer; expected Unix epoch seconds, e.g. 1731715203`,
    );
    writeFileSync(join(dir, 'part-1.csv'), 'USER_ID,TIMESTAMP,ITEM_ID\nu,1,i\n');
    expect((await dataErrorOf(ingestInteractions(datasetSource(dir)))).message).toBe(
      `${join(dir, 'part-1.csv')}:1: the header USER_ID,TIMESTAMP,ITEM_ID differs from ${join(dir, 'part-0.csv')}'s (USER_ID,ITEM_ID,TIMESTAMP); every part needs the same columns in the same order`,
    );
  });

  it('names the Parquet part, row and row group of bad data', async () => {
    const dir = freshDir();
    const rows = (bad: string) => `SELECT 'u' || (k % 7) AS USER_ID, 'i' || (k % 5) AS ITEM_ID, CASE WHEN k = 3000 THEN ${bad} ELSE (1731715203 + k)::VARCHAR END AS TIMESTAMP FROM range(5000) t(k)`;
    await duck(
      `COPY (${rows("'1731715203'")}) TO ${sqlString(join(dir, 'part-0.parquet'))} (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
      `COPY (${rows("'soon'")}) TO ${sqlString(join(dir, 'part-1.parquet'))} (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
    );
    expect((await dataErrorOf(ingestInteractions(datasetSource(dir)))).message).toBe(
      `${join(dir, 'part-1.parquet')}: TIMESTAMP: row 3,001 (row group 1): "soon" is not an integer; expected Unix epoch seconds, e.g. 1731715203`,
    );
    await duck(`COPY (SELECT CASE WHEN k = 3 THEN NULL ELSE 'u' END AS USER_ID, 'i' AS ITEM_ID, 1731715203 AS TIMESTAMP FROM range(5) t(k)) TO ${sqlString(join(dir, 'part-1.parquet'))} (FORMAT parquet)`);
    expect((await dataErrorOf(ingestInteractions(datasetSource(dir)))).message).toBe(
      `${join(dir, 'part-1.parquet')}: USER_ID: row 4 (row group 0): empty USER_ID; every interaction needs a user`,
    );
    await duck(`COPY (SELECT 'u' AS USER_ID, 'i' AS ITEM_ID, 1731715203000 AS TIMESTAMP) TO ${sqlString(join(dir, 'part-1.parquet'))} (FORMAT parquet)`);
    expect((await dataErrorOf(ingestInteractions(datasetSource(dir)))).message).toBe(
      `${join(dir, 'part-1.parquet')}: TIMESTAMP: row 1 (row group 0): 1731715203000 looks like milliseconds; expected Unix epoch seconds`,
    );
    const single = join(freshDir(), 'interactions.parquet');
    await duck(`COPY (SELECT 'u' AS user_id, 1731715203 AS "Timestamp") TO ${sqlString(single)} (FORMAT parquet)`);
    expect((await dataErrorOf(ingestInteractions(datasetSource(single)))).message).toBe(
      `${single}: ITEM_ID: required column ITEM_ID is missing; columns found: user_id,Timestamp`,
    );
  });

  it('refuses a file that is not Parquet and a directory without parts', async () => {
    const fake = join(freshDir(), 'interactions.parquet');
    writeFileSync(fake, 'USER_ID,ITEM_ID,TIMESTAMP\n');
    expect((await dataErrorOf(ingestInteractions(datasetSource(fake)))).message).toMatch(new RegExp(`^${fake}: cannot read as Parquet: `));
    const empty = freshDir();
    writeFileSync(join(empty, 'notes.txt'), 'x');
    expect(() => datasetSource(empty)).toThrow(`${empty}: the directory holds no part file; expected *.parquet, *.csv or *.csv.gz files`);
  });
});

describe('loadDatasets over Parquet', () => {
  it('loads a directory of Parquet datasets into the same datasets as the CSV files', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'interactions'));
    copyFileSync(layouts.parquet, join(dir, 'interactions', 'part-00000.parquet'));
    const csv = (name: string) => `read_csv(${sqlString(join(retail, `${name}.csv.gz`))}, all_varchar = true)`;
    await duck(
      `COPY (SELECT * FROM ${csv('items')}) TO ${sqlString(join(dir, 'items.parquet'))} (FORMAT parquet)`,
      `COPY (SELECT * FROM ${csv('users')}) TO ${sqlString(join(dir, 'users.parquet'))} (FORMAT parquet)`,
    );
    const [parquet, bundled] = await Promise.all([loadDatasets(dir), loadDatasets(retail)]);
    expect(parquet.interactions).toEqual(bundled.interactions);
    expect(parquet.items).toEqual(bundled.items);
    expect(parquet.users).toEqual(bundled.users);
    expect(parquet.files.interactions).toBe(join(dir, 'interactions'));
    expect(await fingerprintDatasets(dir)).toMatch(/^[0-9a-f]{64}$/);
  }, 180_000);

  it('names the Parquet row of a repeated USER_ID', async () => {
    const dir = freshDir();
    copyFileSync(layouts.parquet, join(dir, 'interactions.parquet'));
    copyFileSync(join(retail, 'items.csv.gz'), join(dir, 'items.csv.gz'));
    await duck(`COPY (SELECT * FROM (VALUES ('1', 'a@example.com'), ('2', 'b@example.com'), ('1', 'c@example.com')) v(USER_ID, EMAIL)) TO ${sqlString(join(dir, 'users.parquet'))} (FORMAT parquet)`);
    expect((await dataErrorOf(loadDatasets(dir))).message).toBe(
      `${join(dir, 'users.parquet')}: USER_ID: row 3 (row group 0): USER_ID "1" repeats row 1 of the dataset; user ids must be unique`,
    );
  });

  it('refuses a dataset stored two ways', async () => {
    const dir = freshDir();
    copyFileSync(layouts.parquet, join(dir, 'interactions.parquet'));
    copyFileSync(join(retail, 'interactions.csv.gz'), join(dir, 'interactions.csv.gz'));
    copyFileSync(join(retail, 'items.csv.gz'), join(dir, 'items.csv.gz'));
    await expect(loadDatasets(dir)).rejects.toThrow(`dataset directory ${dir} has both interactions.csv.gz and interactions.parquet; keep only one`);
  });
});
