/**
 * Renders a destination's audience name template (a Mailchimp tag, a HubSpot list name, a file
 * stem), e.g. `affinity {{campaign}} {{query}}` → `affinity winter-boots ITEM_ID = "abc"`.
 */
import { ConfigError } from '../core/errors.js';

/** Values a name template may use. */
export interface AudienceNameValues {
  /** `{{campaign}}`: the campaign name. */
  campaign: string;
  /** `{{query}}`: the human-readable query of the segment. */
  query: string;
  /** `{{label}}`: a short label of the segment (an ITEM_ID, an attribute value); falls back to the query. */
  label?: string;
  /** `{{date}}`: the run's date as `YYYY-MM-DD` (UTC). @defaultValue today (UTC) */
  date?: Date | string;
  /** Id of the run, accepted for callers' convenience; not a placeholder (it changes every run). */
  runId?: string;
}

/** Placeholders a template may contain. */
export const AUDIENCE_NAME_PLACEHOLDERS = ['campaign', 'query', 'label', 'date'] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/g;

/**
 * Replaces `{{campaign}}`, `{{query}}`, `{{label}}` and `{{date}}`, then collapses runs of
 * whitespace and trims. Length rules are the connector's (Mailchimp tags ≤ 100 characters).
 *
 * @throws ConfigError naming an unknown placeholder, or when the name renders empty.
 */
export function renderAudienceName(template: string, values: AudienceNameValues): string {
  const unknown = [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1] ?? '')
    .filter((name) => !(AUDIENCE_NAME_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `audience name template "${template}": unknown placeholder ${unknown.map((name) => `{{${name}}}`).join(', ')}; expected ${AUDIENCE_NAME_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ')}`,
    );
  }
  const byName: Record<(typeof AUDIENCE_NAME_PLACEHOLDERS)[number], string> = {
    campaign: values.campaign,
    query: values.query,
    label: values.label ?? values.query,
    date: formatDate(values.date ?? new Date()),
  };
  const rendered = template
    .replace(PLACEHOLDER, (_match, name: string) => byName[name as keyof typeof byName])
    .replace(/\s+/g, ' ')
    .trim();
  if (rendered === '') throw new ConfigError(`audience name template "${template}" renders an empty name`);
  return rendered;
}

function formatDate(date: Date | string): string {
  return typeof date === 'string' ? date : date.toISOString().slice(0, 10);
}
