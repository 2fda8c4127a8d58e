/**
 * The wording of campaign validation problems that no schema words itself: a zod error map, given
 * to `safeParse(input, { error: campaignErrorMap })`, so the blocks of every provider and connector
 * (each with its own zod schema) read the same way — `expected a number, got a string ("abc")`
 * rather than zod's `Invalid input: expected number, received string`.
 *
 * Messages a schema sets itself win over this map (zod's precedence); `undefined` keeps zod's own.
 */
import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

const EXPECTED_TYPES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object (key: value pairs)',
  date: 'a date',
  bigint: 'a whole number',
};

/** zod error map for campaign files; see the module comment. */
export function campaignErrorMap(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED_TYPES[issue.expected] ?? `a ${issue.expected}`;
      return issue.input === undefined ? `missing; expected ${expected}` : `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case 'unrecognized_keys': {
      const accepted = acceptedKeys(issue.inst);
      // config-issues puts `unknown key "<key>"` in front, once per key.
      return accepted.length > 0 ? `expected one of ${accepted.join(', ')}` : undefined;
    }
    case 'invalid_value': {
      const values = issue.values.map(formatOption);
      const expected = values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
      return `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue);
    case 'invalid_format':
      return `expected ${formatName(issue.format)}, got ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
}

/** `a string ("abc")`, `a number (1.5)`, `NaN`, `a list`, … for "got …" messages. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `a number (${value})`;
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)})`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object (key: value pairs)';
  return `a ${typeof value}`;
}

function acceptedKeys(inst: unknown): string[] {
  const def = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  return def?.shape ? Object.keys(def.shape) : [];
}

function formatOption(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function sizeMessage(issue: Extract<RawIssue, { code: 'too_small' | 'too_big' }>): string | undefined {
  const small = issue.code === 'too_small';
  const limit = small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
  const inclusive = issue.inclusive !== false;
  const got = describeValue(issue.input);
  switch (issue.origin) {
    case 'number':
    case 'int':
    case 'bigint': {
      const sign = small ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
      return `expected a number ${sign} ${limit}, got ${got}`;
    }
    case 'string':
      if (small && Number(limit) === 1) return 'cannot be empty';
      return `expected ${small ? 'at least' : 'at most'} ${limit} characters, got ${got}`;
    case 'array':
      return `expected ${small ? 'at least' : 'at most'} ${limit} ${Number(limit) === 1 ? 'entry' : 'entries'}, got ${got}`;
    default:
      return undefined;
  }
}

function formatName(format: string): string {
  switch (format) {
    case 'url':
      return 'a URL (http://… or https://…)';
    case 'email':
      return 'an email address';
    case 'regex':
      return 'text in the documented format';
    default:
      return `a value in ${format} format`;
  }
}
