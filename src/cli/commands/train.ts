/**
 * `affinity-sync train --data DIR --model FILE`: trains the local engine on a dataset and saves
 * the model (format version, data fingerprint, hyperparameters, checksum) for `run` to reuse.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { tuneRp3beta } from '../../evaluation/tune-on-validation.js';
import type { CliContext } from '../cli-context.js';

interface TrainOptions {
  data: string;
  model: string;
  tune?: boolean;
  json?: boolean;
}

export function register(program: Command, context: CliContext): void {
  program
    .command('train')
    .description('train the local engine on a dataset and save the model, so campaign runs reuse it')
    .requiredOption('--data <dir>', 'dataset directory (interactions, items CSV); required: there is no default dataset')
    .requiredOption('--model <file>', 'where to save the model (campaigns point to it with `segment.model`)')
    .option('--tune', 'choose the hyperparameters on a validation split of the data (slower) instead of the defaults')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nA campaign run reuses the model while the interactions are the ones it was trained on, and retrains\nin memory otherwise. A damaged or foreign file is refused with an error.\n\nExample:\n  $ affinity-sync train --data data/retail-demo-store --model models/retail.model',
    )
    .action(async (options: TrainOptions) => {
      const started = Date.now();
      const { loadDatasets } = await import('../../datasets/load-datasets.js');
      const { trainLocalModel } = await import('../../engine/local-model.js');
      const { saveModelFile } = await import('../../engine/model-file.js');
      const datasets = await loadDatasets(resolve(context.cwd, options.data));
      let tuned: Awaited<ReturnType<typeof tuneRp3beta>> | undefined;
      if (options.tune) {
        const { buildUserItemMatrix } = await import('../../engine/user-item-matrix.js');
        const { tuneRp3beta } = await import('../../evaluation/tune-on-validation.js');
        tuned = await tuneRp3beta(buildUserItemMatrix(datasets.interactions), datasets.items, datasets.interactions.itemIds);
      }
      const { matrix, saved } = await trainLocalModel(
        datasets.interactions,
        tuned ? { params: tuned.params, attributePriorWeight: tuned.attributePriorWeight } : {},
      );
      const file = resolve(context.cwd, options.model);
      await saveModelFile(file, saved);
      const summary = {
        model: file,
        bytes: (await stat(file)).size,
        users: matrix.numUsers,
        items: matrix.numItems,
        pairs: matrix.items.length,
        recipe: saved.model.kind,
        params: saved.model.params,
        attributePriorWeight: saved.engine.attributePriorWeight,
        ...(tuned ? { validationNdcgAt25: tuned.validationNdcgAt25 } : {}),
        fingerprint: saved.fingerprint,
        seconds: (Date.now() - started) / 1000,
      };
      context.stdout.write(
        options.json
          ? `${JSON.stringify(summary, null, 2)}\n`
          : `Trained ${summary.recipe} on ${summary.users} users × ${summary.items} items (${summary.pairs} distinct pairs) in ${summary.seconds.toFixed(1)} s\n` +
              `  hyperparameters: ${Object.entries(summary.params).map(([k, v]) => `${k}=${v}`).join(', ')}, attributePriorWeight=${summary.attributePriorWeight}\n` +
              `  saved ${file} (${(summary.bytes / 2 ** 20).toFixed(1)} MB, data fingerprint ${summary.fingerprint.slice(0, 12)})\n`,
      );
    });
}
