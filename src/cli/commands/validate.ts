/**
 * `affinity-sync validate <files…>`: check campaign files without running them. Prints
 * `ok  <file>  (<name>: <type>, N destinations)` per valid file and every problem of the others;
 * exit code 2 when any file is invalid. Every file the campaign names must exist: the dataset
 * directory (with interactions, items and users), the inventory and new-items files. With
 * `--with-data`, also plans each campaign's queries
 * against its datasets (unknown ITEM_IDs, columns or values, bad inventory or new-items files),
 * reporting every problem of every query. Warnings (`  warning: …` under the file's line) never
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
}

export function register(program: Command, context: CliContext): void {
  program
    .command('validate')
    .description('check campaign files (schema, secrets, schedules, unique names) without running them')
    .argument('<campaign-files...>', 'campaign files (YAML or JSON)')
    .option('--with-data', 'also plan each campaign\'s queries against its datasets (item ids, columns, inventory and new-items files)')
    .option('--data <dir>', 'dataset directory; overrides the campaigns\' `data`')
    .addHelpText(
      'after',
      '\nWithout --with-data, every file a campaign names is checked to exist (the dataset directory with its\ninteractions, items and users files; inventory and new-items files), without reading it.\n\nExamples:\n  $ affinity-sync validate config/campaigns/*.yaml\n  $ affinity-sync validate --with-data config/campaigns/new-items.yaml\n\nExit codes: 0 all valid (warnings included), 2 a file is invalid.',
    )
    .action(async (files: string[], options: ValidateOptions) => {
      const { missingCredentialWarnings } = await import('../../campaign/credential-warnings.js');
      const { checkCampaignFile, duplicateNameIssues } = await import('../../campaign/load-campaign.js');
      const { referencedFileIssues } = await import('../../campaign/referenced-file-issues.js');
      const checks = await Promise.all(files.map((file) => checkCampaignFile(file, { cwd: context.cwd })));
      const valid = checks.flatMap((check) => (check.ok ? [check.loaded] : []));
      const duplicates = duplicateNameIssues(valid);
      const datasetCache = new Map<string, Promise<Datasets>>();
      const lines: string[] = [];
      for (const [index, check] of checks.entries()) {
        const file = files[index] ?? '';
        const issues: InputIssue[] = check.ok ? duplicates.filter((issue) => issue.file === file) : check.issues;
        const missingFiles = check.ok ? referencedFileIssues(check.loaded, { cwd: context.cwd, dataDir: options.data, locate: check.locate }) : [];
        let queries: number | undefined;
        const warnings: string[] = check.ok ? missingCredentialWarnings(check.loaded.campaign, context.env, file).map(formatIssue) : [];
        // --with-data plans with the files (naming a missing one itself), unless the datasets are missing.
        const datasetsMissing = missingFiles.some((issue) => issue.field === 'data' || issue.field === '--data');
        if (check.ok && issues.length === 0 && options.withData && !datasetsMissing) {
          const planned = await planWithData(check.loaded, { cwd: context.cwd, dataDir: options.data, datasetCache }, (note) => warnings.push(note));
          if (Array.isArray(planned)) queries = planned.length;
          // Planning names the campaign field; give it the field's line, as the schema check does.
          else issues.push(...planned.issues.map((issue) => withLine(issue, file, check.locate)));
        }
        const reported = new Set(issues.map((issue) => issue.field));
        issues.push(...missingFiles.filter((issue) => !reported.has(issue.field)));
        if (check.ok && issues.length === 0) {
          lines.push(`ok    ${file}  (${summary(check.loaded, queries)})`);
        } else {
          lines.push(`FAIL  ${file}  (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'})`);
          for (const issue of issues) lines.push(`  ${formatIssue(issue)}`);
          context.setExitCode(ExitCode.badInput);
        }
        for (const warning of warnings) lines.push(`  warning: ${warning}`);
      }
      context.stdout.write(`${lines.join('\n')}\n`);
    });
}

async function planWithData(
  loaded: LoadedCampaign,
  source: Pick<RunContext, 'cwd' | 'dataDir' | 'datasetCache'>,
  onNote: (note: string) => void,
): Promise<unknown[] | ConfigError> {
  const { planQueries } = await import('../../campaign/plan-queries.js');
  const { loadCampaignDatasets } = await import('../../pipeline/load-campaign-datasets.js');
  try {
    return await planQueries(loaded, await loadCampaignDatasets(loaded, source), { onNote });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
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
