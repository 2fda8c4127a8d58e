/**
 * Datasets in S3, against the project's local Personalize/S3 stand-in: mirrored into a cache keyed
 * by ETag, then read like a local directory.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { sqlString, withDuckDb } from '../src/ingest/duckdb-session.js';
import { mirrorS3Datasets } from '../src/s3-datasets/mirror-s3-datasets.js';
import { parseS3Url } from '../src/s3-datasets/s3-url.js';
import { useExampleAwsCredentials } from './helpers/example-aws-credentials.js';
import { startFakePersonalize, type FakePersonalize } from './helpers/fake-personalize.js';
import { runCli } from './helpers/run-cli.js';

useExampleAwsCredentials();

const repo = resolve(import.meta.dirname, '..');
const retail = join(repo, 'data/retail-demo-store');
let fake: FakePersonalize;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startFakePersonalize();
  work = await mkdtemp(join(tmpdir(), 'affinity-s3-'));
  env = { ...process.env, AWS_ENDPOINT_URL_S3: fake.url, AWS_REGION: 'eu-west-1', LOG_LEVEL: 'silent' };
  // The shop as Personalize would import it: interactions as two Parquet parts, items and users as CSV.gz.
  const half = (k: number) =>
    `COPY (SELECT USER_ID::VARCHAR AS USER_ID, ITEM_ID, TIMESTAMP::BIGINT AS TIMESTAMP, EVENT_TYPE FROM read_csv(${sqlString(join(retail, 'interactions.csv.gz'))}, all_varchar = true) LIMIT 137056 OFFSET ${k * 137_056}) TO ${sqlString(join(work, `part-${k}.parquet`))} (FORMAT parquet)`;
  await withDuckDb(async (connection) => {
    for (const k of [0, 1]) await connection.run(half(k));
  });
  for (const k of [0, 1]) fake.objects.set(`shop-data/retail/interactions/part-0000${k}.parquet`, await readFile(join(work, `part-${k}.parquet`)));
  fake.objects.set('shop-data/retail/items.csv.gz', await readFile(join(retail, 'items.csv.gz')));
  fake.objects.set('shop-data/retail/users.csv.gz', await readFile(join(retail, 'users.csv.gz')));
  fake.objects.set('shop-data/retail/interactions/_SUCCESS', Buffer.alloc(0));
  fake.objects.set('shop-data/retail/README.txt', Buffer.from('not a dataset'));
});

afterAll(async () => {
  await fake.close();
  await rm(work, { recursive: true, force: true });
});

describe('parseS3Url', () => {
  it('splits bucket and prefix, adding the trailing slash', () => {
    expect(parseS3Url('s3://shop-data/retail')).toEqual({ bucket: 'shop-data', prefix: 'retail/' });
    expect(parseS3Url('s3://shop-data/')).toEqual({ bucket: 'shop-data', prefix: '' });
    expect(parseS3Url('s3://x')).toBeUndefined();
  });
});

describe('mirrorS3Datasets', () => {
  it('downloads the dataset objects once, then only what changed, and drops what was deleted', async () => {
    const cacheDir = join(work, 'cache');
    const progress: boolean[] = [];
    const first = await mirrorS3Datasets('s3://shop-data/retail/', { cacheDir, env, onProgress: (event) => progress.push(event.finished) });
    expect(first.dir).toBe(join(cacheDir, 'shop-data/retail/'));
    expect(first.downloaded.sort()).toEqual(['interactions/part-00000.parquet', 'interactions/part-00001.parquet', 'items.csv.gz', 'users.csv.gz']);
    expect(progress.at(-1)).toBe(true);
    expect(await readFile(join(first.dir, 'users.csv.gz'))).toEqual(fake.objects.get('shop-data/retail/users.csv.gz'));
    expect(existsSync(join(first.dir, 'README.txt'))).toBe(false);

    const gets = () => fake.calls.filter((call) => call === 's3:GetObject').length;
    const before = gets();
    const second = await mirrorS3Datasets('s3://shop-data/retail', { cacheDir, env });
    expect(second.downloaded).toEqual([]);
    expect(second.unchanged).toHaveLength(4);
    expect(gets()).toBe(before);

    // Items rewritten with the same bytes (same ETag), users replaced by a plain CSV.
    const users = fake.objects.get('shop-data/retail/users.csv.gz')!;
    fake.objects.set('shop-data/retail/items.csv.gz', await readFile(join(retail, 'items.csv.gz')));
    fake.objects.set('shop-data/retail/users.csv', Buffer.from('USER_ID,EMAIL\n1,a@example.com\n'));
    fake.objects.delete('shop-data/retail/users.csv.gz');
    const third = await mirrorS3Datasets('s3://shop-data/retail', { cacheDir, env });
    expect(third.downloaded).toEqual(['users.csv']);
    expect(gets()).toBe(before + 1);
    expect((await readdir(third.dir)).sort()).toEqual(['.etags.json', 'interactions', 'items.csv.gz', 'users.csv']);
    fake.objects.delete('shop-data/retail/users.csv');
    fake.objects.set('shop-data/retail/users.csv.gz', users);
  });

  it('names a prefix without datasets and a missing bucket', async () => {
    const cacheDir = join(work, 'cache-errors');
    const empty = await mirrorS3Datasets('s3://shop-data/nothing-here/', { cacheDir, env }).catch((error: unknown) => error);
    expect(empty).toBeInstanceOf(ConfigError);
    expect((empty as ConfigError).message).toBe(
      'data: no dataset under s3://shop-data/nothing-here/ (expected interactions, items and users as .csv, .csv.gz, .parquet or a directory of parts)',
    );
    await expect(mirrorS3Datasets('s3:/bad', { cacheDir, env })).rejects.toThrow('data: "s3:/bad" is not an S3 location; expected s3://bucket/prefix/');
  });
});

describe('a campaign with data: s3://…', () => {
  it('writes the same audience as the bundled CSV files, and the second run downloads nothing', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'affinity-s3-run-'));
    const campaign = (name: string, data: string) => `name: ${name}
type: excess-inventory
data: ${data}
items: { itemIds: [22552eb1-57f1-4fa3-a93a-a9fa22851f9f, 2ffa8784-9c55-414e-b852-b0615a49bfb9] }
segment: { provider: local, numResults: 200 }
destinations:
  - { connector: file, dir: out, name: "{{campaign}}-{{label}}" }
`;
    await writeFile(join(cwd, 's3.yaml'), campaign('from-s3', 's3://shop-data/retail/'));
    await writeFile(join(cwd, 'local.yaml'), campaign('from-local', retail));
    // validate accepts the location without the network; --with-data downloads and plans, as run does.
    const getsBefore = fake.calls.filter((call) => call === 's3:GetObject').length;
    expect(await runCli(['validate', 's3.yaml'], { cwd, env })).toEqual({ code: 0, stdout: 'ok    s3.yaml  (from-s3: excess-inventory, 1 destination)\n', stderr: '' });
    expect(fake.calls.filter((call) => call === 's3:GetObject').length).toBe(getsBefore);
    const withData = await runCli(['validate', '--with-data', 's3.yaml'], { cwd, env });
    expect(withData.stdout).toBe('ok    s3.yaml  (from-s3: excess-inventory, 1 destination, 2 queries)\n');
    expect(withData.code).toBe(0);
    const run = await runCli(['run', '--json', 's3.yaml', 'local.yaml'], { cwd, env });
    expect(run.stderr).toMatch(/^started run from-s3-\d{8}T\d{6}Z \(from-s3\)\nstarted run from-local-\d{8}T\d{6}Z \(from-local\)\n$/);
    expect(run.code).toBe(0);
    const files = (await readdir(join(cwd, 'out'))).filter((name) => name.endsWith('.csv')).sort();
    expect(files).toHaveLength(4);
    for (const name of files.filter((file) => file.startsWith('from-s3'))) {
      expect(await readFile(join(cwd, 'out', name), 'utf8')).toBe(await readFile(join(cwd, 'out', name.replace('from-s3', 'from-local')), 'utf8'));
    }
    const gets = fake.calls.filter((call) => call === 's3:GetObject').length;
    const again = await runCli(['run', '--json', 's3.yaml'], { cwd, env });
    expect(again.code).toBe(0);
    expect(fake.calls.filter((call) => call === 's3:GetObject').length).toBe(gets);
    await rm(cwd, { recursive: true, force: true });
  }, 180_000);
});
