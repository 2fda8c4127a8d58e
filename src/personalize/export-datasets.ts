/**
 * Writes datasets as Amazon Personalize import files: one CSV per dataset plus its Avro schema
 * JSON (`interactions.csv` + `interactions-schema.json`, `items…`, `users…`).
 *
 * Layout: Personalize developer guide, "Formatting your input data" and "Creating schema JSON
 * files" (`../shared/reference/personalize.md` §4). Multi-valued categorical cells are joined by
 * `|`. The users file never carries personal data (EMAIL, names, USERNAME, address fields) nor the
 * data generator's ground truth (PERSONA, DISCOUNT_PERSONA: see the bundled data's README).
 * Files are written under temporary names and renamed once all are complete.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { readCsv } from '../datasets/csv-reader.js';
import type { Datasets } from '../datasets/datasets.js';
import { avroSchema, metadataField, type AvroSchema, type MetadataKind } from './avro-schema.js';
import { attributeProblem, datasetWarnings, type DatasetWarning } from './dataset-warnings.js';

/** Users columns never exported: personal data, and the generator's ground truth. */
export const USER_COLUMNS_NOT_EXPORTED = [
  'EMAIL', 'FIRST_NAME', 'LAST_NAME', 'USERNAME', 'NAME', 'PHONE', 'ADDRESS', 'STREET', 'CITY', 'STATE', 'ZIPCODE', 'ZIP', 'POSTCODE', 'PERSONA', 'DISCOUNT_PERSONA',
] as const;

/** One written dataset. */
export interface ExportedDataset {
  dataset: 'interactions' | 'items' | 'users';
  csv: string;
  schemaFile: string;
  rows: number;
  schema: AvroSchema;
}

/** What {@link exportPersonalizeDatasets} wrote and found. */
export interface DatasetExport {
  outDir: string;
  datasets: ExportedDataset[];
  warnings: DatasetWarning[];
}

type Row = Array<string | number>;

/**
 * Writes the Personalize import files of `datasets` into `outDir` (created when missing).
 * @throws DataError for a malformed users file.
 */
export async function exportPersonalizeDatasets(datasets: Datasets, outDir: string): Promise<DatasetExport> {
  await mkdir(outDir, { recursive: true });
  const pending: Array<{ temporary: string; final: string }> = [];
  const target = (name: string) => {
    const entry = { final: join(outDir, name), temporary: join(outDir, `.${name}.${process.pid}.tmp`) };
    pending.push(entry);
    return entry.temporary;
  };
  try {
    const exported: ExportedDataset[] = [];
    const warnings = datasetWarnings(datasets);
    exported.push(await writeDataset('interactions', interactionsSchema(datasets), interactionRows(datasets), target));
    exported.push(await writeDataset('items', itemsSchema(datasets), itemRows(datasets), target));
    if (datasets.files.users) {
      const users = await usersExport(datasets.files.users);
      exported.push(await writeDataset('users', users.schema, users.rows, target));
      warnings.push(...users.warnings);
    }
    for (const { temporary, final } of pending) await rename(temporary, final);
    return { outDir, datasets: exported, warnings };
  } finally {
    await Promise.all(pending.map(({ temporary }) => rm(temporary, { force: true })));
  }
}

async function writeDataset(
  dataset: ExportedDataset['dataset'],
  schema: AvroSchema,
  rows: AsyncIterable<Row> | Iterable<Row>,
  target: (name: string) => string,
): Promise<ExportedDataset> {
  const csv = `${dataset}.csv`;
  const schemaFile = `${dataset}-schema.json`;
  let count = 0;
  const counted = async function* () {
    for await (const row of rows) {
      count += 1;
      yield row;
    }
  };
  await pipeline(
    Readable.from(counted()),
    stringify({ header: true, columns: schema.fields.map((field) => field.name) }),
    createWriteStream(target(csv)),
  );
  await writeFile(target(schemaFile), `${JSON.stringify(schema, null, 2)}\n`, 'utf8');
  return { dataset, csv, schemaFile, rows: count, schema };
}

