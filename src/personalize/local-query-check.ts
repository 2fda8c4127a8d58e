/**
 * Checks a query before it is sent: Personalize documents only `=` terms joined by `AND`
 * (`../shared/reference/personalize.md` §0 and §2), so an `OR` is refused here, for that segment
 * only, instead of failing a whole job.
 */
import type { SegmentQuery } from '../segments/segment-provider.js';

/** Why Personalize cannot serve `query`, or undefined when it may be sent. */
export function localQueryProblem(query: SegmentQuery): string | undefined {
  if ('itemId' in query) return query.itemId.trim() === '' ? 'empty itemId' : undefined;
  const expression = query.itemAttributes.trim();
  if (expression === '') return 'empty itemAttributes expression';
  const outsideQuotes = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (/\bOR\b/i.test(outsideQuotes)) return 'Personalize item attribute queries support only AND between terms, not OR; write one query per alternative';
  if (!/^ITEMS\./.test(expression)) return 'an item attribute query starts with ITEMS.<column> (e.g. ITEMS.CATEGORY_L1 = "footwear")';
  return undefined;
}
