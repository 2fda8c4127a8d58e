/**
 * `affinity-sync connectors list` and `affinity-sync connectors test <name> …`: check a
 * destination's credentials and target before a campaign uses it. Secrets come from the
 * environment only (MAILCHIMP_API_KEY, …).
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { CliContext } from '../cli-context.js';

/** Checks one destination entry: validates it with the connector's schema, then `testConnection`. */
async function testDestination(raw: { connector: string } & Record<string, unknown>, context: CliContext): Promise<string> {
  const { destinationConnectors } = await import('../../../connectors/index.js');
  const connector = destinationConnectors.find((candidate) => candidate.id === raw.connector);
  if (!connector) throw new ConfigError([{ field: 'connector', message: `unknown connector "${raw.connector}"; expected one of ${destinationConnectors.map((c) => c.id).join(', ')}` }]);
  const parsed = connector.configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || raw.connector, message: issue.message })));
  }
  const session = connector.open(parsed.data, { env: context.env, logger: context.logger, baseDir: context.cwd });
  try {
    return await session.testConnection();
  } finally {
    await session.close?.();
  }
}

/** One `connectors test <name>` subcommand per connector; add a line for a new connector. */
const connectorTestCommands: Array<(test: Command, context: CliContext) => void> = [
  (test, context) =>
    test
      .command('file')
      .description('check that the audience directory can be written')
      .option('--dir <dir>', 'audience directory, relative to the current directory', 'out')
      .action(async (options: { dir: string }) => print(context, await testDestination({ connector: 'file', dir: options.dir }, context))),
  (test, context) =>
    test
      .command('mailchimp')
      .description('check MAILCHIMP_API_KEY, its data centre (server) and the audience')
      .requiredOption('--audience <id>', 'Mailchimp audience (list) id')
      .option('--base-url <url>', 'API base URL (proxies); default from MAILCHIMP_BASE_URL or the key')
      .option('--rank-merge-field <tag>', 'also check that the audience has this merge field (a destination with mergeFields: { rank: <tag> })')
      .addHelpText('after', '\nExample:\n  $ MAILCHIMP_API_KEY=…-us21 affinity-sync connectors test mailchimp --audience a1b2c3d4e5 --rank-merge-field AFF_RANK')
      .action(async (options: { audience: string; baseUrl?: string; rankMergeField?: string }) =>
        print(
          context,
          await testDestination(
            {
              connector: 'mailchimp',
              audienceId: options.audience,
              ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
              ...(options.rankMergeField ? { mergeFields: { rank: options.rankMergeField } } : {}),
            },
            context,
          ),
        ),
      ),
  (test, context) =>
    test
      .command('hubspot')
      .description('check HUBSPOT_ACCESS_TOKEN and the scopes a destination needs (lists, contacts)')
      .option('--create-contacts', 'also require crm.objects.contacts.write (destinations with createContacts: true)')
      .option('--base-path <url>', 'API base URL (proxies); default from HUBSPOT_BASE_PATH, else https://api.hubapi.com')
      .option('--rank-property <name>', 'also check that this contact property exists (a destination with properties: { rank: <name> })')
      .addHelpText('after', '\nExample:\n  $ HUBSPOT_ACCESS_TOKEN=pat-na1-… affinity-sync connectors test hubspot --create-contacts --rank-property affinity_rank')
      .action(async (options: { createContacts?: boolean; basePath?: string; rankProperty?: string }) =>
        print(
          context,
          await testDestination(
            {
              connector: 'hubspot',
              list: 'connection test',
              createContacts: options.createContacts === true,
              ...(options.basePath ? { basePath: options.basePath } : {}),
              ...(options.rankProperty ? { properties: { rank: options.rankProperty } } : {}),
            },
            context,
          ),
        ),
      ),
];

function print(context: CliContext, line: string): void {
  context.stdout.write(`ok  ${line}\n`);
}

export function register(program: Command, context: CliContext): void {
  const connectors = program.command('connectors').description('list destination connectors and check their credentials');
  connectors
    .command('list')
    .description('list the destination connectors and the sync modes they support')
    .action(async () => {
      const { destinationConnectors } = await import('../../../connectors/index.js');
      const lines = destinationConnectors.map((c) => `${c.id.padEnd(10)} modes: ${c.capabilities.modes.join(', ')}; ${c.limits.batchSize} per call, ${c.limits.concurrency} at once`);
      context.stdout.write(`${lines.join('\n')}\n`);
    });
  const test = connectors
    .command('test')
    .description('check a destination before a campaign uses it (exit code 2: wrong credentials or settings; 1: the service could not be reached)');
  for (const add of connectorTestCommands) add(test, context);
}