function hasEventTypes(datasets: Datasets): boolean {
  return datasets.interactions.eventTypes.some((type) => type !== '');
}

function interactionsSchema(datasets: Datasets): AvroSchema {
  return avroSchema('Interactions', [
    { name: 'USER_ID', type: 'string' },
    { name: 'ITEM_ID', type: 'string' },
    { name: 'TIMESTAMP', type: 'long' },
    ...(hasEventTypes(datasets) ? [{ name: 'EVENT_TYPE', type: 'string' }] : []),
  ]);
}

function* interactionRows(datasets: Datasets): Iterable<Row> {
  const { interactions } = datasets;
  const withEvents = hasEventTypes(datasets);
  for (let row = 0; row < interactions.length; row += 1) {
    const cells: Row = [
      interactions.userIds[interactions.user[row]!]!,
      interactions.itemIds[interactions.item[row]!]!,
      Math.floor(interactions.timestamp[row]!),
    ];
    if (withEvents) cells.push(interactions.eventTypes[interactions.eventType[row]!]!);
    yield cells;
  }
}

function itemsSchema(datasets: Datasets): AvroSchema {
  const { items } = datasets;
  return avroSchema('Items', [
    { name: 'ITEM_ID', type: 'string' },
    ...items.columns.map((column) => metadataField(column.name, column.kind === 'numeric' ? 'float' : column.kind)),
    ...(items.creationTimestamp ? [{ name: 'CREATION_TIMESTAMP', type: 'long' }] : []),
  ]);
}

function* itemRows(datasets: Datasets): Iterable<Row> {
  const { items } = datasets;
  for (const [index, itemId] of items.itemIds.entries()) {
    const cells: Row = [itemId, ...items.columns.map((column) => (column.values[index] ?? []).join('|'))];
    if (items.creationTimestamp) cells.push(Math.floor(items.creationTimestamp[index]!));
    yield cells;
  }
}

/** Reads the users file again: the loaded users keep only what identity resolution needs. */
async function usersExport(file: string): Promise<{ schema: AvroSchema; rows: Row[]; warnings: DatasetWarning[] }> {
  const table = await readCsv(file, { requiredColumns: ['USER_ID'] });
  const excluded = new Set<string>(USER_COLUMNS_NOT_EXPORTED);
  const userIdColumn = table.columnIndex('USER_ID');
  const kept = table.header
    .map((name, index) => ({ name: name.toUpperCase(), index }))
    .filter(({ name, index }) => index !== userIdColumn && !excluded.has(name));
  const rows: Row[] = [];
  for await (const { record } of table.rows) rows.push([record[userIdColumn] ?? '', ...kept.map(({ index }) => record[index] ?? '')]);
  const kinds = kept.map((_, k) => userColumnKind(rows.map((row) => String(row[k + 1]))));
  const warnings: DatasetWarning[] = [];
  kept.forEach(({ name }, k) => {
    if (kinds[k] !== 'categorical') return;
    const problem = attributeProblem(rows.map((row) => String(row[k + 1]).split('|').filter((value) => value !== '')), 'user');
    if (problem) warnings.push({ dataset: 'users', field: name, message: `${problem}; it tells users apart poorly (consider leaving it out)` });
  });
  return { schema: avroSchema('Users', [{ name: 'USER_ID', type: 'string' }, ...kept.map(({ name }, k) => metadataField(name, kinds[k]!))]), rows, warnings };
}

function userColumnKind(values: string[]): MetadataKind {
  const filled = values.filter((value) => value.trim() !== '');
  if (filled.length > 0 && filled.every((value) => /^-?\d{1,9}$/.test(value.trim()))) return 'int';
  if (filled.length > 0 && filled.every((value) => value.trim() !== '' && Number.isFinite(Number(value)))) return 'float';
  return 'categorical';
}
