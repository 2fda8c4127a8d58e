import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, PermanentError } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import { personalizeProvider } from '../src/personalize/personalize-provider-definition.js';
import { personalizeConfigSchema, type PersonalizeConfig } from '../src/personalize/personalize-config.js';
import { PersonalizeSegmentProvider } from '../src/personalize/personalize-segment-provider.js';
import { BatchSegmentJobRunner, SegmentJobTimeoutError } from '../src/personalize/batch-segment-job-runner.js';
import { createPersonalizeClients } from '../src/personalize/personalize-clients.js';
import { SegmentJobStore } from '../src/personalize/segment-job-store.js';
import type { ProviderContext } from '../src/segments/provider-definition.js';
import type { SegmentQuery } from '../src/segments/segment-provider.js';
import { useExampleAwsCredentials } from './helpers/example-aws-credentials.js';

const PERSONALIZE = 'https://personalize.us-east-1.amazonaws.com';
const BUCKET = 'affinity-test-bucket';
const S3 = `https://${BUCKET}.s3.us-east-1.amazonaws.com`;
const SOLUTION_VERSION = 'arn:aws:personalize:us-east-1:123456789012:solution/retail-item-affinity/4f1d2c3b';
const ROLE = 'arn:aws:iam::123456789012:role/PersonalizeS3Access';
const RUN = 'shoes-20241216T020151Z';
const fixtures = join(import.meta.dirname, 'fixtures', 'personalize');

const ITEM_A = 'b7b4e9a0-7c3e-4a1b-9f0e-3f2f1b6e0c03';
const ITEM_B = '6f1e1b0d-2b7a-4b5e-8a9d-0a6c3e2f9b11';
const ITEM_C = '0e4b2c5a-93f1-4d2e-b8a7-5c1d9e3f7a20';

let stateDir: string;

// Credentials come from the standard chain: here, the environment.
useExampleAwsCredentials();
beforeAll(() => {
  process.env.AWS_MAX_ATTEMPTS = '1';
  for (const name of ['AWS_REGION', 'AWS_SESSION_TOKEN']) delete process.env[name];
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'personalize-test-'));
});
afterEach(async () => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  await rm(stateDir, { recursive: true, force: true });
  expect(pending).toEqual([]);
});

function config(overrides: Partial<PersonalizeConfig> = {}): PersonalizeConfig {
  return personalizeConfigSchema.parse({
    provider: 'personalize',
    solutionVersionArn: SOLUTION_VERSION,
    roleArn: ROLE,
    s3: { bucket: BUCKET, prefix: 'affinity-sync' },
    pollIntervalMs: 1,
    maxPollIntervalMs: 2,
    ...overrides,
  });
}

function context(): ProviderContext {
  return {
    datasets: () => Promise.reject(new Error('the personalize provider does not read datasets')),
    env: {},
    logger: silentLogger,
    baseDir: '.',
    stateDir,
  };
}

function provider(overrides: Partial<PersonalizeConfig> = {}): PersonalizeSegmentProvider {
  return personalizeProvider.create(config(overrides), context()) as PersonalizeSegmentProvider;
}

/** Personalize answers: POST / with the JSON 1.1 target header. */
function personalize(operation: string) {
  return nock(PERSONALIZE, {
    reqheaders: { 'x-amz-target': `AmazonPersonalize.${operation}`, 'content-type': 'application/x-amz-json-1.1' },
  });
}

const jobArn = (part: number, run = RUN) => `arn:aws:personalize:us-east-1:123456789012:batch-segment-job/${run}-p${part}`;
const inputKey = (part: number, run = RUN) => `affinity-sync/${run}/input/part-${part}.json`;
const outputPrefix = (part: number, run = RUN) => `affinity-sync/${run}/output/part-${part}/`;

function describeAnswer(part: number, status: string, extra: Record<string, unknown> = {}) {
  return {
    batchSegmentJob: {
      batchSegmentJobArn: jobArn(part),
      jobName: `${RUN}-p${part}`,
      solutionVersionArn: SOLUTION_VERSION,
      numResults: 25,
      jobInput: { s3DataSource: { path: `s3://${BUCKET}/${inputKey(part)}` } },
      jobOutput: { s3DataDestination: { path: `s3://${BUCKET}/${outputPrefix(part)}` } },
      roleArn: ROLE,
      status,
      creationDateTime: Date.now() / 1000,
      lastUpdatedDateTime: Date.now() / 1000,
      ...extra,
    },
  };
}

