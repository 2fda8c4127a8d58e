import { describe, it, expect } from 'vitest';
import type { Items } from '../src/datasets/datasets.js';
import { ConfigError } from '../src/core/errors.js';
import {
  AttributeExpressionError,
  attributeValueProblems,
  canonicalAttributeQuery,
  compileAttributeQuery,
  formatAttributeExpression,
  matchingItems,
  parseAttributeExpression,
  type StructuredAttributeQuery,
} from '../src/expressions/index.js';

/** Five items; GENRES is multi-valued, PRICE numeric, DESCRIPTION textual. */
function sampleItems(): Items {
  const itemIds = ['i1', 'i2', 'i3', 'i4', 'i5'];
  return {
    itemIds,
    indexOf: new Map(itemIds.map((id, index) => [id, index])),
    columns: [
      { name: 'CATEGORY_L1', kind: 'categorical', values: [['footwear'], ['footwear'], ['apparel'], ['foot"wear'], []] },
      { name: 'GENDER', kind: 'categorical', values: [['F'], ['M'], ['F'], ['F'], ['Any']] },
      {
        name: 'GENRES',
        kind: 'categorical',
        values: [['Comedy', 'Action'], ['Comedy'], ['Action', 'Horror'], [], ['Horror', 'Comedy', 'Action']],
      },
      { name: 'PRICE', kind: 'numeric', values: [['10'], ['10.00'], ['24.5'], [], ['9.99']] },
      { name: 'DESCRIPTION', kind: 'textual', values: [['a'], ['b'], ['c'], ['d'], ['e']] },
    ],
  };
}

