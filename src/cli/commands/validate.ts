/**
 * `affinity-sync validate <files…>`: check campaign files without running them. Prints
 * `ok  <file>  (<name>: <type>, N destinations)` per valid file and every problem of the others;
 * exit code 2 when any file is invalid (`--json`: one object per file instead). Every file the
 * campaign names must exist: the dataset directory (with interactions, items and users; an `s3://`
 * location is checked for its form only), the inventory and new-items files. The marketing controls
 * are checked by the function `run` uses (`readControlInputs`): suppression files, `exclusiveWith`
 * names, `holdout.segments` labels (against the written queries, or the planned ones). With
 * `--with-data`, also plans each campaign's queries against its datasets (unknown ITEM_IDs, columns
 * or values, bad inventory or new-items files), reporting every problem of every query. Warnings (`  warning: …` under the file's line) never
 * change the exit code: credentials the destinations will need but the environment lacks, and
 * with `--with-data` the notes of planning (e.g. inventory ITEM_IDs skipped).
 */
import type { Command } from 'commander';
import { ConfigError, ExitCode, formatIssue, type InputIssue } from '../../core/errors.js';
import type { Datasets } from '../../datasets/datasets.js';
import type { LocatePath } from '../../campaign/config-issues.js';
import { parseFieldPath } from '../../campaign/field-path.js';
import type { LoadedCampaign } from '../../campaign/load-campaign.js';
import type { RunContext } from '../../pipeline/run-context.js';
import type { CliContext } from '../cli-context.js';

interface ValidateOptions {
  withData?: boolean;
  data?: string;
  json?: boolean;
  stateDir: string;
}

/** One file's outcome, as `--json` prints it. */
interface FileResult {
  file: string;
  ok: boolean;
  /** `<name>: <type>, N destinations[, N queries]` of a valid file. */
  summary?: string;
  problems: InputIssue[];
  warnings: string[];
}

