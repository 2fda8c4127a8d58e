/**
 * What Amazon Personalize would reject or ignore in a dataset, found before an import.
 *
 * Limits: Personalize developer guide, "Service quotas" and the recipe pages
 * (`../shared/reference/personalize.md` §1): at least 1,000 interactions and 25 users with 2 or
 * more interactions to train; Item-Attribute-Affinity needs an attribute column whose values are
 * neither all the same nor all different (aws-samples/retail-demo-store#393); at most 50 metadata
 * fields; categorical values up to 1,000 characters; ids up to 256 characters.
 */
import type { Datasets } from '../datasets/datasets.js';

/** Interactions Personalize needs to train a solution version. */
export const MIN_INTERACTIONS = 1000;
/** Users with at least {@link MIN_INTERACTIONS_PER_USER} interactions Personalize needs. */
export const MIN_ACTIVE_USERS = 25;
export const MIN_INTERACTIONS_PER_USER = 2;
const MAX_METADATA_FIELDS = 50;
const MAX_CATEGORICAL_VALUE_LENGTH = 1000;
const MAX_ID_LENGTH = 256;

/** One warning, with the dataset it is about. */
export interface DatasetWarning {
  dataset: 'interactions' | 'items' | 'users';
  /** Column, when the warning is about one. */
  field?: string;
  message: string;
}

/** Checks the interactions and items of `datasets`. */
export function datasetWarnings(datasets: Pick<Datasets, 'interactions' | 'items'>): DatasetWarning[] {
  const warnings: DatasetWarning[] = [];
  const { interactions, items } = datasets;

  if (interactions.length < MIN_INTERACTIONS) {
    warnings.push({ dataset: 'interactions', message: `${interactions.length} interactions; Personalize needs at least ${MIN_INTERACTIONS} to train` });
  }
  const perUser = new Int32Array(interactions.userIds.length);
  for (let row = 0; row < interactions.length; row += 1) perUser[interactions.user[row]!]! += 1;
  const activeUsers = perUser.filter((count) => count >= MIN_INTERACTIONS_PER_USER).length;
  if (activeUsers < MIN_ACTIVE_USERS) {
    warnings.push({
      dataset: 'interactions',
      message: `${activeUsers} users have ${MIN_INTERACTIONS_PER_USER} or more interactions; Personalize needs at least ${MIN_ACTIVE_USERS}`,
    });
  }
  const longUserIds = interactions.userIds.filter((id) => id.length > MAX_ID_LENGTH).length;
  const longItemIds = items.itemIds.filter((id) => id.length > MAX_ID_LENGTH).length;
  if (longUserIds > 0) warnings.push({ dataset: 'interactions', field: 'USER_ID', message: `${longUserIds} USER_IDs are longer than ${MAX_ID_LENGTH} characters` });
  if (longItemIds > 0) warnings.push({ dataset: 'items', field: 'ITEM_ID', message: `${longItemIds} ITEM_IDs are longer than ${MAX_ID_LENGTH} characters` });

  if (items.columns.length > MAX_METADATA_FIELDS) {
    warnings.push({ dataset: 'items', message: `${items.columns.length} metadata columns; Personalize uses at most ${MAX_METADATA_FIELDS}` });
  }
  let usableAttributes = 0;
  for (const column of items.columns) {
    if (column.kind === 'textual') continue;
    const tooLong = column.kind === 'categorical' ? column.values.flat().filter((value) => value.length > MAX_CATEGORICAL_VALUE_LENGTH).length : 0;
    if (tooLong > 0) {
      warnings.push({ dataset: 'items', field: column.name, message: `${tooLong} values are longer than ${MAX_CATEGORICAL_VALUE_LENGTH} characters` });
    }
    if (column.kind !== 'categorical') {
      usableAttributes += 1;
      continue;
    }
    const problem = attributeProblem(column.values, 'item');
    if (problem) warnings.push({ dataset: 'items', field: column.name, message: `${problem}; Item-Attribute-Affinity cannot use it (exclude it from training, or declare it textual)` });
    else usableAttributes += 1;
  }
  if (usableAttributes === 0) {
    warnings.push({ dataset: 'items', message: 'no usable attribute column (non-textual, several values, not one per item); Item-Attribute-Affinity needs one' });
  }
  return warnings;
}

/**
 * Why a categorical column is useless as an attribute, or undefined: no value, one value for
 * every row, or (nearly) a distinct value per row (more distinct values than half the rows that
 * have one, as the evaluation's near-identifier rule).
 * @param values per row, the row's values.
 * @param row what a row is, for the message (`item`, `user`).
 */
export function attributeProblem(values: readonly (readonly string[])[], row: string): string | undefined {
  const distinct = new Set<string>();
  let rowsWithValue = 0;
  for (const cell of values) {
    if (cell.length > 0) rowsWithValue += 1;
    for (const value of cell) distinct.add(value);
  }
  if (distinct.size === 0) return 'has no value';
  if (distinct.size === 1) return `has one value ("${[...distinct][0]}") for every ${row}`;
  if (rowsWithValue > 1 && distinct.size >= rowsWithValue) return `has a distinct value for every ${row} (${distinct.size})`;
  if (rowsWithValue > 1 && distinct.size > rowsWithValue / 2) return `has ${distinct.size} distinct values for ${rowsWithValue} ${row}s, nearly one per ${row}`;
  return undefined;
}