/** ListObjectsV2 XML, as S3 sends it. */
function listXml(prefix: string, keys: string[], next?: string): string {
  const contents = keys
    .map((key) => `<Contents><Key>${key}</Key><LastModified>2024-12-16T02:40:11.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>512</Size><StorageClass>STANDARD</StorageClass></Contents>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${BUCKET}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys>${next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''}<IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${contents}</ListBucketResult>`;
}

/** Expects the upload of part `part` and returns the uploaded lines once it happened. */
function expectUpload(part: number): { lines: () => unknown[] } {
  let body = '';
  nock(S3)
    .put(`/${inputKey(part)}`, (sent: unknown) => {
      // nock hands over a body that parses as one JSON value already parsed.
      body = typeof sent === 'string' ? sent : JSON.stringify(sent);
      return true;
    })
    .query({ 'x-id': 'PutObject' })
    .reply(200, '', { ETag: '"d41d8cd98f00b204e9800998ecf8427e"' });
  return { lines: () => body.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown) };
}

function expectCreate(part: number, seen: Array<Record<string, unknown>> = []) {
  personalize('CreateBatchSegmentJob')
    .post('/', (body: Record<string, unknown>) => {
      // nock also asks this matcher about the other parts' requests: keep only our own.
      if (body.jobName !== `${RUN}-p${part}`) return false;
      seen.push(body);
      return true;
    })
    .reply(200, { batchSegmentJobArn: jobArn(part) });
  return seen;
}

function expectDescribe(part: number, ...statuses: string[]) {
  for (const status of statuses) {
    personalize('DescribeBatchSegmentJob')
      .post('/', { batchSegmentJobArn: jobArn(part) })
      .reply(200, describeAnswer(part, status), { 'x-amzn-requestid': 'c7e3a1f0-0000-4000-8000-000000000001' });
  }
}

function expectOutput(part: number, outText: string) {
  const key = `${outputPrefix(part)}part-${part}.json.out`;
  nock(S3)
    .get('/')
    .query({ 'list-type': '2', prefix: outputPrefix(part) })
    .reply(200, listXml(outputPrefix(part), [key]), { 'content-type': 'application/xml' });
  nock(S3).get(`/${key}`).query({ 'x-id': 'GetObject' }).reply(200, outText, { 'content-type': 'application/octet-stream' });
}

const fixture = (name: string) => readFile(join(fixtures, name), 'utf8');

