/**
 * Opens everything `affinity-sync dashboard` serves: the campaign directory's link context, the
 * sync-state store, the queue, then the console and Bull Board on 127.0.0.1. `close` stops the
 * server and closes what was opened.
 */
import { resolve } from 'node:path';
import { startDashboard, type Dashboard } from '../queue/dashboard-server.js';
import { openCliQueue } from '../queue/open-cli-queue.js';
import type { CliContext } from '../cli/cli-context.js';
import { openStateStore } from '../state/open-state-store.js';
import { readCampaignCatalog } from './campaign-catalog.js';
import { readLinkContext } from './link-context.js';
import { storeConsoleSource } from './store-console-source.js';

export interface ConsoleDashboardOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Campaign directory, relative to the context's `cwd`. */
  dir: string;
  /** State directory of the SQLite store, relative to `cwd` (unless `AFFINITY_STATE_URL` is set). */
  stateDir: string;
}

/**
 * @throws ConfigError for a missing password or an unreadable campaign directory; the
 *   store's and the queue's errors when they cannot be reached.
 */
export async function openConsoleDashboard(context: Pick<CliContext, 'env' | 'cwd' | 'stderr' | 'logger'>, options: ConsoleDashboardOptions): Promise<Dashboard> {
  const catalog = await readCampaignCatalog(options.dir, context.cwd);
  const campaigns = catalog.flatMap((entry) => ('loaded' in entry ? [entry.loaded] : []));
  const { links, problems } = await readLinkContext(context.env, campaigns, context.cwd);
  for (const problem of problems) context.stderr.write(`dashboard: no audience links: ${problem}\n`);
  const store = await openStateStore({ env: context.env, stateDir: resolve(context.cwd, options.stateDir) });
  const opened: Array<() => Promise<void>> = [() => store.close()];
  const closeAll = async () => {
    for (const close of opened.reverse()) await close();
  };
  try {
    const campaignQueue = await openCliQueue(context);
    opened.push(() => campaignQueue.close());
    const dashboard = await startDashboard({
      campaignQueue,
      env: context.env,
      port: options.port,
      console: { source: storeConsoleSource(store), campaignDir: options.dir, cwd: context.cwd, links },
    });
    opened.push(() => dashboard.close());
    return { url: dashboard.url, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
