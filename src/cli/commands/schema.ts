/**
 * `affinity-sync schema [--out FILE]`: print (or write) the JSON Schema of campaign files, generated
 * from the campaign zod schema and the registered providers and connectors.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CAMPAIGN_JSON_SCHEMA_PATH } from '../../campaign/campaign-json-schema-path.js';
import type { CliContext } from '../cli-context.js';

export function register(program: Command, context: CliContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of campaign files (for editor completion), or write it with --out')
    .option('--out <file>', `write the schema to this file instead of printing it (the repository keeps it in ${CAMPAIGN_JSON_SCHEMA_PATH})`)
    .action(async (options: { out?: string }) => {
      const { campaignJsonSchemaText, writeCampaignJsonSchema } = await import('../../campaign/campaign-json-schema.js');
      if (!options.out) {
        context.stdout.write(campaignJsonSchemaText());
        return;
      }
      await writeCampaignJsonSchema(resolve(context.cwd, options.out));
      context.stdout.write(`wrote ${options.out}\n`);
    });
}
