/**
 * Small pieces the pages share: outcome labels, run and campaign links, audience links.
 */
import { audienceLink, type AudienceWhere, type LinkContext } from './audience-links.js';
import { html, type SafeHtml } from './html.js';

/** An outcome in words with a class for its colour (the words carry the meaning, not the colour). */
export function outcomeLabel(outcome: string): SafeHtml {
  return html`<span class="status ${outcome.replace(/[^a-z]+/gi, '-').toLowerCase()}">${outcome}</span>`;
}

export const campaignHref = (campaign: string): string => `/campaigns/${encodeURIComponent(campaign)}`;
export const runHref = (runId: string): string => `/runs/${encodeURIComponent(runId)}`;

export function runLink(runId: string): SafeHtml {
  return html`<a href="${runHref(runId)}"><code>${runId}</code></a>`;
}

/** An audience's link (or its name and why there is no link). */
export function audienceLinkHtml(where: AudienceWhere, links: LinkContext): SafeHtml {
  const link = audienceLink(where, links);
  if (link.href) return html`<a href="${link.href}" data-connector="${where.connector}">${link.text}</a>`;
  return html`${link.text}${link.hint ? html` <span class="muted">(${link.hint})</span>` : ''}`;
}

/** An outcome label, with a "dry run" badge when the outcome's words do not say so already. */
export function outcomeWithDryRun(outcome: string, dryRun: boolean): SafeHtml {
  return html`${outcomeLabel(outcome)}${dryRun && !outcome.includes('dry run') ? html` <span class="badge">dry run</span>` : ''}`;
}

/** "Excess inventory (Item-Affinity)" for the campaign types. */
export function campaignTypeInWords(type: string): string {
  if (type === 'excess-inventory') return 'excess inventory (Item-Affinity)';
  if (type === 'new-items') return 'new items (Item-Attribute-Affinity)';
  return type;
}

/** A value usable in an `id` attribute (and `aria-labelledby`): letters, digits, `-`, `_`. */
export function idFor(prefix: string, text: string): string {
  return `${prefix}-${text.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

/** A wide table in a region that scrolls sideways on narrow screens (focusable, so keyboards can scroll it). */
export function scrollable(label: string, table: SafeHtml): SafeHtml {
  return html`<div class="table-scroll" role="region" aria-label="${label}" tabindex="0">${table}</div>`;
}
