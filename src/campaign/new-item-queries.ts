/**
 * `fromNewItems`: derive attribute queries from the attribute values of new items, one query per
 * distinct value (or combination of values, with `columns`), sorted so every run plans the same
 * queries in the same order.
 */
import { resolve } from 'node:path';
import { ConfigError, type InputIssue } from '../core/errors.js';
import type { Datasets, Items } from '../datasets/datasets.js';
import { readNewItems } from '../datasets/read-items.js';
import { formatAttributeExpression, lookUpItemColumn } from '../expressions/index.js';
import { dateStringToEpochSeconds } from './date-string.js';
import type { FromNewItemsRule } from './new-items-query-schema.js';
import { fileNotFoundIssue } from './file-not-found-issue.js';
import type { PlannedQuery } from './planned-query.js';

/** Where the rule sits, for messages. */
export interface RuleLocation {
  file: string;
  /** Field path of the rule, e.g. `queries[2].fromNewItems`. */
  field: string;
  /** Directory relative paths resolve against. */
  baseDir: string;
  /** Receives the items of a new-items file, so the segment provider can reach them through their attributes. */
  onNewItems?: (items: Items) => void;
}

/** A source of new items: an items table and which of its rows are new. */
interface NewItemSource {
  items: Items;
  rows: number[];
}

/**
 * The queries of one `fromNewItems` rule. New items are the rows of `file`, plus the catalog items
 * that pass every catalog filter given (`createdAfter`, `noInteractions`).
 * @throws ConfigError with every problem of the rule: an unusable column or filter or a missing
 *   file (naming the campaign file and field), and the bad rows of the new-items file (its file and line).
 */
export async function newItemQueries(rule: FromNewItemsRule, datasets: Datasets, where: RuleLocation): Promise<PlannedQuery[]> {
  const columns = rule.columns ?? (rule.column !== undefined ? [rule.column] : []);
  const columnField = rule.columns ? `${where.field}.columns` : `${where.field}.column`;
  const issues: InputIssue[] = [];
  const issue = (field: string, message: string) => issues.push({ file: where.file, field, message });

  const catalogColumns = columns.map((name, index) => {
    const lookup = lookUpItemColumn(datasets.items, name);
    if (!lookup.ok) issue(rule.columns ? `${columnField}[${index}]` : columnField, `${lookup.reason} (items dataset)`);
    return lookup.ok ? lookup.column.name : name;
  });

  const sources: NewItemSource[] = [];
  if (rule.file !== undefined) {
    const path = resolve(where.baseDir, rule.file);
    const fileItems = await readNewItems(path, { catalog: datasets.items }).catch((error: unknown) => {
      // Reported with the other problems of the rule, so the file does not hide them.
      const problem = fileNotFoundIssue(error, { file: where.file, field: `${where.field}.file` }, rule.file!, path) ?? error;
      if (!(problem instanceof ConfigError)) throw problem;
      issues.push(...problem.issues);
      return undefined;
    });
    if (fileItems) {
      const header = new Set(fileItems.columns.map((column) => column.name.toUpperCase()));
      catalogColumns.forEach((name, index) => {
        if (!header.has(name.toUpperCase())) {
          issue(
            rule.columns ? `${columnField}[${index}]` : columnField,
            `the new-items file ${rule.file} has no column ${name}; its columns: ${fileItems.columns.map((column) => column.name).join(', ')}`,
          );
        }
      });
      sources.push({ items: fileItems, rows: fileItems.itemIds.map((_, row) => row) });
      where.onNewItems?.(fileItems);
    }
  }
  if (rule.createdAfter !== undefined || rule.noInteractions !== undefined) {
    const catalog = datasets.items;
    let rows = catalog.itemIds.map((_, row) => row);
    if (rule.createdAfter !== undefined) {
      const created = catalog.creationTimestamp;
      if (!created) {
        issue(`${where.field}.createdAfter`, 'the items dataset has no CREATION_TIMESTAMP column, which createdAfter needs');
      } else {
        const after = dateStringToEpochSeconds(rule.createdAfter);
        rows = rows.filter((row) => created[row]! > after);
      }
    }
    if (rule.noInteractions) {
      const interacted = new Set(datasets.interactions.itemIds);
      rows = rows.filter((row) => !interacted.has(catalog.itemIds[row]!));
    }
    sources.push({ items: catalog, rows });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const combinations = new Map<string, string[]>();
  for (const { items, rows } of sources) {
    const cells = catalogColumns.map((name) => items.columns.find((column) => column.name.toUpperCase() === name.toUpperCase())!.values);
    for (const row of rows) {
      for (const combination of cartesian(cells.map((values) => values[row] ?? []))) {
        combinations.set(JSON.stringify(combination), combination);
      }
    }
  }
  return [...combinations.values()].sort(compareTuples).map((values) => ({
    query: {
      itemAttributes: formatAttributeExpression({
        terms: values.map((value, index) => ({ column: catalogColumns[index]!, value })),
      }),
    },
    label: values.join(' / '),
  }));
}

function cartesian(lists: string[][]): string[][] {
  return lists.reduce<string[][]>(
    (partial, values) => partial.flatMap((prefix) => [...new Set(values)].map((value) => [...prefix, value])),
    [[]],
  );
}

function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (a[index]! < b[index]!) return -1;
    if (a[index]! > b[index]!) return 1;
  }
  return a.length - b.length;
}
