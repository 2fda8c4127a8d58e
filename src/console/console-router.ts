/**
 * The console's routes (read-only, server-rendered): `/` campaigns, `/campaigns/:name` history,
 * `/runs/:id` a run, `/overlap` audience overlap, and the assets: Chart.js from `node_modules`
 * (no CDN), the stylesheet and the chart script. Pages send a strict Content-Security-Policy:
 * scripts and styles only from this server.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { isUserFacing } from '../core/errors.js';
import type { LinkContext } from './audience-links.js';
import { audienceOverlap } from './audience-overlap.js';
import { campaignAudiences } from './campaign-audiences.js';
import { readCampaignCatalog } from './campaign-catalog.js';
import { CONSOLE_CSS, CONSOLE_SCRIPT } from './console-assets.js';
import type { ConsoleSource } from './console-source.js';
import { fileAudienceHashes } from './file-audience-hashes.js';
import { html } from './html.js';
import { page } from './layout.js';
import { campaignPage } from './pages/campaign-page.js';
import { campaignsPage, type QueuedRuns } from './pages/campaigns-page.js';
import { overlapPage } from './pages/overlap-page.js';
import { runPage } from './pages/run-page.js';

export interface ConsoleOptions {
  source: ConsoleSource;
  /** Campaign directory, as given (relative to `cwd`). */
  campaignDir: string;
  cwd: string;
  /** Looked up once when the console starts (see `readLinkContext`). */
  links: LinkContext;
  /** Runs in the queue now, per campaign. */
  queuedRuns?: () => Promise<ReadonlyMap<string, QueuedRuns>>;
  now?: () => Date;
}

/** Runs read for the campaigns page and each campaign's history. */
const RUNS_LIMIT = 500;

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function chartJsPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

type Handler = (request: Request, response: Response) => Promise<void>;

