/**
 * `affinity-sync lift --campaign FILE …`: the conversion rates of the treatment and control arms of
 * each holdout segment, the lift with its 95 % interval, and a verdict.
 * `affinity-sync simulate-lift --campaign FILE --out DIR …`: a follow-up dataset with a planted lift,
 * to try the report (workshop, demos).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ControlsStore } from '../../controls/controls-store.js';
import { ConfigError, ExitCode } from '../../core/errors.js';
import type { CliContext } from '../cli-context.js';

/** A `--since` value: a date (2024-12-01) or a date-time with a zone. */
function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new ConfigError([{ field: '--since', message: `expected a date (2024-12-01) or a date-time with a zone (2024-12-01T08:00:00Z), got "${value}"` }]);
  }
  return date;
}

/** A rate option in [0, 1]. */
function parseRate(value: string, flag: string): number {
  const rate = Number(value);
  if (!(rate >= 0 && rate <= 1)) throw new ConfigError([{ field: flag, message: `expected a rate between 0 and 1, e.g. 0.05, got "${value}"` }]);
  return rate;
}

/** Runs `work` with the controls' view of the state store (none when `--assignments` names a file). */
async function withControlsStore<T>(context: CliContext, options: { assignments?: string; stateDir: string }, work: (store: ControlsStore | undefined) => Promise<T>): Promise<T> {
  if (options.assignments !== undefined) return work(undefined);
  const { openStateStore } = await import('../../state/open-state-store.js');
  const { KyselyControlsStore } = await import('../../controls/kysely-controls-store.js');
  const state = await openStateStore({ env: context.env, stateDir: resolve(context.cwd, options.stateDir) });
  try {
    return await work(new KyselyControlsStore(state.db));
  } finally {
    await state.close();
  }
}

export function register(program: Command, context: CliContext): void {
  program
    .command('lift')
    .description("the lift of a campaign's holdout segments: conversion rates of treatment and control, with 95 % intervals and a verdict")
    .requiredOption('--campaign <file>', 'campaign file (YAML or JSON) with a holdout')
    .option('--data <dir>', "dataset directory with the interactions since the run; default: the campaign's `data`")
    .option('--since <date>', 'only count events from this date (default: from each user\'s first entry in an arm)')
    .option('--event <type>', 'EVENT_TYPE that counts as a conversion (`any` for every event)', 'Purchase')
    .option('--assignments <file>', 'read the assignments from a holdout export (holdout.export) instead of the state store')
    .option('--state-dir <dir>', 'where the SQLite state store is (AFFINITY_STATE_URL selects PostgreSQL instead)', '.affinity-sync')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nA user converts with an event of --event on a segment target (the overstocked item, or any item matching the\nattribute query) at or after the moment they first entered an arm. Arms are compared as assigned.\n\nExample:\n  $ affinity-sync lift --campaign config/campaigns/new-items.yaml --data follow-up\n\nExit codes: 0 done, 2 bad input (campaign file, no assignments yet, an event type the data lacks),\n3 no data (every segment: the interactions end before its users entered their arms, or before --since).',
    )
    .action(async (options: { campaign: string; data?: string; since?: string; event: string; assignments?: string; stateDir: string; json?: boolean }) => {
      const { buildLiftReport } = await import('../../lift/lift-report.js');
      const { renderLiftReport } = await import('../../lift/render-lift.js');
      const since = parseSince(options.since);
      await withControlsStore(context, options, async (store) => {
        const report = await buildLiftReport({
          campaignFile: options.campaign,
          cwd: context.cwd,
          event: options.event,
          ...(options.data !== undefined ? { dataDir: options.data } : {}),
          ...(since ? { since } : {}),
          ...(options.assignments !== undefined ? { assignmentsFile: options.assignments } : { store }),
        });
        context.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderLiftReport(report));
        // Nothing measured: no segment has an interaction after its users entered their arms (or --since).
        if (report.segments.every((segment) => segment.noData)) context.setExitCode(ExitCode.nothingDone);
      });
    });

  program
    .command('simulate-lift')
    .description('write a follow-up dataset in which treatment converts at a known, higher rate, to try `lift` (workshop, demos)')
    .requiredOption('--campaign <file>', 'campaign file with a holdout that has run')
    .requiredOption('--out <dir>', 'directory for interactions.csv (the items and users files are copied beside it)')
    .option('--control-rate <rate>', 'conversion probability of a control user', '0.03')
    .option('--treatment-rate <rate>', 'conversion probability of a treatment user', '0.06')
    .option('--days <n>', 'days after entry in which the events happen', '14')
    .option('--seed <n>', 'random seed', '1')
    .option('--assignments <file>', 'read the assignments from a holdout export instead of the state store')
    .option('--state-dir <dir>', 'where the SQLite state store is (AFFINITY_STATE_URL selects PostgreSQL instead)', '.affinity-sync')
    .action(async (options: { campaign: string; out: string; controlRate: string; treatmentRate: string; days: string; seed: string; assignments?: string; stateDir: string }) => {
      const { writeFollowUp } = await import('../../lift/write-follow-up.js');
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1) throw new ConfigError([{ field: '--days', message: `expected a whole number of days ≥ 1, got "${options.days}"` }]);
      const controlRate = parseRate(options.controlRate, '--control-rate');
      const treatmentRate = parseRate(options.treatmentRate, '--treatment-rate');
      const written = await withControlsStore(context, options, (store) =>
        writeFollowUp({
          campaignFile: options.campaign,
          cwd: context.cwd,
          outDir: options.out,
          controlRate,
          treatmentRate,
          days,
          seed: Number(options.seed) || 1,
          ...(options.assignments !== undefined ? { assignmentsFile: options.assignments } : { store }),
        }),
      );
      context.stdout.write(`wrote ${written.events.toLocaleString('en-US')} interactions of ${written.users.toLocaleString('en-US')} assigned users to ${written.file} (planted: control ${options.controlRate}, treatment ${options.treatmentRate})\n`);
    });
}
