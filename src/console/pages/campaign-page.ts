/**
 * `/campaigns/:name`: a campaign's history: members per audience, match rate, and adds / removals /
 * failures per run as charts (oldest first, dry runs left out: they change nothing), the runs
 * table, the alerts that fired, and its audiences.
 */
import type { LoadedCampaign } from '../../campaign/load-campaign.js';
import type { LinkContext } from '../audience-links.js';
import { campaignAudiences } from '../campaign-audiences.js';
import { SERIES_COLOURS } from '../console-assets.js';
import { campaignTypeInWords, outcomeWithDryRun, runLink, scrollable } from '../components.js';
import type { ConsoleAudience, ConsoleRun } from '../console-source.js';
import { count, duration, percent, signed, utcTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { page } from '../layout.js';
import { summariseRun, type RunSummary } from '../run-summary.js';
import { audiencesTable } from './campaigns-page.js';

export interface CampaignPageInput {
  campaign: string;
  loaded?: LoadedCampaign;
  /** Newest first. */
  runs: ConsoleRun[];
  audiences: ConsoleAudience[];
  links: LinkContext;
  now: Date;
}

/** Runs drawn in the charts: the most recent ones. */
const CHART_RUNS = 60;

interface SummarisedRun {
  run: ConsoleRun;
  summary: RunSummary;
}

/** Labels of the time axis: each run's start (UTC) to the minute, or to the second when two runs share a minute. */
function pointLabels(runs: ConsoleRun[]): string[] {
  const toMinute = runs.map((run) => new Date(run.startedAt).toISOString().slice(5, 16).replace('T', ' '));
  if (new Set(toMinute).size === toMinute.length) return toMinute;
  return runs.map((run) => new Date(run.startedAt).toISOString().slice(5, 19).replace('T', ' '));
}

function chartConfigs(history: SummarisedRun[]): Record<string, unknown> {
  const labels = pointLabels(history.map(({ run }) => run));
  const audienceKeys = new Map<string, string>();
  for (const { summary } of history) {
    for (const row of summary.rows) {
      const key = `${row.destinationIndex}\u0000${row.segment}`;
      if (!audienceKeys.has(key)) audienceKeys.set(key, summary.rows.some((other) => other.destinationIndex !== row.destinationIndex) ? `${row.segment} → ${row.connector}` : row.segment);
    }
  }
  const memberSeries = [...audienceKeys].map(([key, label], index) => ({
    label,
    data: history.map(({ summary }) => summary.rows.find((row) => `${row.destinationIndex}\u0000${row.segment}` === key)?.members ?? null),
    borderColor: SERIES_COLOURS[index % SERIES_COLOURS.length],
    backgroundColor: SERIES_COLOURS[index % SERIES_COLOURS.length],
    spanGaps: false,
  }));
  const axes = (yTitle: string) => ({ x: { title: { display: true, text: 'run start (UTC)' } }, y: { beginAtZero: true, title: { display: true, text: yTitle } } });
  return {
    members: { type: 'line', data: { labels, datasets: memberSeries }, options: { scales: axes('members'), plugins: { legend: { position: 'right' } } } },
    matchRate: {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'match rate',
            data: history.map(({ summary }) => (summary.matchRate === undefined ? null : Number((summary.matchRate * 100).toFixed(2)))),
            borderColor: SERIES_COLOURS[0],
            backgroundColor: SERIES_COLOURS[0],
          },
        ],
      },
      options: { percentAxis: true, scales: { ...axes('USER_IDs with an email'), y: { min: 0, max: 100, title: { display: true, text: 'USER_IDs with an email' } } } },
    },
    changes: {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: 'added', data: history.map(({ summary }) => summary.added), backgroundColor: SERIES_COLOURS[2] },
          { label: 'removed', data: history.map(({ summary }) => summary.removed), backgroundColor: SERIES_COLOURS[1] },
          { label: 'failed', data: history.map(({ summary }) => summary.failed), backgroundColor: SERIES_COLOURS[6] },
        ],
      },
      options: { scales: axes('records') },
    },
  };
}

function chartFigure(key: string, title: string, summaryText: string, wide = false): SafeHtml {
  return html`<figure class="chart${wide ? ' wide' : ''}"><figcaption id="chart-${key}">${title}</figcaption>
<div class="canvas-box"><canvas data-chart="${key}" role="img" aria-labelledby="chart-${key}" aria-describedby="chart-${key}-text"></canvas></div>
<p class="muted" id="chart-${key}-text">${summaryText}</p></figure>`;
}

