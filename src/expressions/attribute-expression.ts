/**
 * The parsed form of an Amazon Personalize Item-Attribute-Affinity query
 * (`ITEMS.CATEGORY_L1 = "footwear" AND ITEMS.GENDER = "F"`).
 *
 * Grammar: Personalize developer guide, "Preparing input data for user segments"; see
 * `../shared/reference/personalize.md` §2. Only `=` and `AND` exist; `AND` of two values of one
 * column selects items that have both values.
 */
import { ConfigError } from '../core/errors.js';

/** One `ITEMS.<column> = "<value>"` term. */
export interface AttributeTerm {
  /**
   * Column name. As written in the expression, or the items dataset's spelling of it when the
   * expression was checked against an items dataset (names match case-insensitively).
   */
  column: string;
  /** The value, unescaped; numeric values keep their literal text (e.g. `"9.99"`). */
  value: string;
}

/** A parsed expression: its terms, all joined by `AND`. */
export interface AttributeExpression {
  terms: AttributeTerm[];
}

/**
 * An attribute expression that is malformed or does not fit the items dataset. A {@link ConfigError}
 * (exit code 2), so callers may rethrow it or copy its message into an issue of their own.
 */
export class AttributeExpressionError extends ConfigError {
  constructor(
    /** What is wrong, without location. */
    readonly reason: string,
    /** The expression as given. */
    readonly expression: string,
    /** 1-based character position of the problem in `expression`, when it is a syntax problem. */
    readonly position?: number,
  ) {
    const where = position !== undefined ? ` at character ${position}` : '';
    super(`${reason}${where} of ${JSON.stringify(expression)}`);
  }
}
