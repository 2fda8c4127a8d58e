/**
 * The `affinity-sync` command line. Each command lives in `src/cli/commands/<name>.ts` and exports
 * `register(program, context)`.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, isUserFacing, moreUrgentExitCode } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { fromSystemError } from '../core/system-error.js';
import { EXIT_CODE_HELP } from './exit-code-help.js';
import { packageVersion } from './package-version.js';
import type { CliContext } from './cli-context.js';

type Registrar = (program: Command, context: CliContext) => void;

/** Command modules, in the order `--help` lists them. */
const commandModules: Array<() => Promise<{ register: Registrar }>> = [
  () => import('./commands/run.js'),
  () => import('./commands/validate.js'),
  () => import('./commands/schema.js'),
  () => import('./commands/evaluate.js'),
  () => import('./commands/train.js'),
  () => import('./commands/connectors.js'),
  () => import('./commands/personalize.js'),
  () => import('./commands/worker.js'),
  () => import('./commands/schedule.js'),
  () => import('./commands/enqueue.js'),
  () => import('./commands/status.js'),
  () => import('./commands/history.js'),
  () => import('./commands/dashboard.js'),
  () => import('./commands/explain.js'),
  () => import('./commands/lift.js'),
];

/** Runs the CLI with `argv` (as `process.argv`) and resolves to the exit code. */
export async function main(
  argv: string[],
  io: Partial<Pick<CliContext, 'stdout' | 'stderr' | 'env' | 'cwd'>> = {},
): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const stderr = io.stderr ?? process.stderr;
  let logger: Logger;
  try {
    logger = createLogger((io.env ?? process.env).LOG_LEVEL);
  } catch (error) {
    stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.badInput;
  }
  const context: CliContext = {
    stdout: io.stdout ?? process.stdout,
    stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    logger,
    setExitCode(code) {
      exitCode = moreUrgentExitCode(exitCode, code);
    },
  };
  const program = new Command('affinity-sync')
    .description('Turn Item-Affinity and Item-Attribute-Affinity user segments into marketing audiences.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      [
        '',
        'Getting started:',
        '  $ affinity-sync run config/campaigns/*.yaml        run the sample campaigns on the bundled data',
        '  $ affinity-sync validate my-campaign.yaml          check a campaign file',
        '  $ affinity-sync run --dry-run my-campaign.yaml     see what would change, write nothing',
        '',
        'Environment: MAILCHIMP_API_KEY, HUBSPOT_ACCESS_TOKEN, AWS credentials (standard AWS chain),',
        'REDIS_URL (queue), LOG_LEVEL (JSON logs on stderr; default warn).',
        EXIT_CODE_HELP,
      ].join('\n'),
    );
  for (const load of commandModules) (await load()).register(program, context);

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    const known = isUserFacing(error) ? error : fromSystemError(error);
    if (known) {
      context.stderr.write(`error: ${known.message}\n`);
      return moreUrgentExitCode(exitCode, known.exitCode);
    }
    context.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.runFailed;
  }
  return exitCode;
}
