/**
 * The PostgreSQL users source against the real PostgreSQL on 127.0.0.1:5432: one schema per test
 * run (dropped afterwards), a customers table of a few thousand rows with duplicate and NULL emails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DataError, TransientError } from '../src/core/errors.js';
import { readPostgresUsers } from '../src/identity/postgres-users.js';
import { UsersIdentityResolver } from '../src/identity/users-resolver.js';
import { runCli } from './helpers/run-cli.js';

const url = process.env.AFFINITY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `affinity_users_${randomBytes(4).toString('hex')}`;
const env = { DATABASE_URL: url };
const customers = 3_000;
const repo = resolve(import.meta.dirname, '..');

/** Row k: user k; every 100th has a NULL email, every 50th (not 100th) shares user 1's email in another case. */
function emailOf(k: number): string | null {
  if (k % 100 === 0) return null;
  if (k % 50 === 0) return ' Customer1@Example.com ';
  return `customer${k}@example.com`;
}

const admin = new pg.Client({ connectionString: url });

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`CREATE TABLE ${schema}.customers (customer_id integer PRIMARY KEY, email text, given_name text, family_name text)`);
  const ks = Array.from({ length: customers }, (_, index) => index + 1);
  await admin.query(
    `INSERT INTO ${schema}.customers SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[])`,
    [ks, ks.map(emailOf), ks.map((k) => `First${k}`), ks.map((k) => `Last${k}`)],
  );
});

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

const query = (select = 'customer_id AS user_id, email, given_name AS first_name, family_name AS "Last_Name"') =>
  `select ${select} from ${schema}.customers order by customer_id`;

describe('readPostgresUsers', () => {
  it('streams every row, maps the columns case-insensitively and keeps emails as stored', async () => {
    const progress: number[] = [];
    const users = await readPostgresUsers({ query: query(), urlEnv: 'DATABASE_URL' }, env, { onProgress: (rows) => progress.push(rows) });
    expect(users.byId.size).toBe(customers);
    expect(users.columns).toEqual(['USER_ID', 'EMAIL', 'FIRST_NAME', 'LAST_NAME']);
    expect(users.byId.get('7')).toEqual({ userId: '7', email: 'customer7@example.com', firstName: 'First7', lastName: 'Last7' });
    expect(users.byId.get('100')?.email).toBe('');
    expect(users.byId.get('50')?.email).toBe(' Customer1@Example.com ');
    expect(progress).toEqual([3_000]);
  });

  it('gives the same members, merges and match report as the CSV users would', async () => {
    const users = await readPostgresUsers({ query: query(), urlEnv: 'DATABASE_URL' }, env);
    const resolved = new UsersIdentityResolver(users).resolve(['1', '50', '100', '150', '2', '9999']);
    expect(resolved.members.map((member) => [member.email, member.userIds, member.rank])).toEqual([
      ['customer1@example.com', ['1', '50', '150'], 1],
      ['customer2@example.com', ['2'], 5],
    ]);
    expect(resolved.unmatched).toEqual({ unknownUser: 1, missingEmail: 1, invalidEmail: 0 });
    expect(resolved.mergedDuplicates).toBe(2);
  });

  it('refuses a bad query, a missing email column and a repeated user_id with one clear line', async () => {
    const bad = await readPostgresUsers({ query: `select user_id, email from ${schema}.no_such_table`, urlEnv: 'DATABASE_URL' }, env).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as ConfigError).exitCode).toBe(2);
    expect((bad as ConfigError).message).toBe(`users.postgres.query: PostgreSQL refused the query: relation "${schema}.no_such_table" does not exist (at character 28 of the query)`);

    const noEmail = await readPostgresUsers({ query: query('customer_id AS user_id, given_name'), urlEnv: 'DATABASE_URL' }, env).catch((error: unknown) => error);
    expect((noEmail as ConfigError).message).toBe('users.postgres.query: the query returns no email column; it returns: user_id, given_name');

    const repeated = await readPostgresUsers({ query: `select 1 as user_id, 'a@example.com' as email union all select 1, 'b@example.com'`, urlEnv: 'DATABASE_URL' }, env).catch((error: unknown) => error);
    expect(repeated).toBeInstanceOf(DataError);
    expect((repeated as DataError).message).toBe('users.postgres.query: row 2: user_id "1" repeats row 1; user ids must be unique');
  });

  it('reports an unreachable server (exit 1) and an unset URL variable (exit 2), never the URL', async () => {
    const unreachable = await readPostgresUsers({ query: query(), urlEnv: 'CUSTOMERS_URL' }, { CUSTOMERS_URL: 'postgres://someone:secret-pw@127.0.0.1:1/shop' }).catch((error: unknown) => error);
    expect(unreachable).toBeInstanceOf(TransientError);
    expect((unreachable as TransientError).exitCode).toBe(1);
    expect((unreachable as TransientError).message).toMatch(/^users\.postgres: the PostgreSQL server in CUSTOMERS_URL is unreachable \(.*ECONNREFUSED.*\)$/);
    expect((unreachable as TransientError).message).not.toContain('secret-pw');

    const unset = await readPostgresUsers({ query: query(), urlEnv: 'DATABASE_URL' }, {}).catch((error: unknown) => error);
    expect((unset as ConfigError).message).toBe('users.postgres.urlEnv: DATABASE_URL is not set; it must hold the PostgreSQL connection URL (postgres://user:password@host:5432/db)');
  });
});

