/**
 * `dashboard`: the read-only console (`/`, see src/console/) and Bull Board for this deployment's
 * queue (`/queues`), on localhost, behind HTTP basic auth with a password from the environment
 * (`AFFINITY_DASHBOARD_PASSWORD`; user `AFFINITY_DASHBOARD_USER`, default `admin`). Bull Board can
 * retry, promote and remove jobs, so it is never served open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { consoleRouter, type ConsoleOptions } from '../console/console-router.js';
import { queuedRunsByCampaign } from '../console/queued-runs.js';
import { ConfigError } from '../core/errors.js';
import type { CampaignQueue } from './campaign-queue.js';

type BoardServerAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];

export interface DashboardOptions {
  campaignQueue: CampaignQueue;
  env: NodeJS.ProcessEnv;
  /** Interface to listen on. @defaultValue `127.0.0.1` */
  host?: string;
  /** TCP port; 0 picks a free one. @defaultValue 3000 */
  port?: number;
  /** The console under `/`; without it `/` redirects to Bull Board. */
  console?: Omit<ConsoleOptions, 'queuedRuns'>;
}

/** Where Bull Board is served. */
export const QUEUES_PATH = '/queues';

export interface Dashboard {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  close(): Promise<void>;
}

/** Shortest password accepted. */
export const MIN_DASHBOARD_PASSWORD_LENGTH = 12;

/**
 * The dashboard password from the environment.
 * @throws ConfigError when `AFFINITY_DASHBOARD_PASSWORD` is missing or shorter than 12 characters.
 */
export function dashboardPassword(env: NodeJS.ProcessEnv): string {
  const password = env.AFFINITY_DASHBOARD_PASSWORD ?? '';
  if (password.length < MIN_DASHBOARD_PASSWORD_LENGTH) {
    throw new ConfigError([
      {
        field: 'AFFINITY_DASHBOARD_PASSWORD',
        message: `set this environment variable to a password of at least ${MIN_DASHBOARD_PASSWORD_LENGTH} characters; the dashboard does not start without one`,
      },
    ]);
  }
  return password;
}

/**
 * Serves the dashboard.
 * @throws ConfigError when the password is missing (see {@link dashboardPassword}).
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const password = dashboardPassword(options.env);
  const user = options.env.AFFINITY_DASHBOARD_USER || 'admin';

  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  // @bull-board/express pins its own patch release of @bull-board/api: same shape, distinct types.
  createBullBoard({ queues: [new BullMQAdapter(options.campaignQueue.queue)], serverAdapter: serverAdapter as unknown as BoardServerAdapter });

  const app = express();
  app.disable('x-powered-by');
  app.use(basicAuth(user, password));
  app.use(QUEUES_PATH, serverAdapter.getRouter() as express.Router);
  if (options.console) app.use(consoleRouter({ ...options.console, queuedRuns: () => queuedRunsByCampaign(options.campaignQueue) }));
  else app.get('/', (_request, response) => response.redirect(QUEUES_PATH));

  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port ?? 3000, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** HTTP basic auth (RFC 7617), compared in constant time. */
function basicAuth(user: string, password: string): (request: Request, response: Response, next: NextFunction) => void {
  const expected = digest(`${user}:${password}`);
  return (request, response, next) => {
    const header = request.headers.authorization ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    const given = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    if (match && timingSafeEqual(digest(given), expected)) {
      next();
      return;
    }
    response.set('WWW-Authenticate', 'Basic realm="affinity-sync", charset="UTF-8"').status(401).send('authentication required');
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
