/**
 * Segment labels known from a campaign file alone, for `validate` without data: a new-items
 * campaign whose queries are all written out (expressions, structured queries) has one segment
 * per query, labelled by its values. Labels that need the data (item names of an excess-inventory
 * campaign, values derived by `fromNewItems`) are not known.
 */
import { canonicalAttributeQuery, parseAttributeExpression, type AttributeExpression } from '../expressions/index.js';
import type { LoadedCampaign } from './load-campaign.js';

/** The label of an attribute query's segment: its values joined by ` / ` (`footwear / F`). */
export function attributeQueryLabel(expression: AttributeExpression): string {
  return expression.terms.map((term) => term.value).join(' / ');
}

/** The labels of the campaign's segments when the file alone gives them, else undefined. */
export function knownSegmentLabels({ campaign }: LoadedCampaign): string[] | undefined {
  if (campaign.type !== 'new-items') return undefined;
  const labels: string[] = [];
  for (const entry of campaign.queries) {
    if (typeof entry === 'object' && 'fromNewItems' in entry) return undefined;
    try {
      labels.push(attributeQueryLabel(parseAttributeExpression(canonicalAttributeQuery(entry))));
    } catch {
      return undefined;
    }
  }
  return labels;
}
