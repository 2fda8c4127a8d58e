/**
 * The users dataset read from PostgreSQL: a query the campaign gives, streamed through a
 * server-side cursor (`DECLARE … CURSOR` / `FETCH`), so a million customers are never held twice
 * (only the resulting {@link Users} map grows). Column names are matched case-insensitively:
 * user_id → USER_ID, email → EMAIL, first_name → FIRST_NAME, last_name → LAST_NAME.
 * Emails are kept as stored; the identity resolver normalises them as it does for the CSV.
 */
import pg from 'pg';
import { ConfigError, DataError, TransientError } from '../core/errors.js';
import type { UserRecord, Users } from '../datasets/datasets.js';
import type { UsersSource } from './users-source-schema.js';

/** Rows fetched per round trip. */
export const fetchRows = 10_000;

/** Seconds to wait for the server before calling it unreachable. */
const connectTimeoutMs = 5_000;

const declareCursor = 'DECLARE affinity_users NO SCROLL CURSOR FOR ';

/** How issues name the source in messages (never the URL: it may hold a password). */
const where = 'users.postgres';

/** Options of {@link readPostgresUsers}. */
export interface ReadPostgresUsersOptions {
  /** Called with the rows read so far after each fetch. */
  onProgress?: (rowsRead: number) => void;
}

/**
 * Runs the campaign's users query and builds {@link Users}.
 *
 * @throws ConfigError (exit 2) when the URL variable is unset or not a PostgreSQL URL, the query
 *   fails (bad SQL, unknown table) or lacks a user_id or email column; DataError (exit 2) for an
 *   empty or repeated USER_ID; TransientError (exit 1) when the server cannot be reached.
 */
export async function readPostgresUsers(source: UsersSource['postgres'], env: NodeJS.ProcessEnv, options: ReadPostgresUsersOptions = {}): Promise<Users> {
  const url = env[source.urlEnv];
  if (!url) throw new ConfigError([{ field: `${where}.urlEnv`, message: `${source.urlEnv} is not set; it must hold the PostgreSQL connection URL (postgres://user:password@host:5432/db)` }]);
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError([{ field: `${where}.urlEnv`, message: `${source.urlEnv} is not a PostgreSQL URL (expected postgres://…; the value is not shown: it may hold a password)` }]);
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  // A dropped connection is reported by the query that was running; this keeps it from crashing the process meanwhile.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    // A server that answered with an SQLSTATE (bad password, unknown database) was reached: the settings are wrong.
    if (/^[0-9A-Z]{5}$/.test(String((error as { code?: string }).code))) {
      throw new ConfigError([{ field: `${where}.urlEnv`, message: `PostgreSQL refused the connection given by ${source.urlEnv}: ${reason(error)}` }], { cause: error });
    }
    throw new TransientError(`${where}: the PostgreSQL server in ${source.urlEnv} is unreachable (${reason(error)})`, { cause: error });
  }
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`${declareCursor}${source.query.replace(/;\s*$/, '')}`);
    return await readCursor(client, options);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // PostgreSQL counts from the start of the DECLARE statement; the user counts in their query.
    const position = Number((error as { position?: string }).position) - declareCursor.length;
    const at = position > 0 ? ` (at character ${position} of the query)` : '';
    throw new ConfigError([{ field: `${where}.query`, message: `PostgreSQL refused the query: ${reason(error)}${at}` }], { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readCursor(client: pg.Client, options: ReadPostgresUsersOptions): Promise<Users> {
  const byId = new Map<string, UserRecord>();
  const rowOf = new Map<string, number>();
  let columns: string[] = [];
  let pick: ((row: unknown[]) => UserRecord) | undefined;
  for (;;) {
    const result = await client.query({ text: `FETCH ${fetchRows} FROM affinity_users`, rowMode: 'array' });
    if (!pick) {
      columns = result.fields.map((field) => field.name.toUpperCase());
      pick = picker(columns);
    }
    for (const row of result.rows as unknown[][]) {
      const user = pick(row);
      const rowNumber = rowOf.size + 1;
      if (user.userId === '') throw new DataError([{ field: `${where}.query`, message: `row ${rowNumber}: empty user_id` }]);
      const earlier = rowOf.get(user.userId);
      if (earlier !== undefined) {
        throw new DataError([{ field: `${where}.query`, message: `row ${rowNumber}: user_id "${user.userId}" repeats row ${earlier}; user ids must be unique` }]);
      }
      rowOf.set(user.userId, rowNumber);
      byId.set(user.userId, user);
    }
    options.onProgress?.(byId.size);
    if (result.rows.length < fetchRows) break;
  }
  return { byId, columns };
}

/** A function turning a result row into a {@link UserRecord}, for the columns of the result. */
function picker(columns: string[]): (row: unknown[]) => UserRecord {
  const at = (name: string) => columns.indexOf(name);
  const missing = ['USER_ID', 'EMAIL'].filter((name) => at(name) < 0);
  if (missing.length > 0) {
    throw new ConfigError([
      {
        field: `${where}.query`,
        message: `the query returns no ${missing.map((name) => name.toLowerCase()).join(' or ')} column; it returns: ${columns.map((name) => name.toLowerCase()).join(', ') || 'no column'}`,
      },
    ]);
  }
  const [userId, email, firstName, lastName] = ['USER_ID', 'EMAIL', 'FIRST_NAME', 'LAST_NAME'].map(at) as [number, number, number, number];
  const text = (row: unknown[], index: number): string => {
    const value = index < 0 ? null : row[index];
    if (value === null || value === undefined) return '';
    // pg gives text for text columns, numbers for integers, Date for timestamps: any of them names a user
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
    return value instanceof Date ? value.toISOString() : JSON.stringify(value);
  };
  return (row) => ({ userId: text(row, userId), email: text(row, email), firstName: text(row, firstName), lastName: text(row, lastName) });
}

function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) && !/^[0-9A-Z]{5}$/.test(code) ? `${code}: ${message}` : message;
}
