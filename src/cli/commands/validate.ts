/**
 * `affinity-sync validate <files…>`: check campaign files without running them. Prints
 * `ok  <file>  (<name>: <type>, N destinations)` per valid file and every problem of the others;
 * exit code 2 when any file is invalid.
 */
import type { Command } from 'commander';
import { ExitCode, formatIssue, type InputIssue } from '../../core/errors.js';
import { checkCampaignFile, duplicateNameIssues, type LoadedCampaign } from '../../campaign/load-campaign.js';
import type { CliContext } from '../cli-context.js';

export function register(program: Command, context: CliContext): void {
  program
    .command('validate')
    .description('check campaign files (schema, secrets, schedules, unique names) without running them')
    .argument('<campaign-files...>', 'campaign files (YAML or JSON)')
    .addHelpText('after', '\nExample:\n  $ affinity-sync validate config/campaigns/*.yaml\n\nExit codes: 0 all valid, 2 a file is invalid.')
    .action(async (files: string[]) => {
      const checks = await Promise.all(files.map((file) => checkCampaignFile(file, { cwd: context.cwd })));
      const valid = checks.flatMap((check) => (check.ok ? [check.loaded] : []));
      const duplicates = duplicateNameIssues(valid);
      const lines: string[] = [];
      checks.forEach((check, index) => {
        const file = files[index] ?? '';
        const issues: InputIssue[] = check.ok ? duplicates.filter((issue) => issue.file === file) : check.issues;
        if (check.ok && issues.length === 0) {
          lines.push(`ok    ${file}  (${summary(check.loaded)})`);
          return;
        }
        lines.push(`FAIL  ${file}  (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'})`);
        for (const issue of issues) lines.push(`  ${formatIssue(issue)}`);
        context.setExitCode(ExitCode.badInput);
      });
      context.stdout.write(`${lines.join('\n')}\n`);
    });
}

function summary({ campaign }: LoadedCampaign): string {
  const count = campaign.destinations.length;
  return `${campaign.name}: ${campaign.type}, ${count} ${count === 1 ? 'destination' : 'destinations'}`;
}