describe('a campaign with users from PostgreSQL', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'affinity-pg-users-'));
    // The bundled retail users, as a customers table.
    await admin.query(`CREATE TABLE ${schema}.retail_users (id text PRIMARY KEY, email text, first_name text, last_name text)`);
    const { gunzipSync } = await import('node:zlib');
    const { parse } = await import('csv-parse/sync');
    const rows: Array<Record<string, string>> = parse(gunzipSync(await readFile(join(repo, 'data/retail-demo-store/users.csv.gz'))), { columns: true });
    await admin.query(`INSERT INTO ${schema}.retail_users SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`, [
      rows.map((row) => row.USER_ID),
      rows.map((row) => row.EMAIL),
      rows.map((row) => row.FIRST_NAME),
      rows.map((row) => row.LAST_NAME),
    ]);
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('writes the same audience as the users CSV, and exits 2 on a bad query', async () => {
    const campaign = (name: string, users: string) => `name: ${name}
type: excess-inventory
data: ${join(repo, 'data/retail-demo-store')}
${users}
items: { itemIds: [22552eb1-57f1-4fa3-a93a-a9fa22851f9f] }
segment: { provider: local, numResults: 300 }
destinations:
  - { connector: file, dir: out, name: "{{campaign}}" }
`;
    await writeFile(join(cwd, 'pg.yaml'), campaign('from-postgres', `users: { postgres: { query: "select id as user_id, email, first_name, last_name from ${schema}.retail_users" } }`));
    await writeFile(join(cwd, 'csv.yaml'), campaign('from-csv', ''));
    const cliEnv = { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: url };
    const run = await runCli(['run', '--json', 'pg.yaml', 'csv.yaml'], { cwd, env: cliEnv });
    expect(run.stderr).toMatch(/^started run from-postgres-\d{8}T\d{6}Z \(from-postgres\)\nstarted run from-csv-\d{8}T\d{6}Z \(from-csv\)\n$/);
    expect(run.code).toBe(0);
    const fromPostgres = await readFile(join(cwd, 'out/from-postgres.csv'), 'utf8');
    expect(fromPostgres.split('\n').length).toBeGreaterThan(250);
    expect(fromPostgres).toBe(await readFile(join(cwd, 'out/from-csv.csv'), 'utf8'));

    await writeFile(join(cwd, 'bad.yaml'), campaign('bad-query', `users: { postgres: { query: "select nope from ${schema}.retail_users" } }`));
    const bad = await runCli(['run', '--json', 'bad.yaml'], { cwd, env: cliEnv });
    expect(bad.code).toBe(2);
    expect(bad.stderr.replace(/^started run \S+ \(bad-query\)\n/, '')).toBe('error: users.postgres.query: PostgreSQL refused the query: column "nope" does not exist (at character 8 of the query)\n');
  });
});
