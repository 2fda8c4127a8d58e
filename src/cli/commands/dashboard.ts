/**
 * `affinity-sync dashboard`: Bull Board for this queue on 127.0.0.1, behind basic auth
 * (`AFFINITY_DASHBOARD_PASSWORD`, required).
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
}

export function register(program: Command, context: CliContext): void {
  program
    .command('dashboard')
    .description('serve Bull Board for the campaign queue on localhost (basic auth; password from AFFINITY_DASHBOARD_PASSWORD)')
    .option('--port <port>', 'TCP port on 127.0.0.1', tcpPort, 3000)
    .addHelpText('after', '\nUser: AFFINITY_DASHBOARD_USER (default admin). To reach it from elsewhere, use an SSH tunnel; it never listens on other interfaces.')
    .action(async (options: DashboardOptions) => {
      const { dashboardPassword, startDashboard } = await import('../../queue/dashboard-server.js');
      const { openCliQueue } = await import('../../queue/open-cli-queue.js');
      const { shutdownOnSignals } = await import('../../queue/shutdown-on-signals.js');
      dashboardPassword(context.env); // before connecting: a missing password is the first thing to fix
      const campaignQueue = await openCliQueue(context);
      try {
        const dashboard = await startDashboard({ campaignQueue, env: context.env, port: options.port });
        context.stderr.write(`dashboard: ${dashboard.url} (Ctrl-C to stop)\n`);
        await shutdownOnSignals(() => dashboard.close());
      } finally {
        await campaignQueue.close();
      }
    });
}
