/**
 * Local stand-ins for every remote service of the workshop (docs/workshop.md): a Mailchimp audience
 * and a HubSpot portal that already hold the first N shoppers of the dataset as subscribers /
 * contacts, and Amazon Personalize + S3 whose segments rank users by how often they interacted
 * with the query's items. `test/workshop.test.ts` starts them in-process; a reader without
 * sandbox accounts runs them in a second terminal:
 *
 *   node --import tsx test/helpers/workshop-fakes.ts [--data data/retail-demo-store] [--subscribers 3000]
 *
 * and pastes the `export …` lines it prints. Nothing here is a secret: the key and token are fakes.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FakeMailchimp, serveFakeMailchimp } from '../../connectors/mailchimp/fake-mailchimp.js';
import { startFakeHubSpot } from '../../connectors/hubspot/testing/fake-hubspot-server.js';
import type { Datasets } from '../../src/datasets/datasets.js';
import { loadDatasets } from '../../src/datasets/load-datasets.js';
import { datasetSegmenter, startFakePersonalize } from './fake-personalize.js';

/** Options of {@link startWorkshopFakes}. */
export interface WorkshopFakesOptions {
  /** The datasets the workshop uses (already loaded), or their directory. */
  datasets: Datasets | string;
  /** USER_IDs 1…N (by USER_ID order in the users file) are audience members / contacts. @defaultValue 3000 */
  subscribers?: number;
  /** Time a fake batch segment job or training takes, in milliseconds. @defaultValue 200 */
  jobDurationMs?: number;
}

/** Running fakes: the environment that points affinity-sync at them, and how to stop them. */
export interface WorkshopFakes {
  /** `MAILCHIMP_*`, `HUBSPOT_*`, `AWS_*` variables for the workshop's commands. */
  env: Record<string, string>;
  mailchimp: FakeMailchimp;
  close(): Promise<void>;
}

/** A fake Mailchimp key: 32 hex digits and a data-centre suffix, as the real ones. */
const MAILCHIMP_KEY = '0123456789abcdef0123456789abcdef-us21';
const HUBSPOT_TOKEN = 'pat-na1-00000000-0000-0000-0000-000000000000';

/** Starts the three fakes on free ports of 127.0.0.1. */
export async function startWorkshopFakes(options: WorkshopFakesOptions): Promise<WorkshopFakes> {
  const datasets = typeof options.datasets === 'string' ? await loadDatasets(options.datasets) : options.datasets;
  const subscribers = options.subscribers ?? 3000;
  const emails = [...datasets.users.byId.values()]
    .slice(0, subscribers)
    .map((user) => user.email.trim().toLowerCase())
    .filter((email) => email !== '');

  const mailchimp = new FakeMailchimp();
  for (const email of emails) mailchimp.members.set(email, 'subscribed');
  const mailchimpServer = await serveFakeMailchimp(mailchimp);
  const hubspot = await startFakeHubSpot({ accessToken: HUBSPOT_TOKEN, requestsPerWindow: 1000 });
  hubspot.addContacts([...new Set(emails)].map((email) => ({ email })));
  const jobDurationMs = options.jobDurationMs ?? 200;
  const personalize = await startFakePersonalize({
    jobDurationMs,
    trainingDurationMs: jobDurationMs,
    segmenter: await datasetSegmenter(datasets),
  });

  return {
    env: {
      MAILCHIMP_API_KEY: MAILCHIMP_KEY,
      MAILCHIMP_BASE_URL: mailchimpServer.baseUrl,
      MAILCHIMP_AUDIENCE_ID: mailchimp.listId,
      HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
      HUBSPOT_BASE_PATH: hubspot.basePath,
      AWS_ENDPOINT_URL: personalize.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_EC2_METADATA_DISABLED: 'true',
      // What the AWS setup of the workshop's step 7 produces; the fake accepts any.
      DATASET_GROUP_ARN: 'arn:aws:personalize:us-east-1:123456789012:dataset-group/workshop-retail',
      PERSONALIZE_ROLE_ARN: 'arn:aws:iam::123456789012:role/PersonalizeS3Access',
      S3_BUCKET: 'affinity-workshop',
    },
    mailchimp,
    close: async () => {
      await Promise.all([mailchimpServer.close(), hubspot.close(), personalize.close()]);
    },
  };
}

// Run on its own: prints the `export` lines, then serves until Ctrl-C.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: { data: { type: 'string', default: 'data/retail-demo-store' }, subscribers: { type: 'string', default: '3000' }, 'job-ms': { type: 'string', default: '3000' } },
  });
  const fakes = await startWorkshopFakes({ datasets: resolve(values.data), subscribers: Number(values.subscribers), jobDurationMs: Number(values['job-ms']) });
  process.stdout.write(`# Local stand-ins for Mailchimp, HubSpot and Personalize + S3 are running; paste these lines into the workshop's terminal:\n`);
  for (const [name, value] of Object.entries(fakes.env)) process.stdout.write(`export ${name}=${value}\n`);
  const stop = () => void fakes.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