describe('personalize provider: a batch segment job end to end on the wire', () => {
  it('turns 3 item queries into 3 segments, joined by the echoed input (usersList, nested input)', async () => {
    const upload = expectUpload(1);
    const created = expectCreate(1);
    expectDescribe(1, 'CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE');
    // The .out lines come in another order than the input: the join must not use positions.
    const out = (await fixture('item-affinity-usersList.json.out')).split('\n').filter(Boolean).reverse().join('\n');
    expectOutput(1, out);

    const queries: SegmentQuery[] = [{ itemId: ITEM_A }, { itemId: ITEM_B }, { itemId: ITEM_C }];
    const results = await provider({ filterArn: 'arn:aws:personalize:us-east-1:123456789012:filter/exclude-purchased' }).generate(queries, { numResults: 4, runId: RUN });

    expect(upload.lines()).toEqual([{ itemId: ITEM_A }, { itemId: ITEM_B }, { itemId: ITEM_C }]);
    expect(created).toEqual([
      {
        jobName: `${RUN}-p1`,
        solutionVersionArn: SOLUTION_VERSION,
        filterArn: 'arn:aws:personalize:us-east-1:123456789012:filter/exclude-purchased',
        numResults: 4,
        jobInput: { s3DataSource: { path: `s3://${BUCKET}/${inputKey(1)}` } },
        jobOutput: { s3DataDestination: { path: `s3://${BUCKET}/${outputPrefix(1)}` } },
        roleArn: ROLE,
      },
    ]);
    expect(results).toEqual([
      { input: { itemId: ITEM_A }, output: { usersList: ['4021', '117', '5630'] }, error: null },
      { input: { itemId: ITEM_B }, output: { usersList: ['61', '22', '57', '72'] }, error: null },
      { input: { itemId: ITEM_C }, output: { usersList: ['905'] }, error: null },
    ]);
    const state = JSON.parse(await readFile(join(stateDir, RUN, 'part-1.json'), 'utf8')) as Record<string, unknown>;
    expect(state).toMatchObject({ step: 'done', jobArn: jobArn(1), status: 'ACTIVE', polls: 3 });
  });

  it('splits 501 items over 2 jobs of 500 and 1 lines', async () => {
    const items = Array.from({ length: 501 }, (_, index) => `item-${String(index).padStart(3, '0')}`);
    const first = expectUpload(1);
    const second = expectUpload(2);
    const created = expectCreate(1);
    expectCreate(2, created);
    expectDescribe(1, 'ACTIVE');
    expectDescribe(2, 'ACTIVE');
    expectOutput(1, items.slice(0, 500).map((itemId, index) => JSON.stringify({ input: { itemId }, output: { usersList: [String(index + 1)] }, error: null })).join('\n'));
    expectOutput(2, JSON.stringify({ input: { itemId: items[500] }, output: { usersList: ['6000', '5999'] }, error: null }));

    const results = await provider().generate(items.map((itemId) => ({ itemId })), { numResults: 25, runId: RUN });

    expect(first.lines()).toHaveLength(500);
    expect(second.lines()).toEqual([{ itemId: 'item-500' }]);
    expect(created.map((body) => body.jobName).sort()).toEqual([`${RUN}-p1`, `${RUN}-p2`]);
    expect(results).toHaveLength(501);
    expect(results[0]).toEqual({ input: { itemId: 'item-000' }, output: { usersList: ['1'] }, error: null });
    expect(results[499]).toEqual({ input: { itemId: 'item-499' }, output: { usersList: ['500'] }, error: null });
    expect(results[500]).toEqual({ input: { itemId: 'item-500' }, output: { usersList: ['6000', '5999'] }, error: null });
  });

  it('reads the documented shape too: top-level itemAttributes and recommendedUsers', async () => {
    const upload = expectUpload(1);
    expectCreate(1);
    expectDescribe(1, 'ACTIVE');
    expectOutput(1, await fixture('item-attribute-recommendedUsers.json.out'));
    const queries = [{ itemAttributes: 'ITEMS.CATEGORY_L1 = "jewelry" AND ITEMS.GENDER = "F"' }, { itemAttributes: 'ITEMS.CATEGORY_L1 = "footwear"' }];

    const results = await provider().generate(queries, { numResults: 25, runId: RUN });

    expect(upload.lines()).toEqual(queries);
    expect(results).toEqual([
      { input: queries[0], output: { usersList: ['12', '4410'] }, error: null },
      { input: queries[1], output: { usersList: ['5', '91', '318'] }, error: null },
    ]);
  });

  it('fails a job in CREATE FAILED with its failureReason and records it', async () => {
    expectUpload(1);
    expectCreate(1);
    personalize('DescribeBatchSegmentJob').post('/').reply(200, await fixture('describe-create-failed.json'));

    const run = provider().generate([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });

    await expect(run).rejects.toThrow(PermanentError);
    await expect(run).rejects.toThrow(
      `Personalize batch segment job ${RUN}-p1 failed (CREATE FAILED): Amazon Personalize cannot access s3://${BUCKET}/${inputKey(1)}. Check the bucket policy and the role permissions.`,
    );
    const state = JSON.parse(await readFile(join(stateDir, RUN, 'part-1.json'), 'utf8')) as Record<string, unknown>;
    expect(state).toMatchObject({ step: 'failed', status: 'CREATE FAILED' });
  });

  it('fails only the segment whose output line has an error', async () => {
    expectUpload(1);
    expectCreate(1);
    expectDescribe(1, 'ACTIVE');
    expectOutput(1, await fixture('item-affinity-error-line.json.out'));

    const results = await provider().generate([{ itemId: ITEM_B }, { itemId: 'not-in-training-data' }], { numResults: 25, runId: RUN });

    expect(results).toEqual([
      { input: { itemId: ITEM_B }, output: { usersList: ['61', '22'] }, error: null },
      { input: { itemId: 'not-in-training-data' }, output: { usersList: [] }, error: 'Item not found in the training data' },
    ]);
  });

  it('reads every .out object over paged ListObjectsV2 answers and ignores other objects', async () => {
    expectUpload(1);
    expectCreate(1);
    expectDescribe(1, 'ACTIVE');
    const prefix = outputPrefix(1);
    nock(S3).get('/').query({ 'list-type': '2', prefix }).reply(200, listXml(prefix, [`${prefix}a.json.out`, `${prefix}_SUCCESS`], 'token-page-2'));
    nock(S3).get('/').query({ 'list-type': '2', prefix, 'continuation-token': 'token-page-2' }).reply(200, listXml(prefix, [`${prefix}b.json.out`]));
    nock(S3).get(`/${prefix}a.json.out`).query(true).reply(200, JSON.stringify({ input: { itemId: ITEM_A }, output: { usersList: ['1'] }, error: null }));
    nock(S3).get(`/${prefix}b.json.out`).query(true).reply(200, `${JSON.stringify({ input: { itemId: ITEM_B }, output: { usersList: ['2'] }, error: null })}\n`);

    const results = await provider().generate([{ itemId: ITEM_A }, { itemId: ITEM_B }], { numResults: 25, runId: RUN });

    expect(results.map((result) => result.output.usersList)).toEqual([['1'], ['2']]);
  });
});

