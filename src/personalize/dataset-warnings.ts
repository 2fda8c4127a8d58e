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
 * every row, a value of its own for every row, or one for at least 90% of the rows (a name or a
 * SKU typed as categorical).
 * @param values per row, the row's values (several for a multi-valued cell).
 * @param row what a row is, for the message (`item`, `user`).
 */
export function attributeProblem(values: readonly (readonly string[])[], row: string): string | undefined {
  const rowsOf = new Map<string, number>();
  let rowsWithValue = 0;
  for (const cell of values) {
    if (cell.length > 0) rowsWithValue += 1;
    for (const value of new Set(cell)) rowsOf.set(value, (rowsOf.get(value) ?? 0) + 1);
  }
  if (rowsOf.size === 0) return 'has no value';
  if (rowsOf.size === 1) return `has one value ("${[...rowsOf.keys()][0]}") for every ${row}`;
  const rowsWithOwnValue = values.filter((cell) => cell.length > 0 && cell.every((value) => rowsOf.get(value) === 1)).length;
  if (rowsWithValue > 1 && rowsWithOwnValue === rowsWithValue) return `has a distinct value for every ${row} (${rowsOf.size})`;
  if (rowsWithValue > 1 && rowsWithOwnValue >= 0.9 * rowsWithValue) return `has a value of its own for ${rowsWithOwnValue} of ${rowsWithValue} ${row}s`;
  return undefined;
}
