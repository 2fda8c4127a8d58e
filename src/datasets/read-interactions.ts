/**
 * Reads an interactions dataset (Amazon Personalize layout: `USER_ID,ITEM_ID,TIMESTAMP[,EVENT_TYPE]`
 * plus any other columns, which are ignored) into column arrays.
 */
import { DataError } from '../core/errors.js';
import { readCsv } from './csv-reader.js';
import type { Interactions } from './datasets.js';

/** Options of {@link readInteractions}. */
export interface ReadInteractionsOptions {
  /** Called with the number of rows read so far, every {@link progressEveryRows} rows and at the end. */
  onProgress?: (rowsRead: number) => void;
}

/** How often {@link ReadInteractionsOptions.onProgress} is called, in rows. */
export const progressEveryRows = 50_000;

const initialCapacity = 1 << 16;
/** Most distinct EVENT_TYPE values an interactions dataset may have: codes are stored in a Uint8Array. */
export const maxEventTypes = 256;
/** Epoch seconds above this (year 5138) are almost surely milliseconds. */
const maxEpochSeconds = 1e11;
const integerPattern = /^-?\d+$/;

/** The problems of an interaction row, worded once for every reader (CSV lines, Parquet rows). */
export const interactionProblems = {
  emptyUser: 'empty USER_ID; every interaction needs a user',
  emptyItem: 'empty ITEM_ID; every interaction needs an item',
  notInteger: (raw: string) => `"${raw}" is not an integer; expected Unix epoch seconds, e.g. 1731715203`,
  milliseconds: (raw: string) => `${raw} looks like milliseconds; expected Unix epoch seconds`,
  tooManyEventTypes: `more than ${maxEventTypes} distinct EVENT_TYPE values; is this the right column?`,
} as const;

/** True when `seconds` (an integer TIMESTAMP) is too large to be epoch seconds. */
export function looksLikeMilliseconds(seconds: number): boolean {
  return Math.abs(seconds) > maxEpochSeconds;
}

/**
 * Reads an interactions CSV (`.csv` or `.csv.gz`) in one streaming pass. USER_ID, ITEM_ID and
 * EVENT_TYPE values are interned (one string per distinct value); rows live in typed arrays that
 * grow by doubling. Column names match case-insensitively.
 *
 * @throws DataError (exit code 2) with file and line for: a missing USER_ID/ITEM_ID/TIMESTAMP
 *   column, an empty USER_ID or ITEM_ID, a TIMESTAMP that is not integer epoch seconds, more than
 *   256 distinct EVENT_TYPE values, or a malformed row.
 */
export async function readInteractions(file: string, options: ReadInteractionsOptions = {}): Promise<Interactions> {
  const table = await readCsv(file, { requiredColumns: ['USER_ID', 'ITEM_ID', 'TIMESTAMP'] });
  const userColumn = table.columnIndex('USER_ID');
  const itemColumn = table.columnIndex('ITEM_ID');
  const timestampColumn = table.columnIndex('TIMESTAMP');
  const eventTypeColumn = table.columnIndex('EVENT_TYPE');

  const userIds: string[] = [];
  const itemIds: string[] = [];
  const eventTypes: string[] = [];
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const eventTypeIndex = new Map<string, number>();
  const intern = (map: Map<string, number>, list: string[], value: string): number => {
    let index = map.get(value);
    if (index === undefined) {
      index = list.length;
      map.set(value, index);
      list.push(value);
    }
    return index;
  };

  let capacity = initialCapacity;
  let user = new Int32Array(capacity);
  let item = new Int32Array(capacity);
  let timestamp = new Float64Array(capacity);
  let eventType = new Uint8Array(capacity);
  let length = 0;

  const fail = (line: number, field: string, message: string): never => {
    throw new DataError([{ file, line, field, message }]);
  };

  for await (const { line, record } of table.rows) {
    const userId = record[userColumn] ?? '';
    const itemId = record[itemColumn] ?? '';
    const rawTimestamp = record[timestampColumn] ?? '';
    if (userId === '') fail(line, 'USER_ID', interactionProblems.emptyUser);
    if (itemId === '') fail(line, 'ITEM_ID', interactionProblems.emptyItem);
    if (!integerPattern.test(rawTimestamp)) fail(line, 'TIMESTAMP', interactionProblems.notInteger(rawTimestamp));
    const seconds = Number(rawTimestamp);
    if (looksLikeMilliseconds(seconds)) fail(line, 'TIMESTAMP', interactionProblems.milliseconds(rawTimestamp));
    const eventName = eventTypeColumn < 0 ? '' : (record[eventTypeColumn] ?? '');
    const eventCode = intern(eventTypeIndex, eventTypes, eventName);
    if (eventCode >= maxEventTypes) fail(line, 'EVENT_TYPE', interactionProblems.tooManyEventTypes);

    if (length === capacity) {
      capacity *= 2;
      user = grow(user, new Int32Array(capacity));
      item = grow(item, new Int32Array(capacity));
      timestamp = grow(timestamp, new Float64Array(capacity));
      eventType = grow(eventType, new Uint8Array(capacity));
    }
    user[length] = intern(userIndex, userIds, userId);
    item[length] = intern(itemIndex, itemIds, itemId);
    timestamp[length] = seconds;
    eventType[length] = eventCode;
    length += 1;
    if (length % progressEveryRows === 0) options.onProgress?.(length);
  }
  options.onProgress?.(length);

  return {
    userIds,
    itemIds,
    eventTypes,
    length,
    // slice() copies to the exact length, so the doubled spare capacity is freed
    user: user.slice(0, length),
    item: item.slice(0, length),
    timestamp: timestamp.slice(0, length),
    eventType: eventType.slice(0, length),
  };
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