function runsTable(runs: SummarisedRun[]): SafeHtml {
  if (runs.length === 0) return html`<p>No runs recorded yet.</p>`;
  // Change in members vs the previous (older) run that was not a dry run.
  const rows = runs.map(({ run, summary }, index) => {
    const previous = runs.slice(index + 1).find((older) => !older.run.dryRun && older.run.report);
    const change = run.report && !run.dryRun && previous ? signed(summary.members - previous.summary.members) : '—';
    const shown = (value: number) => (run.report ? count(value) : '—');
    const finished = run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : run.report?.durationMs;
    return html`<tr>
<th scope="row" class="nowrap">${runLink(run.runId)}</th>
<td>${run.trigger}</td>
<td class="nowrap">${utcTime(run.startedAt)}</td>
<td class="num">${duration(finished)}</td>
<td>${outcomeWithDryRun(summary.outcome, run.dryRun)}</td>
<td class="num">${shown(summary.segments)}</td>
<td class="num">${shown(summary.members)}</td>
<td class="num">${run.dryRun && run.report ? html`<span title="would add up to">≤ ${count(summary.wouldAdd)}</span>` : shown(summary.added)}</td>
<td class="num">${shown(run.dryRun ? summary.wouldRemove : summary.removed)}</td>
<td class="num">${shown(summary.failed)}</td>
<td class="num">${percent(summary.matchRate)}</td>
<td class="num">${change}</td>
</tr>`;
  });
  return scrollable('Runs', html`<table data-table="runs">
<caption>Runs, newest first (a dry run shows what it would add and remove)</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col">Outcome</th><th scope="col" class="num">Segments</th><th scope="col" class="num">Members</th><th scope="col" class="num">Added</th><th scope="col" class="num">Removed</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Match rate</th><th scope="col" class="num">Change in members</th></tr></thead>
<tbody>${rows}</tbody>
</table>`);
}

function alertsTable(runs: ConsoleRun[]): SafeHtml {
  const alerts = runs.flatMap((run) => run.alerts);
  if (alerts.length === 0) return html`<p>No alert fired.</p>`;
  const rows = alerts.map((alert) => html`<tr><td class="nowrap">${utcTime(alert.firedAt)}</td><th scope="row">${alert.rule}</th><td>${alert.message}</td><td>${runLink(alert.runId)}</td></tr>`);
  return html`<table data-table="alerts"><caption>Alerts that fired, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Rule</th><th scope="col">Message</th><th scope="col">Run</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function campaignPage(input: CampaignPageInput): string {
  const all = input.runs.map((run) => ({ run, summary: summariseRun(run) }));
  const charted = all.filter(({ run }) => !run.dryRun && run.report).slice(0, CHART_RUNS).reverse();
  const lastSynced = all.find(({ run }) => !run.dryRun && run.report)?.run;
  const audiences = campaignAudiences(input.campaign, input.audiences, lastSynced, input.loaded);
  const latest = charted.at(-1)?.summary;
  const campaign = input.loaded?.campaign;
  const body = html`<h1>${input.campaign}</h1>
${campaign?.description ? html`<p class="lead">${campaign.description}</p>` : ''}
${campaign ? html`<dl class="facts"><dt>Type</dt><dd>${campaignTypeInWords(campaign.type)}</dd><dt>File</dt><dd><code>${input.loaded?.file}</code></dd></dl>` : html`<p class="muted">This campaign's file is no longer in the directory; its history is kept.</p>`}
<h2>Over time</h2>
${
  charted.length === 0
    ? html`<p>No completed run to chart yet.</p>`
    : html`<div class="charts">
${chartFigure('members', 'Members per audience', latest ? `Last run: ${latest.rows.map((row) => `${row.segment} ${count(row.members)}`).join(', ')}.` : '', true)}
${chartFigure('matchRate', 'Match rate (USER_IDs matched to an email)', latest ? `Last run: ${percent(latest.matchRate)}.` : '')}
${chartFigure('changes', 'Added, removed and failed records per run', latest ? `Last run: added ${count(latest.added)}, removed ${count(latest.removed)}, failed ${count(latest.failed)}.` : '')}
</div>`
}
<h2>Runs</h2>
${runsTable(all)}
<h2>Alerts</h2>
${alertsTable(input.runs)}
<h2>Audiences</h2>
${audiencesTable(input.campaign, audiences, input.links)}`;
  return page({ title: input.campaign, section: 'campaigns', body, charts: charted.length ? chartConfigs(charted) : {}, generatedAt: input.now });
}
