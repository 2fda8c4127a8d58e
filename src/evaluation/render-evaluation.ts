/** The evaluation report as a terminal table (cli-table3). */
import Table from 'cli-table3';
import type { MeanWithInterval } from './bootstrap.js';
import type { EvaluationReport, MethodResult } from './evaluate-engine.js';

const recipeNames = { item: 'Item-Affinity', attribute: 'Item-Attribute-Affinity', cold: 'Attribute, new items only' } as const;
const splitNames = { P: 'P: newest 20% per user', F: 'F: global time cut (90th pct)' } as const;

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const withInterval = (m: MeanWithInterval | undefined, digits = 3) =>
  m ? `${fixed(m.mean, digits)} [${fixed(m.low, digits)}, ${fixed(m.high, digits)}]` : '–';

/** True when the paired intervals of recall@1% and NDCG@25 against activity are above 0. */
export function beatsActivity(method: MethodResult): boolean {
  return (method.versusActivity.recall_at_1_percent?.low ?? 0) > 0 && (method.versusActivity.ndcg_at_25?.low ?? 0) > 0;
}

/** Renders the report: one row per split, query set and method; intervals are 95% bootstrap. */
export function renderEvaluation(report: EvaluationReport): string {
  const table = new Table({
    head: ['split', 'queries', 'method', 'hits@1%', 'recall@1% [95% CI]', 'NDCG@25 [95% CI]', 'HR@25', 'P@100', 'Δ recall@1% vs activity', 'Δ NDCG@25 vs activity', 'coverage'],
    style: { head: [], border: [] },
  });
  for (const split of report.splits) {
    for (const recipe of split.recipes) {
      recipe.methods.forEach((method, index) => {
        const m = method.metrics;
        const baseline = method.method === 'activity';
        table.push([
          index === 0 ? `${split.split}` : '',
          index === 0 ? `${recipeNames[recipe.recipe]} (${recipe.queries} queries, K1%≈${fixed(recipe.meanK1Percent, 0)})` : '',
          baseline || method.method === 'random' ? method.method : `${method.method}${beatsActivity(method) ? ' ✔' : ' ✘'}`,
          fixed(m.hits_at_1_percent?.mean ?? Number.NaN, 2),
          withInterval(m.recall_at_1_percent),
          withInterval(m.ndcg_at_25),
          fixed(m.hr_at_25?.mean ?? Number.NaN, 3),
          fixed(m.precision_at_100?.mean ?? Number.NaN, 4),
          baseline ? '' : withInterval(method.versusActivity.recall_at_1_percent),
          baseline ? '' : withInterval(method.versusActivity.ndcg_at_25),
          fixed(method.coverage, 3),
        ]);
      });
    }
  }
  const legend = [
    `Data: ${report.users} users, ${report.items} items, ${report.pairs} distinct (user, item) pairs; attribute columns: ${report.columns.join(', ')}.`,
    ...Object.entries(splitNames).filter(([name]) => report.splits.some((s) => s.split === name)).map(([name, text]) => `Split ${text.replace(/^.: /, `${name} = `)}.`),
    'K1% = 1% of the candidate users; ✔ = paired 95% intervals of recall@1% and NDCG@25 against activity both above 0.',
  ];
  return `${table.toString()}\n${legend.join('\n')}\n`;
}
