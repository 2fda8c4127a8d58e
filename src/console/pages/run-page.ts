/**
 * `/runs/:id`: what one run did, as `runs show` prints it: per segment × destination the query, the
 * audience and where to find it, counts, skip reasons and failures in words, and the change in
 * members vs the campaign's previous run.
 */
import type { LoadedCampaign } from '../../campaign/load-campaign.js';
import type { SegmentProvenance } from '../../segments/segment-provenance.js';
import type { LinkContext } from '../audience-links.js';
import { containerIdOf } from '../campaign-audiences.js';
import { audienceLinkHtml, campaignHref, outcomeLabel, runLink, scrollable } from '../components.js';
import type { ConsoleRun } from '../console-source.js';
import { count, duration, percent, signed, utcTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { page } from '../layout.js';
import { summariseRun, type AudienceResult } from '../run-summary.js';

export interface RunPageInput {
  run: ConsoleRun;
  /** The campaign's previous run that synced (not a dry run), for the change in members. */
  previous?: ConsoleRun;
  loaded?: LoadedCampaign;
  links: LinkContext;
  now: Date;
}

function resultInWords(row: AudienceResult, dryRun: boolean): SafeHtml {
  if (row.error) return html`<span class="status failed">not synced</span>: ${row.error}`;
  if (row.snapshot) return html`${dryRun ? 'would write' : 'wrote'} ${count(dryRun ? row.wouldAdd : row.added)} members (${dryRun ? 'would replace' : 'replaced'} the file)`;
  if (dryRun) return html`would add up to ${count(row.wouldAdd)}${row.mode === 'mirror' ? `, would remove ${count(row.wouldRemove)}` : ''}`;
  const parts = [`added ${count(row.added)}`];
  if (row.alreadyMember) parts.push(`already in ${count(row.alreadyMember)}`);
  if (row.removed) parts.push(`removed ${count(row.removed)}`);
  return html`${parts.join(', ')}`;
}

/** How the segments were made: the local model, or the Personalize solution version and jobs. */
function provenanceFacts(provenance: SegmentProvenance | undefined): SafeHtml {
  if (!provenance) return html``;
  if (provenance.provider === 'personalize') {
    return html`<h2>How the segments were made</h2><dl class="facts">
<dt>Provider</dt><dd>Amazon Personalize</dd>
<dt>Solution version</dt><dd><code>${provenance.solutionVersionArn}</code></dd>
<dt>Batch segment jobs</dt><dd>${provenance.batchSegmentJobArns.map((arn, index) => html`${index ? html`<br>` : ''}<code>${arn}</code>`)}</dd>
${provenance.filterArn ? html`<dt>Filter</dt><dd><code>${provenance.filterArn}</code></dd>` : ''}
</dl>`;
  }
  const hyperparameters = Object.entries(provenance.hyperparameters).map(([name, value]) => `${name} ${value}`).join(', ');
  return html`<h2>How the segments were made</h2><dl class="facts">
<dt>Provider</dt><dd>local engine, model ${provenance.modelSource === 'trained' ? 'trained in this run' : html`loaded from <code>${provenance.modelFile ?? 'its file'}</code>`} (${utcTime(provenance.trainedAt)})</dd>
<dt>Model fingerprint</dt><dd><code>${provenance.modelFingerprint}</code></dd>
<dt>Hyperparameters</dt><dd>${hyperparameters || '—'}</dd>
</dl>`;
}

function reasonsList(items: Array<{ reason: string; count: number }>): SafeHtml {
  if (items.length === 0) return html`—`;
  return html`<ul>${items.map((item) => html`<li>${count(item.count)} × ${item.reason}</li>`)}</ul>`;
}

export function runPage(input: RunPageInput): string {
  const { run } = input;
  const summary = summariseRun(run);
  const previousRows = input.previous ? summariseRun(input.previous).rows : [];
  const rows = summary.rows.map((row) => {
    const before = previousRows.find((old) => old.destinationIndex === row.destinationIndex && old.segment === row.segment);
    const where = row.audienceName !== undefined && row.audienceId
      ? audienceLinkHtml({ connector: row.connector, name: row.audienceName, externalId: row.audienceId, containerId: containerIdOf(input.loaded, row.destinationIndex) }, input.links)
      : html`${row.audienceName ?? '—'}`;
    return html`<tr>
<th scope="row">${row.segment}<br><code>${row.query}</code></th>
<td class="num">${count(row.usersInSegment)}</td>
<td class="num">${count(row.matched)}</td>
<td class="num">${count(row.members)}</td>
<td class="num">${before && !run.dryRun ? signed(row.members - before.members) : '—'}</td>
<td>${row.connector}${row.mode && !row.snapshot ? ` (${row.mode})` : ''}</td>
<td>${where}</td>
<td>${resultInWords(row, run.dryRun)}</td>
<td>${reasonsList(row.skipReasons)}</td>
<td>${reasonsList(row.failures)}</td>
</tr>`;
  });
  const finishedMs = run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : run.report?.durationMs;
  const body = html`<h1>Run <code>${run.runId}</code>${run.dryRun ? html` <span class="badge">dry run</span>` : ''}</h1>
<dl class="facts">
<dt>Campaign</dt><dd><a href="${campaignHref(run.campaign)}">${run.campaign}</a></dd>
<dt>Outcome</dt><dd>${outcomeLabel(summary.outcome)}${run.dryRun ? ': a dry run, nothing was written' : ''}</dd>
<dt>Trigger</dt><dd>${run.trigger}</dd>
<dt>Started</dt><dd>${utcTime(run.startedAt)}</dd>
<dt>Duration</dt><dd>${duration(finishedMs)}</dd>
<dt>Members</dt><dd>${count(summary.members)} in ${count(summary.segments)} segment${summary.segments === 1 ? '' : 's'}; match rate ${percent(summary.matchRate)}</dd>
<dt>${run.dryRun ? 'Would change' : 'Changes'}</dt><dd>${run.dryRun ? `would add up to ${count(summary.wouldAdd)}, would remove ${count(summary.wouldRemove)}` : `added ${count(summary.added)}, already in ${count(summary.alreadyMember)}, removed ${count(summary.removed)}, skipped ${count(summary.skipped)}, failed ${count(summary.failed)}`}</dd>
${run.campaignFileHash ? html`<dt>Campaign file</dt><dd>SHA-256 <code>${run.campaignFileHash}</code> (as the run read it)</dd>` : ''}
${input.previous ? html`<dt>Previous run</dt><dd>${runLink(input.previous.runId)}</dd>` : ''}
</dl>
${summary.problems.length ? html`<section class="problems" aria-labelledby="problems"><h2 id="problems">What went wrong</h2><ul>${summary.problems.map((problem) => html`<li>${problem}</li>`)}</ul></section>` : ''}
${run.alerts.length ? html`<section class="problems" aria-labelledby="alerts"><h2 id="alerts">Alerts</h2><ul>${run.alerts.map((alert) => html`<li><strong>${alert.rule}</strong>: ${alert.message}</li>`)}</ul></section>` : ''}
<h2>Segments and audiences</h2>
${
  summary.rows.length === 0
    ? html`<p>${run.report ? 'The run made no segment.' : 'No report: the run is still in progress or stopped before it made one.'}</p>`
    : scrollable('Segments and audiences', html`<table data-table="audiences">
<caption>Each segment in each destination</caption>
<thead><tr><th scope="col">Segment and query</th><th scope="col" class="num">Users</th><th scope="col" class="num">Matched</th><th scope="col" class="num">Members</th><th scope="col" class="num">Change vs previous run</th><th scope="col">Destination</th><th scope="col">Audience</th><th scope="col">${run.dryRun ? 'Would change' : 'Result'}</th><th scope="col">Skipped</th><th scope="col">Failed</th></tr></thead>
<tbody>${rows}</tbody>
</table>`)
}
${provenanceFacts(run.report?.provenance)}
${summary.notes.length ? html`<section class="notes" aria-labelledby="notes"><h2 id="notes">Notes</h2><ul>${summary.notes.map((note) => html`<li>${note}</li>`)}</ul></section>` : ''}`;
  return page({ title: `Run ${run.runId}`, section: 'campaigns', body, generatedAt: input.now });
}
