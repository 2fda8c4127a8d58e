/**
 * Checks each destination's audience name template the way a run will use it, so `validate` (and
 * loading a campaign) catches what would otherwise fail or go wrong only once segments exist:
 * an unknown placeholder (`{{lable}}`), and a template that names one audience for every segment
 * of a campaign that makes several.
 */
import { destinationConnectors } from '../../connectors/index.js';
import { ConfigError } from '../core/errors.js';
import type { DestinationConnector } from '../sync/destination-connector.js';
import { renderAudienceName } from '../sync/render-audience-name.js';
import type { Campaign } from './campaign-schema.js';

/** A problem of one destination's template, at its field path (e.g. `['destinations', 0, 'name']`). */
export interface AudienceNameIssue {
  path: PropertyKey[];
  message: string;
}

const SEGMENT_PLACEHOLDER = /\{\{\s*(label|query)\s*\}\}/;

/** Every template problem of a validated campaign's destinations. */
export function audienceNameIssues(
  campaign: Campaign,
  connectors: readonly DestinationConnector[] = destinationConnectors,
): AudienceNameIssue[] {
  const issues: AudienceNameIssue[] = [];
  const several = canMakeSeveralSegments(campaign);
  campaign.destinations.forEach((destination, index) => {
    const connector = connectors.find((candidate) => candidate.id === destination.connector);
    if (!connector) return;
    const template = connector.audienceNameOf(destination);
    const key = Object.keys(destination).find((name) => destination[name] === template);
    const path: PropertyKey[] = key !== undefined ? ['destinations', index, key] : ['destinations', index];
    let rendered: string;
    try {
      rendered = renderAudienceName(template, { campaign: campaign.name, query: 'query', label: 'label' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push({ path, message: error.message });
      return;
    }
    if (several && !SEGMENT_PLACEHOLDER.test(template)) {
      issues.push({
        path,
        message: `every segment would go to the same audience ${JSON.stringify(rendered)}; put {{label}} or {{query}} in the template`,
      });
    }
  });
  return issues;
}

/** Whether the campaign may plan more than one segment (known without its data). */
function canMakeSeveralSegments(campaign: Campaign): boolean {
  if (campaign.type === 'excess-inventory') {
    const { items } = campaign;
    return 'itemIds' in items ? items.itemIds.length > 1 : (items.maxItems ?? Infinity) > 1;
  }
  return campaign.queries.length > 1 || campaign.queries.some((query) => typeof query === 'object' && 'fromNewItems' in query);
}
