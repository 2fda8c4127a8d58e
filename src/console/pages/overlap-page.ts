/**
 * `/overlap`: a heat map of the share of members two audiences have in common, within one campaign
 * (`?campaign=`) or across every campaign, as a table: row audience A, column audience B, cell =
 * share of A's members also in B (with the count), shaded from white (0 %) to dark blue (100 %).
 */
import type { OverlapMatrix } from '../audience-overlap.js';
import { campaignHref, scrollable } from '../components.js';
import { count, members, percent } from '../format.js';
import { html } from '../html.js';
import { page } from '../layout.js';

export interface OverlapPageInput {
  matrix: OverlapMatrix;
  campaigns: string[];
  /** The campaign shown, or undefined for all. */
  campaign?: string;
  now: Date;
}

/** The shade class of a share 0–1: `h0` (white) … `h10` (dark blue), one step per 10 % (see HEAT_CSS). */
const shadeOf = (share: number): string => `h${Math.round(share * 10)}`;

const LEGEND_STEPS = [0, 0.2, 0.4, 0.6, 0.8, 1];

export function overlapPage(input: OverlapPageInput): string {
  const { audiences, shared } = input.matrix;
  // Across campaigns, name the campaign unless the audience's name already does.
  const label = (index: number) => {
    const { campaign, label: name } = audiences[index]!;
    return input.campaign || name.includes(campaign) ? name : `${campaign}: ${name}`;
  };
  const header = audiences.map((_, index) => html`<th scope="col">${label(index)}</th>`);
  const rows = audiences.map((audience, i) => {
    const cells = audiences.map((_, j) => {
      if (i === j) return html`<td class="cell self">${members(audience.members)}</td>`;
      const both = shared[i]![j]!;
      const share = audience.members === 0 ? 0 : both / audience.members;
      return html`<td class="cell ${shadeOf(share)}" data-share="${share.toFixed(4)}">${percent(share)}<br><span>${members(both)}</span></td>`;
    });
    return html`<tr><th scope="row">${label(i)} <span class="muted">(${count(audience.members)})</span></th>${cells}</tr>`;
  });
  const options = [html`<option value=""${input.campaign ? '' : ' selected'}>all campaigns</option>`].concat(
    input.campaigns.map((name) => html`<option value="${name}"${name === input.campaign ? ' selected' : ''}>${name}</option>`),
  );
  const body = html`<h1>Audience overlap</h1>
<p class="lead">Each cell is the share of the <strong>row</strong> audience's members who are also in the <strong>column</strong> audience, with their number. High shares across campaigns mean two campaigns reach the same people. Members are compared by the hash of their email.</p>
<form class="filter" method="get" action="/overlap">
<label for="campaign">Campaign</label>
<select id="campaign" name="campaign">${options}</select>
<button type="submit">Show</button>
${input.campaign ? html`<a href="${campaignHref(input.campaign)}">${input.campaign}'s history</a>` : ''}
</form>
${
  audiences.length < 2
    ? html`<p>Fewer than two audiences with members: nothing to compare yet.</p>`
    : html`<div class="legend" aria-hidden="true">0 % ${LEGEND_STEPS.map((step) => html`<span class="swatch ${shadeOf(step)}"></span>`)} 100 %</div>
${scrollable('Audience overlap', html`<table class="heat" data-table="overlap">
<caption>Share of the row audience's members also in the column audience (${input.campaign ? `campaign ${input.campaign}` : 'all campaigns'}; active audiences)</caption>
<thead><tr><td></td>${header}</tr></thead>
<tbody>${rows}</tbody>
</table>`)}`
}`;
  return page({ title: 'Audience overlap', section: 'overlap', body, generatedAt: input.now });
}