function syntaxError(expression: string, items?: Items): AttributeExpressionError {
  try {
    parseAttributeExpression(expression, items);
  } catch (error) {
    if (error instanceof AttributeExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${expression} to be rejected`);
}

describe('parseAttributeExpression', () => {
  it('parses one term', () => {
    expect(parseAttributeExpression('ITEMS.CATEGORY_L1 = "footwear"')).toEqual({
      terms: [{ column: 'CATEGORY_L1', value: 'footwear' }],
    });
  });

  it('parses AND in any case, with or without spaces around =', () => {
    expect(parseAttributeExpression('  ITEMS.CATEGORY_L1="footwear" and ITEMS.GENDER =  "F" AnD ITEMS.x="y" ')).toEqual({
      terms: [
        { column: 'CATEGORY_L1', value: 'footwear' },
        { column: 'GENDER', value: 'F' },
        { column: 'x', value: 'y' },
      ],
    });
  });

  it('unescapes \\" and \\\\ and keeps spaces and AND inside quotes', () => {
    expect(parseAttributeExpression('ITEMS.NAME = "say \\"hi\\" AND c:\\\\dir"')).toEqual({
      terms: [{ column: 'NAME', value: 'say "hi" AND c:\\dir' }],
    });
  });

  it('accepts numeric values bare or quoted', () => {
    expect(parseAttributeExpression('ITEMS.PRICE = 9.99 AND ITEMS.PRICE = "-3" AND ITEMS.AGE = 1e3')).toEqual({
      terms: [
        { column: 'PRICE', value: '9.99' },
        { column: 'PRICE', value: '-3' },
        { column: 'AGE', value: '1e3' },
      ],
    });
  });

  it('keeps multi-value AND on one column', () => {
    expect(parseAttributeExpression('ITEMS.genres = "Comedy" AND ITEMS.genres = "Action"').terms).toEqual([
      { column: 'genres', value: 'Comedy' },
      { column: 'genres', value: 'Action' },
    ]);
  });

  it.each([
    ['ITEMS.CATEGORY_L1 = "a" OR ITEMS.CATEGORY_L1 = "b"', 'OR is not supported', 25],
    ['ITEMS.CATEGORY_L1 IN ("a", "b")', 'IN is not supported', 19],
    ['ITEMS.CATEGORY_L1 NOT IN ("a")', 'NOT IN is not supported', 19],
    ['ITEMS.GENDER != "F"', '!= is not supported', 14],
    ['ITEMS.PRICE > 3', 'comparisons (<, >) are not supported', 13],
    ['ITEMS.CATEGORY_L1 = "footwear', 'unterminated quoted value', 21],
    ['ITEMS.CATEGORY_L1 = "foot\\"', 'unterminated quoted value', 21],
    ['CATEGORY_L1 = "footwear"', 'expected ITEMS.<column> but found CATEGORY_L1', 1],
    ['items.CATEGORY_L1 = "footwear"', 'ITEMS must be written in upper case', 1],
    ['ITEMS.CATEGORY_L1 = "footwear" garbage', 'unexpected text after a term', 32],
    ['ITEMS.CATEGORY_L1 = "footwear" AND', 'expected a term', 35],
    ['ITEMS.CATEGORY_L1 = footwear', 'expected a double-quoted value', 21],
    ["ITEMS.CATEGORY_L1 = 'footwear'", 'double quotes', 21],
    ['ITEMS.CATEGORY_L1 = ""', 'empty value', 21],
    ['ITEMS.PRICE = 12abc', 'expected a double-quoted value', 15],
    ['ITEMS. = "x"', 'expected a column name', 7],
    ['   ', 'the expression is empty', 4],
  ])('rejects %s with a positioned message', (expression, reason, position) => {
    const error = syntaxError(expression);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.reason).toContain(reason);
    expect(error.position).toBe(position);
    expect(error.message).toContain(`at character ${position} of ${JSON.stringify(expression)}`);
  });

  it('checks columns against the items dataset, case-insensitively, and returns their spelling', () => {
    expect(parseAttributeExpression('ITEMS.category_l1 = "footwear" AND ITEMS.Price = 10', sampleItems()).terms).toEqual([
      { column: 'CATEGORY_L1', value: 'footwear' },
      { column: 'PRICE', value: '10' },
    ]);
  });

  it('names the valid columns for an unknown one', () => {
    const error = syntaxError('ITEMS.GENDER = "F" AND ITEMS.COLOR = "red"', sampleItems());
    expect(error.reason).toBe('unknown column COLOR; expected one of CATEGORY_L1, GENDER, GENRES, PRICE');
    expect(error.position).toBe(30);
  });

  it('rejects textual and reserved columns and non-numbers for numeric columns', () => {
    expect(syntaxError('ITEMS.DESCRIPTION = "a"', sampleItems()).reason).toContain(
      'column DESCRIPTION is textual, and Personalize does not allow textual columns',
    );
    expect(syntaxError('ITEMS.CREATION_TIMESTAMP = 5', sampleItems()).reason).toContain('reserved');
    const numeric = syntaxError('ITEMS.PRICE = "cheap"', sampleItems());
    expect(numeric.reason).toBe('column PRICE is numeric, so its value must be a number, not "cheap"');
    expect(numeric.position).toBe(15);
  });
});

describe('compileAttributeQuery', () => {
  it('writes the canonical expression with quoting and escaping', () => {
    expect(compileAttributeQuery({ CATEGORY_L1: 'footwear', GENDER: 'F' })).toBe(
      'ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"',
    );
    expect(compileAttributeQuery({ NAME: 'say "hi" \\o/', PRICE: 9.99 })).toBe(
      'ITEMS.NAME = "say \\"hi\\" \\\\o/" AND ITEMS.PRICE = "9.99"',
    );
  });

  it('turns a list into one term per value of the same column', () => {
    expect(compileAttributeQuery({ GENRES: ['Comedy', 'Action'] })).toBe(
      'ITEMS.GENRES = "Comedy" AND ITEMS.GENRES = "Action"',
    );
  });

  it('uses the dataset spelling of columns and rejects unknown ones', () => {
    expect(compileAttributeQuery({ category_l1: 'apparel' }, sampleItems())).toBe('ITEMS.CATEGORY_L1 = "apparel"');
    expect(() => compileAttributeQuery({ COLOUR: 'red' }, sampleItems())).toThrow(/unknown column COLOUR/);
  });

  it('rejects malformed structured queries', () => {
    expect(() => compileAttributeQuery({})).toThrow(/at least one column/);
    expect(() => compileAttributeQuery({ 'CATEGORY L1': 'x' })).toThrow(/expected a column name/);
    expect(() => compileAttributeQuery({ GENRES: [] })).toThrow(/at least one value/);
    expect(() => compileAttributeQuery({ GENRES: '' })).toThrow(/cannot be empty/);
  });

  it.each<StructuredAttributeQuery>([
    { CATEGORY_L1: 'footwear' },
    { NAME: 'a "quoted" \\ back\\\\slash', GENDER: 'F' },
    { GENRES: ['Comedy', 'Action', 'Sci "Fi"'], PRICE: 12.5 },
    { X: ' spaced  AND  OR ' },
  ])('round-trips %j through parse(compile(x))', (query) => {
    const expected = Object.entries(query).flatMap(([column, values]) =>
      (Array.isArray(values) ? values : [values]).map((value) => ({ column, value: String(value) })),
    );
    const compiled = compileAttributeQuery(query);
    expect(parseAttributeExpression(compiled).terms).toEqual(expected);
    expect(formatAttributeExpression(parseAttributeExpression(compiled))).toBe(compiled);
  });

  it('canonicalises expression strings and structured queries alike', () => {
    expect(canonicalAttributeQuery('ITEMS.price = 10 and ITEMS.gender="F"', sampleItems())).toBe(
      'ITEMS.PRICE = "10" AND ITEMS.GENDER = "F"',
    );
    expect(canonicalAttributeQuery({ gender: 'F' }, sampleItems())).toBe('ITEMS.GENDER = "F"');
  });
});

describe('matchingItems', () => {
  const items = sampleItems();

  it('selects items with the value', () => {
    expect(Array.from(matchingItems('ITEMS.CATEGORY_L1 = "footwear"', items))).toEqual([0, 1]);
    expect(Array.from(matchingItems('ITEMS.CATEGORY_L1 = "foot\\"wear"', items))).toEqual([3]);
  });

  it('matches a multi-valued attribute on any of its values, and AND intersects', () => {
    expect(Array.from(matchingItems('ITEMS.GENRES = "Comedy"', items))).toEqual([0, 1, 4]);
    expect(Array.from(matchingItems('ITEMS.GENRES = "Comedy" AND ITEMS.GENRES = "Action"', items))).toEqual([0, 4]);
    expect(Array.from(matchingItems('ITEMS.GENRES = "Action" AND ITEMS.GENDER = "F"', items))).toEqual([0, 2]);
  });

  it('compares numeric columns as numbers', () => {
    expect(Array.from(matchingItems('ITEMS.PRICE = 10', items))).toEqual([0, 1]);
    expect(Array.from(matchingItems('ITEMS.PRICE = "24.50"', items))).toEqual([2]);
  });

  it('uses the parsed numbers of a numeric column when the reader provides them', () => {
    const withNumbers = sampleItems();
    withNumbers.columns[3]!.numbers = Float64Array.from([10, 10, 24.5, Number.NaN, 9.99]);
    expect(Array.from(matchingItems('ITEMS.PRICE = "10.0"', withNumbers))).toEqual([0, 1]);
    expect(Array.from(matchingItems('ITEMS.PRICE = 9.99', withNumbers))).toEqual([4]);
  });

  it('compares categorical values exactly (case-sensitive)', () => {
    expect(Array.from(matchingItems('ITEMS.GENDER = "f"', items))).toEqual([]);
  });

  it('accepts a parsed expression and rejects unknown columns', () => {
    expect(Array.from(matchingItems({ terms: [{ column: 'gender', value: 'Any' }] }, items))).toEqual([4]);
    expect(() => matchingItems('ITEMS.COLOR = "red"', items)).toThrow(AttributeExpressionError);
  });
});

describe('attributeValueProblems', () => {
  const problems = (expression: string) => attributeValueProblems(parseAttributeExpression(expression, sampleItems()), sampleItems());

  it('finds nothing when the expression selects items', () => {
    expect(problems('ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "M"')).toEqual([]);
    expect(problems('ITEMS.GENRES = "Horror" AND ITEMS.GENRES = "Comedy"')).toEqual([]);
    expect(problems('ITEMS.PRICE = 10')).toEqual([]);
  });

  it('suggests the value that differs only in case first, else the closest spelling', () => {
    expect(problems('ITEMS.CATEGORY_L1 = "Footwear"')).toEqual(['no item has CATEGORY_L1 = "Footwear"; did you mean "footwear"?']);
    expect(problems('ITEMS.GENRES = "Comdy" AND ITEMS.GENDER = "f"')).toEqual([
      'no item has GENRES = "Comdy"; did you mean "Comedy"?',
      'no item has GENDER = "f"; did you mean "F"?',
    ]);
    // footwaer → footwear: 2 edits (allowed for 8 letters); foot"wear is 3 edits away.
    expect(problems('ITEMS.CATEGORY_L1 = "footwaer"')).toEqual(['no item has CATEGORY_L1 = "footwaer"; did you mean "footwear"?']);
  });

  it('lists the values when none is close, and the nearest numbers for numeric columns', () => {
    expect(problems('ITEMS.GENDER = "unisex"')).toEqual(['no item has GENDER = "unisex"; its values are "Any", "F", "M"']);
    expect(problems('ITEMS.PRICE = 11')).toEqual(['no item has PRICE = "11"; did you mean "10" or "10.00" or "9.99"?']);
  });

  it('says so when each term matches some item but no item matches them all', () => {
    expect(problems('ITEMS.CATEGORY_L1 = "apparel" AND ITEMS.GENDER = "M"')).toEqual([
      'no item has all of ITEMS.CATEGORY_L1 = "apparel" AND ITEMS.GENDER = "M", though each term matches some item',
    ]);
  });
});
