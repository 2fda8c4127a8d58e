/**
 * The console's stylesheet and its one script (drawing the charts with Chart.js from the JSON block
 * a page embeds), served from the console's own routes so the pages need no inline code (CSP
 * `script-src 'self'`) and no internet.
 */

/** Colours: the Okabe–Ito palette (readable with colour-vision deficiencies), each ≥ 3:1 on white. */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8a6d00', '#56B4E9', '#000000', '#E69F00'];

export const CONSOLE_CSS = `
:root { color-scheme: light; --text: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8; --head: #f1f3f5; --link: #0645ad; --bad: #a40000; --good: #0b6b2b; --warn: #7a4b00; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--text); background: #fff; }
a { color: var(--link); }
a:focus-visible, button:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; }
header.top { background: #14213d; color: #fff; }
header.top .bar { max-width: 1400px; margin: 0 auto; padding: .6rem 1.5rem; display: flex; gap: 2rem; align-items: baseline; flex-wrap: wrap; }
header.top .brand { font-weight: 700; font-size: 1.1rem; color: #fff; text-decoration: none; }
header.top nav ul { list-style: none; display: flex; gap: 1.5rem; margin: 0; padding: 0; }
header.top nav a { color: #fff; }
header.top nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
main { max-width: 1400px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.7rem; margin: .8rem 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
p.lead { color: var(--muted); margin-top: 0; }
.muted { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.2rem; margin: .5rem 0 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1.2rem; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); }
th[scope="row"] { font-weight: 600; background: #fafafa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num, .nowrap { white-space: nowrap; }
.table-scroll { overflow-x: auto; }
.status { font-weight: 600; white-space: nowrap; }
.status.succeeded { color: var(--good); }
.status.failed, .status.partly-failed, .status.dry-run-failed, .status.some-records-failed { color: var(--bad); }
.status.dry-run, .status.running, .status.queued { color: var(--warn); }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 3px; padding: 0 .3rem; font-size: .8rem; font-weight: 600; color: var(--warn); }
.problems { border-left: 4px solid var(--bad); background: #fff4f4; padding: .5rem 1rem; margin: 1rem 0; }
.problems h2, .problems h3 { border: 0; margin-top: .3rem; }
.notes { border-left: 4px solid #6c757d; background: #f6f7f8; padding: .5rem 1rem; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem; }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
figure.chart.wide { grid-column: 1 / -1; }
figure.chart { margin: 0; border: 1px solid var(--line); padding: .6rem; }
figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
figure.chart .canvas-box { position: relative; height: 260px; }
table[data-table="audiences"] th[scope="row"] { min-width: 15rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; background: #f3f3f3; padding: 0 .2rem; }
table.heat td.cell { text-align: center; font-variant-numeric: tabular-nums; min-width: 5.5rem; }
table.heat td.self { background: #e9ecef; color: var(--muted); }
.legend { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; margin: .3rem 0 1rem; font-size: .9rem; }
.legend span.swatch { display: inline-block; width: 2.2rem; height: 1.1rem; border: 1px solid var(--line); }
form.filter { margin: .5rem 0 1rem; display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }
select, button { font: inherit; padding: .2rem .5rem; }
${heatShades()}
footer { max-width: 1400px; margin: 0 auto; padding: 1rem 1.5rem 2rem; color: var(--muted); font-size: .85rem; }
`;

/**
 * Heat-map shades `.h0` … `.h10`: white to #08306b in 10 % steps; black text up to 60 %, white from 70 %, so
 * every cell keeps a contrast of at least 4.5:1.
 */
function heatShades(): string {
  const rules: string[] = [];
  for (let step = 0; step <= 10; step += 1) {
    const mix = [255, 255, 255].map((channel, index) => Math.round(channel + (([8, 48, 107][index] ?? 0) - channel) * (step / 10)));
    rules.push(`.h${step} { background: rgb(${mix.join(', ')}); color: ${step >= 7 ? '#ffffff' : '#000000'}; }`);
  }
  return rules.join('\n');
}

/** Draws every `<canvas data-chart="key">` from the page's `<script type="application/json" id="chart-data">`. */
export const CONSOLE_SCRIPT = `
(function () {
  var data = document.getElementById('chart-data');
  if (!data || typeof Chart === 'undefined') return;
  var configs = JSON.parse(data.textContent || '{}');
  Chart.defaults.font.size = 13;
  Chart.defaults.color = '#1b1b1b';
  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var config = configs[canvas.getAttribute('data-chart')];
    if (!config) return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    var percentAxis = config.options.percentAxis;
    delete config.options.percentAxis;
    if (percentAxis) {
      config.options.scales = config.options.scales || {};
      config.options.scales.y = Object.assign({}, config.options.scales.y, { ticks: { callback: function (v) { return v + ' %'; } } });
    }
    canvas.chart = new Chart(canvas, config);
  });
  document.documentElement.setAttribute('data-charts-drawn', 'true');
})();
`;
