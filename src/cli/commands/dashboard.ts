/**
 * `affinity-sync dashboard`: the console (campaigns, history, runs, audience overlap) and Bull Board
 * (`/queues`) on 127.0.0.1, behind basic auth (`AFFINITY_DASHBOARD_PASSWORD`, required).
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../cli-context.js';

function tcpPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a TCP port, 0–65535');
  return port;
}

interface DashboardOptions {
  port: number;
  dir: string;
  stateDir: string;
}

export function register(program: Command, context: CliContext): void {
  program
    .command('dashboard')
    .description('serve the console and Bull Board (/queues) on localhost (basic auth; password from AFFINITY_DASHBOARD_PASSWORD)')
    .option('--port <port>', 'TCP port on 127.0.0.1', tcpPort, 3000)
    .option('--dir <dir>', 'campaign directory the console lists', 'config/campaigns')
    .option('--state-dir <dir>', 'state directory of the SQLite sync-state store (AFFINITY_STATE_URL selects PostgreSQL instead)', '.affinity-sync')
    .addHelpText(
      'after',
      [
        '',
        'User: AFFINITY_DASHBOARD_USER (default admin). To reach it from elsewhere, use an SSH tunnel; it never listens on other interfaces.',
        'Audience links: MAILCHIMP_API_KEY (to look up the audience web ids), HUBSPOT_PORTAL_ID or HUBSPOT_ACCESS_TOKEN (the portal id).',
      ].join('\n'),
    )
    .action(async (options: DashboardOptions) => {
      const { dashboardPassword } = await import('../../queue/dashboard-server.js');
      const { openConsoleDashboard } = await import('../../console/open-console-dashboard.js');
      const { shutdownOnSignals } = await import('../../queue/shutdown-on-signals.js');
      dashboardPassword(context.env); // before connecting: a missing password is the first thing to fix
      const dashboard = await openConsoleDashboard(context, options);
      context.stderr.write(`dashboard: ${dashboard.url} (Bull Board: ${dashboard.url}queues; Ctrl-C to stop)\n`);
      await shutdownOnSignals(() => dashboard.close());
    });
}
