/**
 * The page shell: title, navigation (campaigns, overlap, Bull Board), skip link, stylesheet, and
 * the chart script when a page has charts.
 */
import { html, rawHtml, type SafeHtml } from './html.js';

export type Section = 'campaigns' | 'overlap';

export interface PageOptions {
  title: string;
  section?: Section;
  body: SafeHtml;
  /** Chart.js configurations by canvas key (`<canvas data-chart="key">`); the script loads only when set. */
  charts?: Record<string, unknown>;
  /** Footer line, e.g. when the page was made. */
  generatedAt?: Date;
}

const NAV: Array<{ section: Section | 'queues'; href: string; label: string }> = [
  { section: 'campaigns', href: '/', label: 'Campaigns' },
  { section: 'overlap', href: '/overlap', label: 'Audience overlap' },
  { section: 'queues', href: '/queues', label: 'Queue (Bull Board)' },
];

/** JSON inside `<script type="application/json">`: `<` escaped so no `</script>` can end the block. */
function jsonBlock(value: unknown): SafeHtml {
  return rawHtml(JSON.stringify(value).replace(/</g, '\\u003c'));
}

export function page(options: PageOptions): string {
  const nav = NAV.map(
    (item) => html`<li><a href="${item.href}"${item.section === options.section ? rawHtml(' aria-current="page"') : ''}>${item.label}</a></li>`,
  );
  const charts = options.charts && Object.keys(options.charts).length > 0;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · affinity-sync</title>
<link rel="stylesheet" href="/assets/console.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="bar">
<a class="brand" href="/">affinity-sync</a>
<nav aria-label="Main"><ul>${nav}</ul></nav>
</div></header>
<main id="main">
${options.body}
</main>
<footer>Read-only console.${options.generatedAt ? ` Page made ${options.generatedAt.toISOString().replace(/\.\d+Z$/, 'Z')}.` : ''} Counts and USER_IDs only: no email address is shown.</footer>
${charts ? html`<script type="application/json" id="chart-data">${jsonBlock(options.charts)}</script>
<script src="/assets/chart.umd.min.js"></script>
<script src="/assets/console.js"></script>` : ''}
</body>
</html>
`.text;
}
