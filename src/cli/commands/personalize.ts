/**
 * `affinity-sync personalize export|train`: prepare the datasets for Amazon Personalize and train
 * an Item-Affinity or Item-Attribute-Affinity solution version for `segment.provider: personalize`.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { TrainedSolution } from '../../personalize/train-solution.js';
import { USER_SEGMENTATION_RECIPES, type UserSegmentationRecipe } from '../../personalize/user-segmentation-recipes.js';
import type { CliContext } from '../cli-context.js';

interface ExportOptions {
  data: string;
  out: string;
}

interface TrainOptions {
  datasetGroupArn: string;
  recipe: UserSegmentationRecipe;
  name?: string;
  hiddenDimension?: string;
  region?: string;
  endpoint?: string;
  pollIntervalMs: string;
  maxWaitMs: string;
  data?: string;
}

const SOLUTION_NAME = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,62}$/;

function integerOption(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError([{ field: flag, message: `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}` }]);
  }
  return number;
}

export function register(program: Command, context: CliContext): void {
  const personalize = program.command('personalize').description('prepare data for Amazon Personalize and train user-segmentation solutions');

  personalize
    .command('export')
    .description('write the datasets as Personalize import CSVs with their Avro schema JSON, and warn about what Personalize would reject')
    .requiredOption('--data <dir>', 'dataset directory (interactions, items, users CSV); required: there is no default dataset')
    .requiredOption('--out <dir>', 'directory for interactions.csv, items.csv, users.csv and their *-schema.json')
    .addHelpText('after', '\nExample:\n  $ affinity-sync personalize export --data data/retail-demo-store --out out/personalize')
    .action(async (options: ExportOptions) => {
      const { loadDatasets } = await import('../../datasets/load-datasets.js');
      const { exportPersonalizeDatasets } = await import('../../personalize/export-datasets.js');
      const { default: Table } = await import('cli-table3');
      const datasets = await loadDatasets(resolve(context.cwd, options.data));
      const result = await exportPersonalizeDatasets(datasets, resolve(context.cwd, options.out));
      const table = new Table({ head: ['dataset', 'rows', 'file', 'schema', 'fields'], style: { head: [], border: [] } });
      for (const dataset of result.datasets) {
        const fields = dataset.schema.fields.map((field) => `${field.name}${field.categorical ? ' (categorical)' : field.textual ? ' (textual)' : ''}`).join(', ');
        table.push([dataset.dataset, dataset.rows.toLocaleString('en-US'), dataset.csv, dataset.schemaFile, fields]);
      }
      context.stdout.write(`Personalize import files in ${options.out}:\n${table.toString()}\n`);
      if (result.warnings.length === 0) context.stdout.write('No problems Personalize would reject were found.\n');
      for (const warning of result.warnings) {
        context.stdout.write(`warning: ${warning.dataset}${warning.field ? `.${warning.field}` : ''}: ${warning.message}\n`);
      }
    });

  personalize
    .command('train')
    .description('create a solution and train a solution version (FULL), wait until ACTIVE, print its metrics')
    .requiredOption('--dataset-group-arn <arn>', 'dataset group with the imported datasets')
    .addOption(new Option('--recipe <recipe>', 'user-segmentation recipe').choices(Object.keys(USER_SEGMENTATION_RECIPES)).makeOptionMandatory())
    .option('--name <name>', 'solution name (default: <dataset group name>-<recipe>); an existing solution of that name gets a new version')
    .option('--hidden-dimension <n>', 'hidden_dimension hyperparameter, 32–256 (Personalize default 149)')
    .option('--region <region>', 'AWS region (default: the dataset group ARN\'s)')
    .option('--endpoint <url>', 'Personalize endpoint (default: AWS_ENDPOINT_URL_PERSONALIZE, AWS_ENDPOINT_URL, else AWS)')
    .option('--poll-interval-ms <n>', 'first wait between status checks, in milliseconds', '60000')
    .option('--max-wait-ms <n>', 'give up waiting after this long, in milliseconds (training takes hours)', String(6 * 60 * 60 * 1000))
    .option('--data <dir>', 'also evaluate the local engine on this dataset directory and print its figures beside Personalize\'s')
    .addHelpText(
      'after',
      '\nCredentials come from the standard AWS chain (environment, profile, SSO, instance role).\n\nExample:\n  $ affinity-sync personalize train --dataset-group-arn arn:aws:personalize:us-east-1:123456789012:dataset-group/retail --recipe item-attribute-affinity',
    )
    .action(async (options: TrainOptions) => {
      const { arnKindProblem, parseArn } = await import('../../personalize/arn.js');
      const problem = arnKindProblem(options.datasetGroupArn, 'personalize-dataset-group');
      if (problem) throw new ConfigError([{ field: '--dataset-group-arn', message: problem }]);
      const groupName = parseArn(options.datasetGroupArn)?.resource.split('/')[1] ?? 'affinity-sync';
      const solutionName = options.name ?? `${groupName}-${options.recipe}`.slice(0, 63);
      if (!SOLUTION_NAME.test(solutionName)) {
        throw new ConfigError([{ field: '--name', message: `"${solutionName}" is not a solution name (1–63 characters: letters, digits, "-", "_", starting with a letter or digit)` }]);
      }
      const hiddenDimension = options.hiddenDimension === undefined ? undefined : integerOption(options.hiddenDimension, '--hidden-dimension', 32, 256);
      const pollIntervalMs = integerOption(options.pollIntervalMs, '--poll-interval-ms', 1);
      const maxWaitMs = integerOption(options.maxWaitMs, '--max-wait-ms', 1);
      const region = options.region ?? parseArn(options.datasetGroupArn)?.region;
      const { createPersonalizeClient } = await import('../../personalize/personalize-clients.js');
      const { trainSolution } = await import('../../personalize/train-solution.js');
      const client = createPersonalizeClient(region, options.endpoint ? { endpoint: { personalize: options.endpoint } } : {}, context.env);

      const trained = await trainSolution(
        client,
        {
          datasetGroupArn: options.datasetGroupArn,
          recipe: options.recipe,
          solutionName,
          ...(hiddenDimension ? { hiddenDimension } : {}),
          pollIntervalMs,
          maxPollIntervalMs: Math.max(pollIntervalMs, 5 * 60_000),
          maxWaitMs,
          onStatus: (resource, status) => context.stderr.write(`${resource}: ${status}\n`),
        },
        context.logger,
      );
      const local = options.data ? await localFigures(resolve(context.cwd, options.data), options.recipe, context) : undefined;
      context.stdout.write(await renderTraining(trained, local));
    });
}

/** Our engine's figures on the same data, with the split Personalize uses for these recipes (newest 20% of each user). */
async function localFigures(dir: string, recipe: UserSegmentationRecipe, context: CliContext): Promise<Record<string, number>> {
  const { evaluateEngine } = await import('../../evaluation/evaluate-engine.js');
  const { loadDatasets } = await import('../../datasets/load-datasets.js');
  const datasets = await loadDatasets(dir);
  context.stderr.write('evaluating the local engine on the same data (split P)…\n');
  const report = await evaluateEngine(datasets.interactions, datasets.items, { splits: ['P'], recipes: [recipe === 'item-affinity' ? 'item' : 'attribute'], resamples: 200 });
  const method = report.splits[0]?.recipes[0]?.methods[0];
  if (!method) return {};
  const figures: Record<string, number> = {};
  for (const [name, value] of Object.entries(method.metrics)) if (name.endsWith('_at_1_percent')) figures[name] = value.mean;
  return figures;
}

async function renderTraining(trained: TrainedSolution, local: Record<string, number> | undefined): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const lines = [
    `solution:         ${trained.solutionArn}`,
    `solution version: ${trained.solutionVersionArn}  (use it as segment.solutionVersionArn)`,
    ...(trained.trainingHours !== undefined ? [`training hours:   ${trained.trainingHours}`] : []),
  ];
  const names = [...new Set([...Object.keys(trained.metrics), ...Object.keys(local ?? {})])].sort();
  const table = new Table({ head: local ? ['metric', 'Personalize', 'local engine (split P)'] : ['metric', 'Personalize'], style: { head: [], border: [] } });
  const format = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(4));
  for (const name of names) table.push(local ? [name, format(trained.metrics[name]), format(local[name])] : [name, format(trained.metrics[name])]);
  const note = local ? '\n(Personalize computes coverage over items; the local evaluation reports its coverage over users, so it is left out.)' : '';
  return `${lines.join('\n')}\n${table.toString()}${note}\n`;
}