export function consoleRouter(options: ConsoleOptions): express.Router {
  const router = express.Router();
  const now = options.now ?? (() => new Date());
  const send = (response: Response, status: number, body: string) => {
    response.status(status).set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' }).send(body);
  };
  const notFound = (response: Response, what: string) =>
    send(response, 404, page({ title: 'Not found', body: html`<h1>Not found</h1><p>${what}</p><p><a href="/">All campaigns</a></p>` }));
  const route = (handler: Handler) => (request: Request, response: Response, next: NextFunction) => {
    handler(request, response).catch((error: unknown) => {
      if (isUserFacing(error)) {
        send(response, 500, page({ title: 'Problem', body: html`<h1>The console cannot show this page</h1><p>${error.message}</p>` }));
        return;
      }
      next(error);
    });
  };

  router.get('/assets/chart.umd.min.js', (_request, response) => response.type('application/javascript').sendFile(chartJsPath(), { maxAge: '1h' }));
  router.get('/assets/console.js', (_request, response) => response.type('application/javascript').send(CONSOLE_SCRIPT));
  router.get('/favicon.ico', (_request, response) => response.status(204).end());
  router.get('/assets/console.css', (_request, response) => response.type('text/css').send(CONSOLE_CSS));

  router.get(
    '/',
    route(async (_request, response) => {
      const [catalog, runs, audiences] = await Promise.all([
        readCampaignCatalog(options.campaignDir, options.cwd),
        options.source.listRuns({ limit: RUNS_LIMIT }),
        options.source.listAudiences(),
      ]);
      let queue: ReadonlyMap<string, QueuedRuns> | undefined;
      let queueProblem: string | undefined;
      try {
        queue = await options.queuedRuns?.();
      } catch (error) {
        queueProblem = error instanceof Error ? error.message : String(error);
      }
      send(response, 200, campaignsPage({ dir: options.campaignDir, catalog, runs, audiences, queue, queueProblem, links: options.links, now: now() }));
    }),
  );

  router.get(
    '/campaigns/:name',
    route(async (request, response) => {
      const name = String(request.params.name);
      const [catalog, runs, audiences] = await Promise.all([
        readCampaignCatalog(options.campaignDir, options.cwd),
        options.source.listRuns({ campaign: name, limit: RUNS_LIMIT }),
        options.source.listAudiences(name),
      ]);
      const entry = catalog.find((candidate) => 'loaded' in candidate && candidate.loaded.campaign.name === name);
      const loaded = entry && 'loaded' in entry ? entry.loaded : undefined;
      if (!loaded && runs.length === 0) return notFound(response, `No campaign named “${name}” in ${options.campaignDir}, and no run of one.`);
      send(response, 200, campaignPage({ campaign: name, loaded, runs, audiences, links: options.links, now: now() }));
    }),
  );

  router.get(
    '/runs/:id',
    route(async (request, response) => {
      const run = await options.source.getRun(String(request.params.id));
      if (!run) return notFound(response, `No run with the id “${String(request.params.id)}”.`);
      const [catalog, runs] = await Promise.all([readCampaignCatalog(options.campaignDir, options.cwd), options.source.listRuns({ campaign: run.campaign, limit: RUNS_LIMIT })]);
      const previous = runs.find((other) => other.startedAt < run.startedAt && !other.dryRun && other.report);
      const entry = catalog.find((candidate) => 'loaded' in candidate && candidate.loaded.campaign.name === run.campaign);
      send(response, 200, runPage({ run, previous, loaded: entry && 'loaded' in entry ? entry.loaded : undefined, links: options.links, now: now() }));
    }),
  );

  router.get(
    '/overlap',
    route(async (request, response) => {
      const campaign = typeof request.query.campaign === 'string' && request.query.campaign !== '' ? request.query.campaign : undefined;
      const [catalog, runs, stored] = await Promise.all([
        readCampaignCatalog(options.campaignDir, options.cwd),
        options.source.listRuns({ limit: RUNS_LIMIT }),
        options.source.listAudiences(),
      ]);
      // Every campaign's audiences: the store's, or those its last run synced (see campaignAudiences).
      const names = [...new Set([...catalog.flatMap((entry) => ('loaded' in entry ? [entry.loaded.campaign.name] : [])), ...stored.map((audience) => audience.campaign)])];
      const all = names
        .flatMap((name) => {
          const entry = catalog.find((candidate) => 'loaded' in candidate && candidate.loaded.campaign.name === name);
          const lastSynced = runs.find((run) => run.campaign === name && !run.dryRun && run.report);
          return campaignAudiences(name, stored, lastSynced, entry && 'loaded' in entry ? entry.loaded : undefined);
        })
        .filter((audience) => audience.status === 'active');
      if (campaign !== undefined && !names.includes(campaign)) return notFound(response, `No campaign named “${campaign}” in ${options.campaignDir}, and no audience of one.`);
      const shown = all.filter((audience) => campaign === undefined || audience.campaign === campaign);
      const storedKeys = new Set(stored.map((audience) => audience.key));
      const hashes = new Map(await options.source.memberHashes(shown.filter((audience) => storedKeys.has(audience.key)).map((audience) => audience.key)));
      // A file audience is rewritten whole each run, so the store keeps no snapshot of it: the file is its truth.
      for (const audience of shown) {
        if (audience.connector === 'file' && (hashes.get(audience.key)?.length ?? 0) === 0) hashes.set(audience.key, await fileAudienceHashes(audience.externalId));
      }
      const withMembers = shown.filter((audience) => (hashes.get(audience.key)?.length ?? 0) > 0);
      const matrix = audienceOverlap(
        withMembers.map((audience) => ({
          key: audience.key,
          // One campaign often syncs one segment to several destinations under the same name.
          label: withMembers.filter((other) => other.name === audience.name).length > 1 ? `${audience.name} (${audience.connector})` : audience.name,
          campaign: audience.campaign,
          memberHashes: hashes.get(audience.key) ?? [],
        })),
      );
      const campaigns = [...new Set(all.map((audience) => audience.campaign))].sort();
      send(response, 200, overlapPage({ matrix, campaigns, campaign, now: now() }));
    }),
  );

  return router;
}
