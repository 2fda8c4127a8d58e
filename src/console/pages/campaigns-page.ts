/**
 * `/`: every campaign file of the directory: type, schedule and next run in its time zone, last
 * run, runs waiting in the queue, and its audiences with a link to each.
 */
import { nextCronRun } from '../../queue/schedule-plan.js';
import type { LinkContext } from '../audience-links.js';
import { campaignAudiences } from '../campaign-audiences.js';
import type { CatalogEntry } from '../campaign-catalog.js';
import { audienceLinkHtml, campaignHref, campaignTypeInWords, idFor, outcomeWithDryRun, runLink } from '../components.js';
import type { ConsoleAudience, ConsoleRun } from '../console-source.js';
import { count, percent, timeInZone, utcTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { page } from '../layout.js';
import { summariseRun } from '../run-summary.js';

/** Runs of a campaign in the queue right now (BullMQ), counted per state. */
export interface QueuedRuns {
  queued: number;
  running: number;
}

export interface CampaignsPageInput {
  dir: string;
  catalog: CatalogEntry[];
  /** Recent runs of every campaign, newest first. */
  runs: ConsoleRun[];
  audiences: ConsoleAudience[];
  queue?: ReadonlyMap<string, QueuedRuns>;
  /** Why the queue could not be read, when it could not. */
  queueProblem?: string;
  links: LinkContext;
  now: Date;
}

function scheduleFacts(entry: Extract<CatalogEntry, { loaded: unknown }>, now: Date): SafeHtml {
  const schedule = entry.loaded.campaign.schedule;
  if (!schedule) return html`<dt>Schedule</dt><dd>none (runs only when started with <code>run</code> or <code>enqueue</code>)</dd>`;
  const next = schedule.enabled ? timeInZone(nextCronRun(schedule.cron, schedule.timezone, now), schedule.timezone) : undefined;
  return html`<dt>Schedule</dt><dd><code>${schedule.cron}</code> in ${schedule.timezone}${schedule.enabled ? '' : ' (disabled)'}</dd>
<dt>Next run</dt><dd>${next ? html`<time data-next-run>${next}</time> <span class="muted">(${schedule.timezone})</span>` : 'none: the schedule is disabled'}</dd>`;
}

function lastRunFacts(run: ConsoleRun | undefined): SafeHtml {
  if (!run) return html`<dt>Last run</dt><dd>none recorded yet</dd>`;
  const summary = summariseRun(run);
  if (!run.report) {
    const why = summary.problems[0];
    return html`<dt>Last run</dt><dd>${outcomeWithDryRun(summary.outcome, run.dryRun)} ${run.status === 'running' ? 'since ' : ''}${utcTime(run.startedAt)}, ${run.trigger}${why ? `: ${why}` : ''} · ${runLink(run.runId)}</dd>`;
  }
  return html`<dt>Last run</dt><dd>${outcomeWithDryRun(summary.outcome, run.dryRun)} ${utcTime(run.startedAt)}, ${run.trigger}: ${count(summary.members)} members in ${count(summary.segments)} segment${summary.segments === 1 ? '' : 's'}, match rate ${percent(summary.matchRate)} · ${runLink(run.runId)}</dd>`;
}

function queueFacts(queued: QueuedRuns | undefined): SafeHtml {
  if (!queued || queued.queued + queued.running === 0) return html``;
  const parts = [queued.running ? `${count(queued.running)} running` : '', queued.queued ? `${count(queued.queued)} waiting` : ''].filter(Boolean);
  return html`<dt>In the queue</dt><dd>${parts.join(', ')} · <a href="/queues">Bull Board</a></dd>`;
}

export function audiencesTable(campaign: string, audiences: ConsoleAudience[], links: LinkContext): SafeHtml {
  if (audiences.length === 0) return html`<p class="muted">No audiences yet: none of its runs has synced one.</p>`;
  const rows = audiences.map(
    (audience) => html`<tr>
<th scope="row">${audience.name}</th>
<td>${audience.connector}</td>
<td>${audience.status === 'retired' ? html`retired${audience.retiredReason ? `: ${audience.retiredReason}` : ''}` : 'active'}</td>
<td class="num">${count(audience.members)}</td>
<td>${audienceLinkHtml(audience, links)}</td>
</tr>`,
  );
  return html`<table>
<caption>Audiences of ${campaign}</caption>
<thead><tr><th scope="col">Audience</th><th scope="col">Destination</th><th scope="col">Status</th><th scope="col" class="num">Members at last run</th><th scope="col">Where to find it</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

export function campaignsPage(input: CampaignsPageInput): string {
  const names = new Set<string>();
  const sections = input.catalog.map((entry) => {
    if (!('loaded' in entry)) {
      const issues = entry.issues.map((issue) => html`<li>${issue.line ? `line ${issue.line}: ` : ''}${issue.field ? `${issue.field}: ` : ''}${issue.message}</li>`);
      return html`<section class="problems" aria-labelledby="${idFor('file', entry.file)}"><h2 id="${idFor('file', entry.file)}"><code>${entry.file}</code> cannot be read</h2><ul>${issues}</ul></section>`;
    }
    const { campaign } = entry.loaded;
    names.add(campaign.name);
    const runs = input.runs.filter((run) => run.campaign === campaign.name);
    const lastSynced = runs.find((run) => !run.dryRun && run.report);
    const audiences = campaignAudiences(campaign.name, input.audiences, lastSynced, entry.loaded);
    return html`<section aria-labelledby="${idFor('campaign', campaign.name)}" data-campaign="${campaign.name}">
<h2 id="${idFor('campaign', campaign.name)}"><a href="${campaignHref(campaign.name)}">${campaign.name}</a></h2>
${campaign.description ? html`<p class="lead">${campaign.description}</p>` : ''}
<dl class="facts">
<dt>Type</dt><dd>${campaignTypeInWords(campaign.type)}</dd>
<dt>File</dt><dd><code>${entry.file}</code></dd>
${scheduleFacts(entry, input.now)}
${lastRunFacts(runs[0])}
${queueFacts(input.queue?.get(campaign.name))}
</dl>
${audiencesTable(campaign.name, audiences, input.links)}
</section>`;
  });
  const orphans = [...new Set(input.runs.map((run) => run.campaign))].filter((name) => !names.has(name)).sort();
  const body = html`<h1>Campaigns</h1>
<p class="lead">${count(names.size)} campaign${names.size === 1 ? '' : 's'} in <code>${input.dir}</code>. Times of runs are in UTC; next runs in each schedule's time zone.</p>
${input.queueProblem ? html`<p class="problems">The queue could not be read: ${input.queueProblem}</p>` : ''}
${sections}
${orphans.length ? html`<h2>Other campaigns in the state store</h2><p>Runs of campaigns whose files are not in this directory (another directory sharing the store, or a file since removed); their history is kept: ${orphans.map((name, index) => html`${index ? ', ' : ''}<a href="${campaignHref(name)}">${name}</a>`)}.</p>` : ''}`;
  return page({ title: 'Campaigns', section: 'campaigns', body, generatedAt: input.now });
}