describe('personalize provider: resuming', () => {
  it('resumes after a crash between create and poll, with no second CreateBatchSegmentJob', async () => {
    expectUpload(1);
    expectCreate(1);
    const first = provider();
    const [planned] = await first.plan([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });
    const uploaded = await first.runner.advance(planned!);
    const created = await first.runner.advance(uploaded.state);
    expect(created.state).toMatchObject({ step: 'created', jobArn: jobArn(1) });
    expect(created).toMatchObject({ done: false, waitMs: 1 });
    // The process dies here. A new one starts the same run: only status checks and reads follow.

    expectDescribe(1, 'CREATE IN_PROGRESS', 'ACTIVE');
    expectOutput(1, JSON.stringify({ input: { itemId: ITEM_A }, output: { usersList: ['7', '8'] }, error: null }));
    const results = await provider().generate([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });

    expect(results).toEqual([{ input: { itemId: ITEM_A }, output: { usersList: ['7', '8'] }, error: null }]);
  });

  it('takes ResourceAlreadyExistsException for its own job name as "resume", finding the ARN by ListBatchSegmentJobs', async () => {
    expectUpload(1);
    const first = provider();
    const [planned] = await first.plan([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });
    await first.runner.advance(planned!);
    // The process created the job but died before recording it: the state still says "uploaded".

    personalize('CreateBatchSegmentJob')
      .post('/')
      .reply(400, { __type: 'com.amazonaws.personalize#ResourceAlreadyExistsException', message: `Batch segment job ${RUN}-p1 already exists` });
    personalize('ListBatchSegmentJobs')
      .post('/', { solutionVersionArn: SOLUTION_VERSION, maxResults: 100 })
      .reply(200, {
        batchSegmentJobs: [
          { batchSegmentJobArn: jobArn(1, 'other-run'), jobName: 'other-run-p1', status: 'ACTIVE' },
          { batchSegmentJobArn: jobArn(1), jobName: `${RUN}-p1`, status: 'CREATE IN_PROGRESS' },
        ],
        nextToken: null,
      });
    expectDescribe(1, 'ACTIVE');
    expectOutput(1, JSON.stringify({ input: { itemId: ITEM_A }, output: { usersList: ['3'] }, error: null }));

    const results = await provider().generate([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });

    expect(results).toEqual([{ input: { itemId: ITEM_A }, output: { usersList: ['3'] }, error: null }]);
  });

  it('advances a run in rounds, as delayed re-checks of a queue would, each round from the recorded state', async () => {
    const upload = expectUpload(1);
    expectCreate(1);
    const queries = [{ itemId: ITEM_A }, { itemId: ITEM_B }];

    const first = await provider({ pollIntervalMs: 30_000, maxPollIntervalMs: 120_000 }).advanceRun(queries, { numResults: 25, runId: RUN });
    expect(first).toEqual({ done: false, waitMs: 30_000, steps: { created: 1 } });
    expect(upload.lines()).toEqual(queries);

    expectDescribe(1, 'CREATE IN_PROGRESS');
    const second = await provider({ pollIntervalMs: 30_000, maxPollIntervalMs: 120_000 }).advanceRun(queries, { numResults: 25, runId: RUN });
    expect(second).toEqual({ done: false, waitMs: 30_000, steps: { polling: 1 } });

    expectDescribe(1, 'ACTIVE');
    expectOutput(1, [ITEM_B, ITEM_A].map((itemId, index) => JSON.stringify({ input: { itemId }, output: { usersList: [String(index + 10)] }, error: null })).join('\n'));
    const third = await provider({ pollIntervalMs: 30_000, maxPollIntervalMs: 120_000 }).advanceRun(queries, { numResults: 25, runId: RUN });
    expect(third).toEqual({
      done: true,
      results: [
        { input: { itemId: ITEM_A }, output: { usersList: ['11'] }, error: null },
        { input: { itemId: ITEM_B }, output: { usersList: ['10'] }, error: null },
      ],
    });
  });

  it('refuses to reuse a run id for other queries', async () => {
    expectUpload(1);
    const first = provider();
    const [planned] = await first.plan([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });
    await first.runner.advance(planned!);

    await expect(provider().generate([{ itemId: ITEM_B }], { numResults: 25, runId: RUN })).rejects.toThrow(
      `run "${RUN}" already has Personalize job ${RUN}-p1 for other queries or settings; start the run with a new run id`,
    );
  });
});

