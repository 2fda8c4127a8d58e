/**
 * `affinity-sync explain --campaign FILE --user USER_ID [--segment LABEL]`: why a user ranks where
 * they do in each segment of a campaign — their rank, and the past items that make up their score.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { CliContext } from '../cli-context.js';

export function register(program: Command, context: CliContext): void {
  program
    .command('explain')
    .description("why a user is (or is not) in a campaign's segments: their rank and the past items that make up their score")
    .requiredOption('--campaign <file>', 'campaign file (YAML or JSON)')
    .requiredOption('--user <id>', 'USER_ID to explain')
    .option('--segment <label>', "only this segment: its label (an item's name, a category value) or its query")
    .option('--data <dir>', "dataset directory; overrides the campaign's `data`")
    .option('--top <n>', 'contributing items listed per segment', '5')
    .option('--json', 'print the explanation as JSON')
    .option('--state-dir <dir>', 'SQLite state store read for frequency caps and exclusivity (ignored when AFFINITY_STATE_URL points to PostgreSQL)', '.affinity-sync')
    .addHelpText(
      'after',
      '\nThe local engine scores a user by summing what each of their past items adds (its RP3beta weight towards\nthe query\'s items); "share" is that item\'s part of the score. The campaign\'s controls are applied as a run\napplies them: a suppressed user, a holdout control user, or one left out by the frequency cap or\nexclusivity (read from the state store when it exists) is said to be so, and is not synced. Campaigns with provider personalize\nare explained with the local engine on the same data.\n\nExample:\n  $ affinity-sync explain --campaign config/campaigns/new-items.yaml --user 2 --segment footwear\n\nExit codes: 0 done, 2 bad input (campaign file, unknown USER_ID or segment).',
    )
    .action(async (raw: Record<string, unknown>) => {
      const { z } = await import('zod');
      const explainOptionsSchema = z.object({
        campaign: z.string().min(1),
        user: z.string().trim().min(1, 'expected a USER_ID'),
        segment: z.string().min(1).optional(),
        data: z.string().min(1).optional(),
        top: z.coerce.number().int('expected a whole number').min(1, 'expected at least 1').max(1000, 'expected at most 1000'),
        json: z.boolean().optional(),
        stateDir: z.string().min(1),
      });
      const parsed = explainOptionsSchema.safeParse(raw);
      if (!parsed.success) {
        throw new ConfigError(parsed.error.issues.map((issue) => ({ field: `--${issue.path.join('.')}`, message: issue.message })));
      }
      const options = parsed.data;
      const { explainCampaignUser } = await import('../../explain/explain-campaign-user.js');
      const { renderExplanation } = await import('../../explain/render-explanation.js');
      const explanation = await explainCampaignUser({
        campaignFile: options.campaign,
        userId: options.user,
        cwd: context.cwd,
        topItems: options.top,
        logger: context.logger,
        env: context.env,
        stateDir: options.stateDir,
        ...(options.segment !== undefined ? { segment: options.segment } : {}),
        ...(options.data !== undefined ? { dataDir: options.data } : {}),
      });
      context.stdout.write(options.json ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation));
    });
}
