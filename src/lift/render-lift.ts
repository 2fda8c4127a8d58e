/** The lift report as a text table (cli-table3), one row per segment, and a verdict line each. */
import Table from 'cli-table3';
import type { LiftReport } from './lift-report.js';

const count = (value: number) => value.toLocaleString('en-US');
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const signed = (value: number, digits: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;

/** Renders the report for the terminal. */
export function renderLiftReport(report: LiftReport): string {
  const out = [
    `${report.campaign} — lift per segment: ${report.event ?? 'any'} events on the segment's targets after each user entered an arm${report.since ? `, since ${report.since}` : ''} (data: ${report.data})`,
  ];
  const table = new Table({
    head: ['segment', 'treatment users', 'control users', 'treatment rate', 'control rate', 'lift (pts) [95 % CI]', 'relative lift [95 % CI]'],
    style: { head: [], border: [] },
  });
  for (const segment of report.segments) {
    const { treatment, control, absolute, relative } = segment;
    table.push([
      `${segment.segment}\n${segment.query}`,
      count(treatment.users),
      count(control.users),
      `${percent(treatment.rate)} (${count(treatment.conversions)})`,
      `${percent(control.rate)} (${count(control.conversions)})`,
      absolute ? `${signed(absolute.lift * 100, 1)} [${signed(absolute.interval.lower * 100, 1)}, ${signed(absolute.interval.upper * 100, 1)}]` : '—',
      relative ? `${signed(relative.lift * 100, 0)} % [${signed(relative.interval.lower * 100, 0)} %, ${signed(relative.interval.upper * 100, 0)} %]` : '— (no conversions in an arm)',
    ]);
  }
  out.push(table.toString());
  for (const segment of report.segments) out.push(`  ${segment.segment}: ${segment.verdict}`);
  out.push('  Lift: difference of the two conversion rates, 95 % Newcombe hybrid score interval (Newcombe 1998); relative: Katz log interval (1978).');
  return `${out.join('\n')}\n`;
}
