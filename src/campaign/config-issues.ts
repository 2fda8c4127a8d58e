/**
 * Turns zod issues into {@link InputIssue}s a person can act on: one issue per problem, with the
 * field path (`destinations[0].tag`), the line in the file when known, and what was expected.
 *
 * Unions report the branch the user evidently meant (the one whose shape fits: `{ inventory: … }`
 * gets the inventory branch's problems), not every branch's complaints.
 */
import type { z } from 'zod';
import type { InputIssue } from '../core/errors.js';
import { formatFieldPath } from './field-path.js';

type Issue = z.core.$ZodIssue;

/** Where a path lies in the file: 1-based line, or undefined. */
export type LocatePath = (path: readonly PropertyKey[]) => number | undefined;

/** Converts the issues of a failed parse of `input`. */
export function toInputIssues(issues: readonly Issue[], input: unknown, file: string | undefined, locate?: LocatePath): InputIssue[] {
  const result: InputIssue[] = [];
  const add = (path: readonly PropertyKey[], message: string) => {
    const line = locate?.(path);
    result.push({
      ...(file !== undefined ? { file } : {}),
      ...(line !== undefined ? { line } : {}),
      field: formatFieldPath(path) || '(top level)',
      message,
    });
  };
  const walk = (list: readonly Issue[], base: readonly PropertyKey[]) => {
    for (const issue of list) {
      const path = [...base, ...issue.path];
      switch (issue.code) {
        case 'unrecognized_keys': {
          // The error map gives the accepted keys (`expected one of …`); zod's default names the key itself.
          const accepted = issue.message.startsWith('expected one of') ? `; ${issue.message}` : '';
          for (const key of issue.keys) add([...path, key], `unknown key ${JSON.stringify(key)}${accepted}`);
          break;
        }
        case 'invalid_key':
          add(path, issue.issues.map((inner) => inner.message).join('; '));
          break;
        case 'invalid_union': {
          if (issue.errors.length === 0 && 'discriminator' in issue) {
            add(path, discriminatorMessage(issue, valueAt(input, path)));
            break;
          }
          const branch = issue.errors.length > 0 ? bestBranch(issue.errors, valueAt(input, path)) : undefined;
          if (branch) walk(branch, path);
          else add(path, issue.message);
          break;
        }
        default:
          add(path, issue.message);
      }
    }
  };
  walk(issues, []);
  return result;
}

function discriminatorMessage(issue: Issue, value: unknown): string {
  const options = (issue as { options?: unknown[] }).options;
  if (!Array.isArray(options) || options.length === 0) return issue.message;
  const expected = `expected one of: ${options.map(String).join(', ')}`;
  return value === undefined ? `missing; ${expected}` : `unknown value ${JSON.stringify(value)}; ${expected}`;
}

/**
 * The union branch whose shape fits the value: no type mismatch or unknown key at the union's own
 * level, no rejected record key, no missing key one level down. Undefined when no branch fits.
 */
function bestBranch(branches: readonly (readonly Issue[])[], value: unknown): readonly Issue[] | undefined {
  const mismatches = (branch: readonly Issue[]) =>
    branch.filter((issue) => {
      if (issue.path.length === 0) return ['invalid_type', 'unrecognized_keys', 'invalid_union', 'invalid_value'].includes(issue.code);
      if (issue.path.length === 1) {
        if (issue.code === 'invalid_key') return true;
        if (issue.code === 'invalid_type') return valueAt(value, issue.path) === undefined;
      }
      return false;
    }).length;
  const fitting = branches.filter((branch) => mismatches(branch) === 0);
  if (fitting.length === 0) return undefined;
  return fitting.reduce((best, branch) => (branch.length < best.length ? branch : best));
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}
