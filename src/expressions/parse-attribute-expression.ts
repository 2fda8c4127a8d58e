/**
 * Parser of Item-Attribute-Affinity query expressions, e.g.
 * `ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"`.
 *
 * Grammar (Personalize developer guide, "Preparing input data for user segments";
 * `../shared/reference/personalize.md` §2), with our local choices:
 * ```
 * query  := term ( "AND" term )*          ; AND in any case; OR, IN, NOT IN, != are rejected
 * term   := "ITEMS." column "=" value      ; ITEMS upper-case; column matched case-insensitively
 * value  := '"' chars '"' | number         ; a backslash takes the next character literally (\" and \\)
 * ```
 * Whitespace between tokens is optional, except around `AND`.
 */
import type { Items } from '../datasets/datasets.js';
import { AttributeExpressionError, type AttributeExpression, type AttributeTerm } from './attribute-expression.js';
import { lookUpItemColumn } from './item-column-lookup.js';

const COLUMN = /[A-Za-z_][A-Za-z0-9_]*/y;
const BARE_NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![A-Za-z0-9_.])/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

/** A term with the 1-based positions of its column and value, for error messages. */
interface LocatedTerm extends AttributeTerm {
  columnPosition: number;
  valuePosition: number;
  quoted: boolean;
}

/**
 * Parses an expression. With `items`, also checks each column against the items dataset (known,
 * not textual, not reserved; numeric columns need numeric values) and returns the dataset's
 * spelling of each column name.
 * @throws AttributeExpressionError (a ConfigError) naming the problem and its character position.
 */
export function parseAttributeExpression(expression: string, items?: Items): AttributeExpression {
  const terms = scan(expression);
  if (items) {
    for (const term of terms) {
      const lookup = lookUpItemColumn(items, term.column);
      if (!lookup.ok) throw new AttributeExpressionError(lookup.reason, expression, term.columnPosition);
      term.column = lookup.column.name;
      if (lookup.column.kind === 'numeric' && !Number.isFinite(Number(term.value))) {
        throw new AttributeExpressionError(
          `column ${term.column} is numeric, so its value must be a number, not ${JSON.stringify(term.value)}`,
          expression,
          term.valuePosition,
        );
      }
    }
  }
  return { terms: terms.map(({ column, value }) => ({ column, value })) };
}

function scan(text: string): LocatedTerm[] {
  let pos = 0;
  const fail = (reason: string, at = pos): never => {
    throw new AttributeExpressionError(reason, text, at + 1);
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = pos;
    const found = pattern.exec(text);
    return found ? found[0] : undefined;
  };

  const term = (): LocatedTerm => {
    skipSpace();
    if (pos >= text.length) fail('expected a term ITEMS.<column> = "<value>"');
    if (!text.startsWith('ITEMS.', pos)) {
      if (text.slice(pos, pos + 6).toUpperCase() === 'ITEMS.') fail('ITEMS must be written in upper case');
      const word = match(WORD);
      if (word) fail(`expected ITEMS.<column> but found ${word}; prefix the column with ITEMS. (ITEMS.${word})`);
      fail('expected a term ITEMS.<column> = "<value>"');
    }
    pos += 'ITEMS.'.length;
    const columnPosition = pos + 1;
    const column = match(COLUMN) ?? fail('expected a column name after ITEMS.');
    pos += column.length;
    skipSpace();
    operator(column);
    skipSpace();
    const valuePosition = pos + 1;
    if (text[pos] === '"') return { column, ...quotedValue(), columnPosition, valuePosition, quoted: true };
    const number = match(BARE_NUMBER);
    if (number !== undefined) {
      pos += number.length;
      return { column, value: number, columnPosition, valuePosition, quoted: false };
    }
    if (text[pos] === "'") fail('values are written in double quotes ("…"), not single quotes');
    if (pos >= text.length) fail(`expected a value after ITEMS.${column} =`);
    return fail(`expected a double-quoted value (e.g. "footwear") or a number after ITEMS.${column} =`);
  };

  const operator = (column: string) => {
    if (text.startsWith('!=', pos) || text.startsWith('<>', pos)) {
      fail('!= is not supported: Item-Attribute-Affinity queries only compare with =');
    }
    if (text.startsWith('==', pos)) fail('use a single = to compare');
    if (text[pos] === '=') {
      pos++;
      return;
    }
    const word = match(WORD)?.toUpperCase();
    if (word === 'NOT') {
      fail('NOT IN is not supported: Item-Attribute-Affinity queries only compare with =');
    }
    if (word === 'IN') {
      fail('IN is not supported: Item-Attribute-Affinity queries only compare with =; write one query per value');
    }
    if (text[pos] === '<' || text[pos] === '>') {
      fail('comparisons (<, >) are not supported: Item-Attribute-Affinity queries only compare with =');
    }
    fail(`expected = after ITEMS.${column}`);
  };

  const quotedValue = (): { value: string } => {
    const opening = pos;
    pos++;
    let value = '';
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === '\\') {
        pos++;
        if (pos >= text.length) break;
      }
      value += text[pos];
      pos++;
    }
    if (pos >= text.length) fail('unterminated quoted value: the closing " is missing', opening);
    pos++;
    if (value === '') fail('empty value ""; a term needs a value', opening);
    return { value };
  };

  const terms: LocatedTerm[] = [];
  skipSpace();
  if (pos >= text.length) fail('the expression is empty; expected ITEMS.<column> = "<value>"');
  for (;;) {
    terms.push(term());
    skipSpace();
    if (pos >= text.length) return terms;
    const word = match(WORD);
    const upper = word?.toUpperCase();
    if (upper === 'AND') {
      pos += 3;
      continue;
    }
    if (upper === 'OR') {
      fail('OR is not supported: Personalize joins terms only with AND; write one query per alternative');
    }
    fail('unexpected text after a term; expected AND or the end of the expression');
  }
}
