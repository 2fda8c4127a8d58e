/**
 * The campaign queue for a CLI command: settings from the environment, warnings to stderr.
 */
import type { CliContext } from '../cli/cli-context.js';
import { CampaignQueue } from './campaign-queue.js';
import { readQueueSettings } from './queue-settings.js';

/**
 * Opens the queue of `REDIS_URL` / `AFFINITY_QUEUE_PREFIX`.
 * @throws ConfigError for a malformed setting; TransientError when Redis is unreachable.
 */
export function openCliQueue(context: Pick<CliContext, 'env' | 'stderr' | 'logger'>): Promise<CampaignQueue> {
  return CampaignQueue.open(readQueueSettings(context.env), {
    onWarning: (message) => context.stderr.write(`warning: ${message}\n`),
    logger: context.logger,
  });
}
