/**
 * Reads an inventory file: CSV (`.csv` or `.csv.gz`) with columns `ITEM_ID,ON_HAND` (units on hand,
 * a whole number ≥ 0); other columns are ignored.
 */
import { DataError, type InputIssue } from '../core/errors.js';
import { readCsv } from '../datasets/csv-reader.js';

/** One inventory row. */
export interface InventoryRow {
  itemId: string;
  /** Units on hand. */
  onHand: number;
  /** 1-based line in the file. */
  line: number;
}

/** Most bad rows listed in one error; the rest are counted. */
const MAX_LISTED_PROBLEMS = 20;

/**
 * Reads the whole inventory file.
 * @param displayName the file as the user wrote it, for messages.
 * @throws DataError naming file, line and column for a missing column, an empty ITEM_ID, an
 *   ON_HAND that is not a whole number ≥ 0, or an ITEM_ID listed twice (all bad rows at once).
 */
export async function readInventory(file: string, displayName = file): Promise<InventoryRow[]> {
  const table = await readCsv(file, { requiredColumns: ['ITEM_ID', 'ON_HAND'] });
  const itemColumn = table.columnIndex('ITEM_ID');
  const onHandColumn = table.columnIndex('ON_HAND');
  const rows: InventoryRow[] = [];
  const problems: InputIssue[] = [];
  const lineOf = new Map<string, number>();
  let unlisted = 0;
  const problem = (issue: Omit<InputIssue, 'file'>) => {
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push({ file: displayName, ...issue });
    else unlisted++;
  };
  try {
    for await (const { line, record } of table.rows) {
      const itemId = (record[itemColumn] ?? '').trim();
      const rawOnHand = (record[onHandColumn] ?? '').trim();
      if (itemId === '') {
        problem({ line, field: 'ITEM_ID', message: 'empty ITEM_ID' });
        continue;
      }
      if (!/^\d+$/.test(rawOnHand)) {
        problem({ line, field: 'ON_HAND', message: `expected a whole number of units ≥ 0, found ${JSON.stringify(rawOnHand)}` });
        continue;
      }
      const earlier = lineOf.get(itemId);
      if (earlier !== undefined) {
        problem({ line, field: 'ITEM_ID', message: `ITEM_ID ${itemId} is already listed on line ${earlier}` });
        continue;
      }
      lineOf.set(itemId, line);
      rows.push({ itemId, onHand: Number(rawOnHand), line });
    }
  } catch (error) {
    throw renamed(error, file, displayName);
  }
  if (unlisted > 0) problems.push({ file: displayName, message: `… and ${unlisted} more bad rows` });
  if (problems.length > 0) throw new DataError(problems);
  return rows;
}

function renamed(error: unknown, file: string, displayName: string): unknown {
  if (!(error instanceof DataError) || file === displayName) return error;
  return new DataError(
    error.issues.map((issue) => (issue.file === file ? { ...issue, file: displayName } : issue)),
    { cause: error },
  );
}
