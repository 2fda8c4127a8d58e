/**
 * A project for the console's browser tests: the bundled campaigns (and one that writes to the
 * Mailchimp and HubSpot stand-ins) run a few times in-process and once through the queue (an
 * enqueued dry run), then the dashboard on a free port of 127.0.0.1.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openConsoleDashboard } from '../../src/console/open-console-dashboard.js';
import { silentLogger } from '../../src/core/logger.js';
import { CampaignQueue } from '../../src/queue/campaign-queue.js';
import { startCampaignWorker } from '../../src/queue/campaign-worker.js';
import { createDefaultPipeline } from '../../src/queue/default-pipeline.js';
import { FakeMailchimp, serveFakeMailchimp, type FakeMailchimpServer } from '../../connectors/mailchimp/fake-mailchimp.js';
import { startFakeHubSpot, type FakeHubSpot } from '../../connectors/hubspot/testing/fake-hubspot-server.js';
import { openStateStore } from '../../src/state/open-state-store.js';
import { deletePrefix, uniqueQueueSettings, waitForJobEnd } from '../helpers/queue-redis.js';
import { runCli } from '../helpers/run-cli.js';

export const repo = resolve(import.meta.dirname, '../..');
export const PASSWORD = 'console browser test password';
const MAILCHIMP_KEY = '0123456789abcdef0123456789abcdef-us21';
const HUBSPOT_TOKEN = 'pat-na1-console-test';

/** What a campaign run reported (the parts the tests compare with the pages). */
export interface RunReportJson {
  campaign: string;
  runId: string;
  segments: Array<{ label: string; usersInSegment: number; matched: number; members: number }>;
  destinations: Array<{ connector: string; segments: Array<{ sync?: { audience: { id: string; name: string; location?: string }; outcomes: { added: number } } }> }>;
}

export interface ConsoleProject {
  cwd: string;
  url: string;
  /** Reports of the in-process runs, oldest first. */
  reports: RunReportJson[];
  mailchimp: FakeMailchimp;
  hubspot: FakeHubSpot;
  close(): Promise<void>;
}

const CRM_CAMPAIGN = (mailchimpBaseUrl: string, hubspotBasePath: string) => `name: crm-launch
type: new-items
description: The new footwear, to the CRM tools.
data: ${join(repo, 'data/retail-demo-store')}
queries:
  - ITEMS.CATEGORY_L1 = "footwear"
segment:
  provider: local
  numResults: 40
destinations:
  - connector: mailchimp
    audienceId: a1b2c3d4e5
    tag: "affinity {{campaign}} {{label}}"
    newMembers: transactional
    baseUrl: ${mailchimpBaseUrl}
  - connector: hubspot
    list: "affinity {{campaign}} {{label}}"
    createContacts: true
    basePath: ${hubspotBasePath}
`;

/**
 * Copies a bundled campaign with its data path made absolute and `numResults` set, plus an alert
 * that fires on the bundled data (it ends 2024-12-16).
 */
async function copyCampaign(name: string, to: string, numResults: number): Promise<void> {
  const text = await readFile(join(repo, 'config/campaigns', name), 'utf8');
  await writeFile(
    join(to, name),
    `${text.replace(/^data: .*$/m, `data: ${join(repo, 'data/retail-demo-store')}`).replace(/^( {2}numResults:) \d+/m, `$1 ${numResults}`)}\nalerts:\n  staleDataDays: 30\n`,
  );
}


const timings: string[] = [];
let lap = Date.now();
function timed(step: string): void {
  timings.push(`${step} ${Date.now() - lap} ms`);
  lap = Date.now();
  if (process.env.CONSOLE_TEST_TIMINGS) process.stderr.write(`${timings.at(-1)}\n`);
}

export async function setUpConsoleProject(): Promise<ConsoleProject> {
  const cwd = await mkdtemp(join(tmpdir(), 'console-browser-'));
  const campaigns = join(cwd, 'campaigns');
  await mkdir(campaigns);
  for (const file of ['inventory.csv', 'new-items.csv']) await copyFile(join(repo, 'config/campaigns', file), join(campaigns, file));
  const mailchimp = new FakeMailchimp();
  const mailchimpServer: FakeMailchimpServer = await serveFakeMailchimp(mailchimp);
  const hubspot = await startFakeHubSpot({ accessToken: HUBSPOT_TOKEN });
  await writeFile(join(campaigns, 'crm-launch.yaml'), CRM_CAMPAIGN(mailchimpServer.baseUrl, hubspot.basePath));
  const settings = uniqueQueueSettings();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'silent',
    REDIS_URL: settings.redisUrl,
    AFFINITY_QUEUE_PREFIX: settings.prefix,
    AFFINITY_DASHBOARD_PASSWORD: PASSWORD,
    MAILCHIMP_API_KEY: MAILCHIMP_KEY,
    HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
  };
  delete env.AFFINITY_STATE_URL; // the SQLite store in <cwd>/.affinity-sync

  // Two in-process runs of every campaign, the second with smaller segments, then a dry run.
  const reports: RunReportJson[] = [];
  const files = ['campaigns/excess-inventory.yaml', 'campaigns/new-items.yaml', 'campaigns/crm-launch.yaml'];
  for (const [round, sizes] of [[200, 500], [150, 400]].entries()) {
    await copyCampaign('excess-inventory.yaml', campaigns, sizes[0]!);
    await copyCampaign('new-items.yaml', campaigns, sizes[1]!);
    const result = await runCli(['run', '--json', ...files], { cwd, env });
    if (result.code !== 0) throw new Error(`run ${round + 1} exited ${result.code}: ${result.stderr}`);
    reports.push(...(JSON.parse(result.stdout) as RunReportJson[]));
    timed(`run ${round + 1}`);
  }

  // One enqueued dry run through a worker.
  const queue = await CampaignQueue.open(settings);
  const state = await openStateStore({ env, stateDir: join(cwd, '.affinity-sync') });
  const worker = await startCampaignWorker({ settings, pipeline: createDefaultPipeline(), env, logger: silentLogger, stateDir: join(cwd, '.affinity-sync'), state, cwd, concurrency: 2 });
  try {
    const { jobId } = await queue.enqueue({ campaign: 'winter-clearance', campaignFile: 'campaigns/excess-inventory.yaml', dryRun: true });
    const { state, job } = await waitForJobEnd(queue.queue, jobId, 60_000);
    if (state !== 'completed') throw new Error(`the enqueued dry run ended ${state}: ${job.failedReason}`);
  } finally {
    await worker.close();
    await state.close();
  }

  timed('enqueued dry run');
  // The dashboard command's own opening (the CLI action only adds waiting for a signal).
  const dashboard = await openConsoleDashboard({ env, cwd, stderr: process.stderr, logger: silentLogger }, { port: 0, dir: 'campaigns', stateDir: '.affinity-sync' });
  timed('dashboard');
  return {
    cwd,
    url: dashboard.url,
    reports,
    mailchimp,
    hubspot,
    close: async () => {
      await dashboard.close();
      await queue.close();
      await deletePrefix(settings.prefix);
      await mailchimpServer.close();
      await hubspot.close();
      if (!process.env.CONSOLE_TEST_KEEP) await rm(cwd, { recursive: true, force: true });
    },
  };
}