describe('personalize provider: throttling and access', () => {
  it('waits and retries on LimitExceededException at create and on a throttled status check', async () => {
    expectUpload(1);
    personalize('CreateBatchSegmentJob')
      .post('/')
      .reply(400, { __type: 'com.amazonaws.personalize#LimitExceededException', message: 'You have reached the maximum number of 5 active batch segment jobs.' });
    expectCreate(1);
    personalize('DescribeBatchSegmentJob').post('/').reply(400, { __type: 'com.amazonaws.personalize#ThrottlingException', message: 'Rate exceeded' });
    expectDescribe(1, 'ACTIVE');
    expectOutput(1, JSON.stringify({ input: { itemId: ITEM_A }, output: { usersList: ['42'] }, error: null }));

    const results = await provider().generate([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });

    expect(results).toEqual([{ input: { itemId: ITEM_A }, output: { usersList: ['42'] }, error: null }]);
    const state = JSON.parse(await readFile(join(stateDir, RUN, 'part-1.json'), 'utf8')) as Record<string, unknown>;
    expect(state).toMatchObject({ step: 'done', limitRetries: 1 });
  });

  it('names the missing S3 permission when the upload is denied', async () => {
    nock(S3)
      .put(`/${inputKey(1)}`)
      .query(true)
      .reply(403, '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>', {
        'content-type': 'application/xml',
      });

    const run = provider().generate([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });

    await expect(run).rejects.toThrow(AuthError);
    await expect(run).rejects.toThrow(`access denied to S3 PutObject (s3://${BUCKET}/${inputKey(1)}): the AWS identity running affinity-sync needs the IAM permission "s3:PutObject"`);
  });

  it('names the permission Personalize reports as missing (iam:PassRole on the role)', async () => {
    expectUpload(1);
    personalize('CreateBatchSegmentJob')
      .post('/')
      .reply(
        400,
        {
          __type: 'com.amazonaws.personalize#AccessDeniedException',
          message: `User: arn:aws:iam::123456789012:user/marketing-ops is not authorized to perform: iam:PassRole on resource: ${ROLE}`,
        },
        { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/com.amazonaws.personalize/' },
      );

    const run = provider().generate([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });

    await expect(run).rejects.toThrow(AuthError);
    await expect(run).rejects.toThrow('needs the IAM permission "iam:PassRole" on segment.roleArn');
  });
});

describe('personalize provider: patience', () => {
  it('gives up on a job still running after maxWaitMs, leaving it resumable', async () => {
    const [planned] = await provider().plan([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });
    const createdAt = '2024-12-16T02:00:00.000Z';
    const store = new SegmentJobStore(stateDir);
    const runner = new BatchSegmentJobRunner({
      ...createPersonalizeClients(config(), {}),
      store,
      logger: silentLogger,
      pollIntervalMs: 1,
      maxPollIntervalMs: 2,
      maxWaitMs: 60 * 60 * 1000,
      now: () => new Date('2024-12-16T03:30:00.000Z'),
    });
    expectDescribe(1, 'CREATE IN_PROGRESS');

    const step = runner.advance({ ...planned!, step: 'polling', jobArn: jobArn(1), createdAt, polls: 40 });

    await expect(step).rejects.toThrow(SegmentJobTimeoutError);
    await expect(step).rejects.toThrow(`Personalize batch segment job ${RUN}-p1 is still "CREATE IN_PROGRESS" after 90 min (maxWaitMs 3600000); a run with the same run id resumes it`);
    expect(await store.load(RUN, 1)).toMatchObject({ step: 'planned' });
  });

  it('names the Personalize permission behind an AccessDeniedException without details', async () => {
    expectUpload(1);
    expectCreate(1);
    personalize('DescribeBatchSegmentJob').post('/').reply(400, { __type: 'com.amazonaws.personalize#AccessDeniedException', message: 'Access denied' });

    const run = provider().generate([{ itemId: ITEM_A }], { numResults: 25, runId: RUN });

    await expect(run).rejects.toThrow(AuthError);
    await expect(run).rejects.toThrow(
      `access denied to Personalize DescribeBatchSegmentJob (${jobArn(1)}): the AWS identity running affinity-sync needs the IAM permission "personalize:DescribeBatchSegmentJob" on ${jobArn(1)}: Access denied`,
    );
  });
});

describe('personalize provider: checks before any call', () => {
  it('rejects a solution ARN where a solution version ARN belongs, naming the field', () => {
    const bad = { ...config(), solutionVersionArn: 'arn:aws:personalize:us-east-1:123456789012:solution/retail-item-affinity' };

    const create = () => personalizeProvider.create(bad, context());

    expect(create).toThrow(ConfigError);
    expect(create).toThrow(
      'segment.solutionVersionArn: expected a solution version ARN (arn:aws:personalize:<region>:<account>:solution/<solution-name>/<version-id>), got a solution ARN',
    );
  });

  it('rejects a role ARN of another kind and a missing bucket at once', () => {
    const parsed = personalizeConfigSchema.safeParse({ provider: 'personalize', solutionVersionArn: SOLUTION_VERSION, roleArn: 'arn:aws:iam::123456789012:user/marketing', s3: {} });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['roleArn', 's3.bucket']);
  });

  it('answers an OR query with an error for that segment only, without sending it', async () => {
    const upload = expectUpload(1);
    expectCreate(1);
    expectDescribe(1, 'ACTIVE');
    expectOutput(1, JSON.stringify({ input: { itemAttributes: 'ITEMS.CATEGORY_L1 = "footwear"' }, output: { usersList: ['9'] }, error: null }));
    const queries = [{ itemAttributes: 'ITEMS.CATEGORY_L1 = "footwear"' }, { itemAttributes: 'ITEMS.CATEGORY_L1 = "books" OR ITEMS.CATEGORY_L1 = "beauty"' }];

    const results = await provider().generate(queries, { numResults: 25, runId: RUN });

    expect(upload.lines()).toEqual([queries[0]]);
    expect(results[0]).toEqual({ input: queries[0], output: { usersList: ['9'] }, error: null });
    expect(results[1]).toMatchObject({ input: queries[1], output: { usersList: [] } });
    expect(results[1]?.error).toContain('only AND between terms, not OR');
  });

  it('refuses to mix itemId and itemAttributes queries in one run', async () => {
    await expect(provider().generate([{ itemId: ITEM_A }, { itemAttributes: 'ITEMS.GENDER = "F"' }], { numResults: 25, runId: RUN })).rejects.toThrow(
      'a personalize run cannot mix itemId and itemAttributes queries',
    );
  });
});
