/**
 * Reads an items dataset (Amazon Personalize layout: `ITEM_ID` plus metadata columns, several
 * categorical values joined by `|`, optional `CREATION_TIMESTAMP` in epoch seconds). The same
 * layout serves the small "new items" files of new-items campaigns.
 */
import { DataError } from '../core/errors.js';
import { readCsv, type CsvTable } from './csv-reader.js';
import type { ItemColumn, ItemColumnKind, Items } from './datasets.js';

/** Options of {@link readItems}. */
export interface ReadItemsOptions {
  /**
   * Kinds to use instead of the inferred ones, by column name (case-insensitive), e.g.
   * `{ PRODUCT_NAME: 'textual' }`. Names that are not in the file are ignored.
   * @defaultValue `{}`
   */
  kinds?: Readonly<Record<string, ItemColumnKind>>;
}

/** A column whose mean non-empty value is longer than this (in characters) is `textual`. */
export const textualMeanLength = 60;

/** Separator of several values in one categorical cell (Personalize convention). */
export const multiValueSeparator = '|';

const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const integerPattern = /^-?\d+$/;

/**
 * Reads an items CSV (`.csv` or `.csv.gz`). Column names are upper-cased (`category_l1` becomes
 * `CATEGORY_L1`), as are the keys of `kinds`.
 *
 * Kinds are inferred per column unless forced by `options.kinds`:
 * - `numeric`: every non-empty value is a decimal number (`12`, `-3.5`, `1e3`);
 * - `textual`: the name contains `DESCRIPTION`, or the mean length of the non-empty values is
 *   above {@link textualMeanLength} characters;
 * - `categorical` otherwise: each cell is split on `|`, values trimmed, empty ones dropped.
 * Numeric and textual cells give a list of one value (none when empty). Numeric columns also get
 * `numbers` (NaN for an empty cell).
 *
 * @throws DataError (exit code 2) with file and line for: no ITEM_ID column, an empty or repeated
 *   ITEM_ID (both lines named), a CREATION_TIMESTAMP that is not integer epoch seconds, a value
 *   that is not a number in a column forced to `numeric`, or a malformed row.
 */
export async function readItems(file: string, options: ReadItemsOptions = {}): Promise<Items> {
  return readItemsTable(await readCsv(file, { requiredColumns: ['ITEM_ID'] }), options);
}

/** {@link readItems} over an opened table (a CSV file, or Parquet rows read by `src/ingest/`) that has an ITEM_ID column. */
export async function readItemsTable(table: CsvTable, options: ReadItemsOptions = {}): Promise<Items> {
  const file = table.file;
  const itemIdColumn = table.columnIndex('ITEM_ID');
  const creationColumn = table.columnIndex('CREATION_TIMESTAMP');
  const metadataColumns = table.header
    .map((name, index) => ({ name: name.toUpperCase(), index }))
    .filter(({ index }) => index !== itemIdColumn && index !== creationColumn);

  const itemIds: string[] = [];
  const indexOf = new Map<string, number>();
  const lines: number[] = [];
  const cells: string[][] = metadataColumns.map(() => []);
  const creation: number[] = [];

  for await (const { line, record } of table.rows) {
    const itemId = record[itemIdColumn] ?? '';
    if (itemId === '') throw new DataError([{ file, line, field: 'ITEM_ID', message: 'empty ITEM_ID' }]);
    const earlier = indexOf.get(itemId);
    if (earlier !== undefined) {
      throw new DataError([
        { file, line, field: 'ITEM_ID', message: `ITEM_ID "${itemId}" repeats line ${lines[earlier]}; item ids must be unique` },
      ]);
    }
    indexOf.set(itemId, itemIds.length);
    itemIds.push(itemId);
    lines.push(line);
    metadataColumns.forEach(({ index }, k) => cells[k]!.push(record[index] ?? ''));
    if (creationColumn >= 0) creation.push(parseCreationTimestamp(file, line, record[creationColumn] ?? ''));
  }

  const forced = new Map(Object.entries(options.kinds ?? {}).map(([name, kind]) => [name.toUpperCase(), kind]));
  const columns = metadataColumns.map(({ name }, k): ItemColumn => {
    const raw = cells[k]!;
    const kind = forced.get(name) ?? inferKind(name, raw);
    if (kind === 'categorical') return { name, kind, values: raw.map(splitCategorical) };
    const values = raw.map((cell) => (cell.trim() === '' ? [] : [kind === 'numeric' ? cell.trim() : cell]));
    if (kind === 'textual') return { name, kind, values };
    const numbers = new Float64Array(raw.length);
    raw.forEach((cell, row) => {
      const text = cell.trim();
      if (text !== '' && !numberPattern.test(text)) {
        throw new DataError([{ file, line: lines[row], field: name, message: `"${cell}" is not a number (column kind numeric)` }]);
      }
      numbers[row] = text === '' ? Number.NaN : Number(text);
    });
    return { name, kind, values, numbers };
  });

  return {
    itemIds,
    indexOf,
    columns,
    ...(creationColumn >= 0 ? { creationTimestamp: Float64Array.from(creation) } : {}),
  };
}

/** Options of {@link readNewItems}. */
export interface ReadNewItemsOptions extends ReadItemsOptions {
  /**
   * The catalog the new items join: its column kinds are applied to the same-named columns of the
   * new-items file, so a file of a few rows is read the same way as the catalog.
   */
  catalog?: Items;
}

/**
 * Reads a new-items file: the items layout (ITEM_ID + attribute columns) listing products that
 * are not yet in the interactions. Same rules and errors as {@link readItems}; kinds come from
 * `options.kinds`, then from `options.catalog`, then are inferred.
 */
export async function readNewItems(file: string, options: ReadNewItemsOptions = {}): Promise<Items> {
  const kinds: Record<string, ItemColumnKind> = {};
  for (const column of options.catalog?.columns ?? []) kinds[column.name] = column.kind;
  for (const [name, kind] of Object.entries(options.kinds ?? {})) kinds[name.toUpperCase()] = kind;
  return readItems(file, { kinds });
}

function inferKind(name: string, cells: readonly string[]): ItemColumnKind {
  let filled = 0;
  let totalLength = 0;
  let allNumbers = true;
  for (const cell of cells) {
    const text = cell.trim();
    if (text === '') continue;
    filled += 1;
    totalLength += cell.length;
    if (allNumbers && !numberPattern.test(text)) allNumbers = false;
  }
  if (filled > 0 && allNumbers) return 'numeric';
  if (name.includes('DESCRIPTION') || (filled > 0 && totalLength / filled > textualMeanLength)) return 'textual';
  return 'categorical';
}

function splitCategorical(cell: string): string[] {
  if (cell === '') return [];
  return cell
    .split(multiValueSeparator)
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

function parseCreationTimestamp(file: string, line: number, raw: string): number {
  if (raw.trim() === '') return Number.NaN;
  if (!integerPattern.test(raw.trim())) {
    throw new DataError([
      { file, line, field: 'CREATION_TIMESTAMP', message: `"${raw}" is not an integer; expected Unix epoch seconds` },
    ]);
  }
  return Number(raw.trim());
}