export function register(program: Command, context: CliContext): void {
  program
    .command('validate')
    .description('check campaign files (schema, secrets, schedules, unique names, files, controls) without running them')
    .argument('<campaign-files...>', 'campaign files (YAML or JSON)')
    .option('--with-data', 'also plan each campaign\'s queries against its datasets (item ids, columns, inventory and new-items files, segment labels); an s3:// dataset is downloaded as `run` does')
    .option('--data <dir>', 'dataset directory; overrides the campaigns\' `data`')
    .option('--json', 'print one object per file: { file, ok, summary, problems: [{ file, line, field, message }], warnings }')
    .option('--state-dir <dir>', 'where --with-data keeps the S3 cache (<dir>/s3-cache), as `run` does', '.affinity-sync')
    .addHelpText(
      'after',
      '\nWithout --with-data, every file a campaign names is checked to exist (the dataset directory with its\ninteractions, items and users datasets; inventory, new-items and suppression files; an s3:// dataset\nonly for its form), the controls as `run` checks them (suppression files readable with an EMAIL or\nUSER_ID column, exclusiveWith names, holdout.segments labels where the queries give them).\n\nExamples:\n  $ affinity-sync validate config/campaigns/*.yaml\n  $ affinity-sync validate --with-data config/campaigns/new-items.yaml\n  $ affinity-sync validate --json config/campaigns/*.yaml\n\nExit codes: 0 all valid (warnings included), 2 a file is invalid.',
    )
    .action(async (files: string[], options: ValidateOptions) => {
      const { missingCredentialWarnings } = await import('../../campaign/credential-warnings.js');
      const { checkCampaignFile, duplicateNameIssues } = await import('../../campaign/load-campaign.js');
      const { referencedFileIssues } = await import('../../campaign/referenced-file-issues.js');
      const { knownSegmentLabels } = await import('../../campaign/known-segment-labels.js');
      const { readControlInputs } = await import('../../controls/control-inputs.js');
      const checks = await Promise.all(files.map((file) => checkCampaignFile(file, { cwd: context.cwd })));
      const valid = checks.flatMap((check) => (check.ok ? [check.loaded] : []));
      const duplicates = duplicateNameIssues(valid);
      const source = { cwd: context.cwd, dataDir: options.data, datasetCache: new Map<string, Promise<Datasets>>(), env: context.env, stateDir: options.stateDir };
      const results: FileResult[] = [];
      for (const [index, check] of checks.entries()) {
        const file = files[index] ?? '';
        const issues: InputIssue[] = check.ok ? duplicates.filter((issue) => issue.file === file) : check.issues;
        const missingFiles = check.ok ? referencedFileIssues(check.loaded, { cwd: context.cwd, dataDir: options.data, locate: check.locate }) : [];
        let planned: Array<{ label: string }> | undefined;
        const warnings: string[] = check.ok ? missingCredentialWarnings(check.loaded.campaign, context.env, file).map(formatIssue) : [];
        // --with-data plans with the files (naming a missing one itself), unless the datasets are missing.
        const datasetsMissing = missingFiles.some((issue) => issue.field === 'data' || issue.field === '--data');
        if (check.ok && issues.length === 0 && options.withData && !datasetsMissing) {
          const outcome = await planWithData(check.loaded, source, (note) => warnings.push(note));
          if (Array.isArray(outcome)) planned = outcome;
          // Planning names the campaign field; give it the field's line, as the schema check does.
          else issues.push(...outcome.issues.map((issue) => withLine(issue, file, check.locate)));
        }
        const badQueries = check.ok ? undefined : malformedQueries(issues);
        if (!check.ok && options.withData && badQueries) {
          // Every problem of the file at once: plan the well-formed queries, with the indexes of the file.
          const rest = await checkCampaignFile(file, { cwd: context.cwd, omitQueries: badQueries });
          const restFiles = rest.ok ? referencedFileIssues(rest.loaded, { cwd: context.cwd, dataDir: options.data }) : [];
          if (rest.ok && !restFiles.some((issue) => issue.field === 'data' || issue.field === '--data')) {
            const outcome = await planWithData(rest.loaded, source, () => undefined);
            if (!Array.isArray(outcome)) {
              // Index in the reduced campaign → index in the file.
              const kept = rest.loaded.campaign.type === 'new-items' ? rest.loaded.campaign.queries.length : 0;
              const original: number[] = [];
              for (let index = 0; original.length < kept; index += 1) if (!badQueries.has(index)) original.push(index);
              const renumber = (issue: InputIssue): InputIssue =>
                issue.field?.startsWith('queries[') ? { ...issue, field: issue.field.replace(/^queries\[(\d+)\]/, (_, index: string) => `queries[${original[Number(index)] ?? index}]`) } : issue;
              issues.push(...outcome.issues.map((issue) => withLine(renumber(issue), file, rest.locate)));
            }
          }
        }
        if (check.ok) {
          // The controls, checked by the function `run` checks them with.
          const labels = planned?.map((entry) => entry.label) ?? knownSegmentLabels(check.loaded);
          const controls = await readControlInputs(check.loaded, labels, context.env, context.cwd);
          issues.push(...controls.issues.map((issue) => withLine(issue, file, check.locate)));
        }
        const reported = new Set(issues.map((issue) => issue.field));
        issues.push(...missingFiles.filter((issue) => !reported.has(issue.field)));
        const ok = check.ok && issues.length === 0;
        if (!ok) context.setExitCode(ExitCode.badInput);
        results.push({ file, ok, ...(ok && check.ok ? { summary: summary(check.loaded, planned?.length) } : {}), problems: issues, warnings });
      }
      if (options.json) {
        context.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const result of results) {
        if (result.ok) {
          lines.push(`ok    ${result.file}  (${result.summary ?? ''})`);
        } else {
          lines.push(`FAIL  ${result.file}  (${result.problems.length} ${result.problems.length === 1 ? 'problem' : 'problems'})`);
          for (const issue of result.problems) lines.push(`  ${formatIssue(issue)}`);
        }
        for (const warning of result.warnings) lines.push(`  warning: ${warning}`);
      }
      context.stdout.write(`${lines.join('\n')}\n`);
    });
}

async function planWithData(
  loaded: LoadedCampaign,
  source: Pick<RunContext, 'cwd' | 'dataDir' | 'datasetCache' | 'env' | 'stateDir'>,
  onNote: (note: string) => void,
): Promise<Array<{ label: string }> | ConfigError> {
  const { planQueries } = await import('../../campaign/plan-queries.js');
  const { loadCampaignDatasets } = await import('../../pipeline/load-campaign-datasets.js');
  try {
    return await planQueries(loaded, await loadCampaignDatasets(loaded, source), { onNote });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/** The `queries` indexes of the issues when every issue is about one query entry, else undefined. */
function malformedQueries(issues: readonly InputIssue[]): Set<number> | undefined {
  const indexes = new Set<number>();
  for (const issue of issues) {
    const match = /^queries\[(\d+)\]/.exec(issue.field ?? '');
    if (!match) return undefined;
    indexes.add(Number(match[1]));
  }
  return indexes.size > 0 ? indexes : undefined;
}

function withLine(issue: InputIssue, file: string, locate: LocatePath): InputIssue {
  if (issue.file !== file || issue.line !== undefined || issue.field === undefined) return issue;
  const line = locate(parseFieldPath(issue.field));
  return line === undefined ? issue : { ...issue, line };
}

function summary({ campaign }: LoadedCampaign, queries: number | undefined): string {
  const count = campaign.destinations.length;
  const planned = queries === undefined ? '' : `, ${queries} ${queries === 1 ? 'query' : 'queries'}`;
  return `${campaign.name}: ${campaign.type}, ${count} ${count === 1 ? 'destination' : 'destinations'}${planned}`;
}
