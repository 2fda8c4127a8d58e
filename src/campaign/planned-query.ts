import type { SegmentQuery } from '../segments/segment-provider.js';

/** One segment a campaign asks for: the query and a short human name for reports and audience names. */
export interface PlannedQuery {
  query: SegmentQuery;
  /** E.g. the category value (`footwear`) or the item's PRODUCT_NAME. */
  label: string;
}
