/**
 * A tiny local stand-in for Amazon Personalize and S3, enough for affinity-sync's personalize
 * provider and `personalize train`: the JSON 1.1 targets CreateBatchSegmentJob,
 * DescribeBatchSegmentJob, ListBatchSegmentJobs, CreateSolution, DescribeSolution,
 * CreateSolutionVersion, DescribeSolutionVersion, GetSolutionMetrics; S3 path-style PutObject,
 * GetObject and ListObjectsV2. Wire formats as in `../shared/reference/personalize.md` §3–4.
 * Signatures are not checked.
 *
 * A batch segment job is `CREATE PENDING`, then `CREATE IN_PROGRESS`, then after `jobDurationMs`
 * it writes `<output path><input file name>.out` and turns `ACTIVE` (or `CREATE FAILED` when its
 * input file is missing).
 *
 * Run it on its own to try `affinity-sync run` against it:
 *   node --import tsx test/helpers/fake-personalize.ts --port 4566 --data data/retail-demo-store
 *   AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake affinity-sync run …
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Datasets } from '../../src/datasets/datasets.js';
import type { SegmentQuery } from '../../src/segments/segment-provider.js';

/** Users of one query, or why there are none. */
export type FakeSegment = { usersList: string[] } | { error: string };
/** Makes the segment of one input line. */
export type FakeSegmenter = (query: SegmentQuery, numResults: number) => FakeSegment;

export interface FakePersonalizeOptions {
  /** @defaultValue 0 (any free port) */
  port?: number;
  /** @defaultValue `127.0.0.1` */
  host?: string;
  /** Time from CreateBatchSegmentJob to `ACTIVE`, in milliseconds. @defaultValue 300 */
  jobDurationMs?: number;
  /** Time a solution or solution version takes to become `ACTIVE`, in milliseconds. @defaultValue 300 */
  trainingDurationMs?: number;
  /** @defaultValue {@link hashSegmenter} */
  segmenter?: FakeSegmenter;
}

/** A running fake. */
export interface FakePersonalize {
  /** Base URL for `AWS_ENDPOINT_URL`, e.g. `http://127.0.0.1:4566`. */
  url: string;
  /** Every call, in order: `personalize:<Operation>` or `s3:<Operation>`. */
  calls: string[];
  /** Objects by `bucket/key`. */
  objects: Map<string, Buffer>;
  /** Batch segment jobs by name. */
  jobs: Map<string, FakeJob>;
  close(): Promise<void>;
}

interface FakeJob {
  batchSegmentJobArn: string;
  jobName: string;
  solutionVersionArn: string;
  filterArn?: string;
  numResults: number;
  jobInput: { s3DataSource: { path: string } };
  jobOutput: { s3DataDestination: { path: string } };
  roleArn: string;
  createdMs: number;
  status: string;
  failureReason?: string;
}

interface FakeTrainable {
  arn: string;
  name?: string;
  createdMs: number;
  body: Record<string, unknown>;
}

const ACCOUNT = '123456789012';
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const JOB_NAME = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,62}$/;
const MAX_RUNNING_JOBS = 5;

/** Users 1–6000 (the bundled data's USER_IDs) in an order fixed by the query: same query, same users. */
export const hashSegmenter: FakeSegmenter = (query, numResults) => {
  const text = JSON.stringify(query);
  const users = Array.from({ length: 6000 }, (_, index) => String(index + 1));
  const score = (user: string) => {
    // FNV-1a, 32 bit: cheap and stable.
    let hash = 0x811c9dc5;
    for (const char of `${text}|${user}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    return hash;
  };
  return { usersList: users.map((user) => [user, score(user)] as const).sort((a, b) => a[1] - b[1]).slice(0, numResults).map(([user]) => user) };
};

/**
 * Ranks users by how often they interacted with the query's items (one item, or the items an
 * attribute expression selects): a crude stand-in for a trained model, good for demos.
 */
export async function datasetSegmenter(datasets: Datasets): Promise<FakeSegmenter> {
  const { matchingItems } = await import('../../src/expressions/matching-items.js');
  const { interactions, items } = datasets;
  const interactionItem = new Map(interactions.itemIds.map((id, index) => [id, index]));
  return (query, numResults) => {
    let wanted: Set<number>;
    if ('itemId' in query) {
      const index = interactionItem.get(query.itemId);
      if (index === undefined) return { error: `Item ${query.itemId} not found in the training data` };
      wanted = new Set([index]);
    } else {
      let selected: Int32Array;
      try {
        selected = matchingItems(query.itemAttributes, items);
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
      wanted = new Set();
      for (const row of selected) {
        const index = interactionItem.get(items.itemIds[row] ?? '');
        if (index !== undefined) wanted.add(index);
      }
      if (wanted.size === 0) return { error: 'No items with these attribute values in the training data' };
    }
    const counts = new Map<number, number>();
    for (let row = 0; row < interactions.length; row += 1) {
      if (wanted.has(interactions.item[row]!)) counts.set(interactions.user[row]!, (counts.get(interactions.user[row]!) ?? 0) + 1);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, numResults);
    return { usersList: ranked.map(([user]) => interactions.userIds[user]!) };
  };
}

/** Starts the fake; `close()` stops it. */
export async function startFakePersonalize(options: FakePersonalizeOptions = {}): Promise<FakePersonalize> {
  const jobDurationMs = options.jobDurationMs ?? 300;
  const trainingDurationMs = options.trainingDurationMs ?? 300;
  const segmenter = options.segmenter ?? hashSegmenter;
  const calls: string[] = [];
  const objects = new Map<string, Buffer>();
  const jobs = new Map<string, FakeJob>();
  const solutions = new Map<string, FakeTrainable>();
  const versions = new Map<string, FakeTrainable>();

  const s3Key = (path: string) => path.replace(/^s3:\/\//, '');

  function settle(job: FakeJob): void {
    if (job.status === 'ACTIVE' || job.status === 'CREATE FAILED') return;
    const age = Date.now() - job.createdMs;
    if (age < jobDurationMs / 3) return;
    if (age < jobDurationMs) {
      job.status = 'CREATE IN_PROGRESS';
      return;
    }
    const inputPath = job.jobInput.s3DataSource.path;
    const input = objects.get(s3Key(inputPath));
    if (!input) {
      job.status = 'CREATE FAILED';
      job.failureReason = `Input file not found: ${inputPath}`;
      return;
    }
    const lines = input.toString('utf8').split('\n').filter((line) => line.trim() !== '');
    const out = lines.map((line) => {
      const query = JSON.parse(line) as SegmentQuery;
      const segment = segmenter(query, job.numResults);
      return JSON.stringify({ input: query, output: { usersList: 'usersList' in segment ? segment.usersList : [] }, error: 'error' in segment ? segment.error : null });
    });
    const fileName = inputPath.slice(inputPath.lastIndexOf('/') + 1);
    objects.set(s3Key(`${job.jobOutput.s3DataDestination.path}${fileName}.out`), Buffer.from(`${out.join('\n')}\n`));
    job.status = 'ACTIVE';
  }

  function trainableStatus(entity: FakeTrainable): string {
    const age = Date.now() - entity.createdMs;
    return age < trainingDurationMs / 3 ? 'CREATE PENDING' : age < trainingDurationMs ? 'CREATE IN_PROGRESS' : 'ACTIVE';
  }

  type Answer = [number, unknown];
  const fail = (type: string, message: string): Answer => [400, { __type: `com.amazonaws.personalize#${type}`, message }];
  const seconds = (ms: number) => ms / 1000;

  function personalize(operation: string, body: Record<string, unknown>, region: string): Answer {
    const arnBase = `arn:aws:personalize:${region}:${ACCOUNT}`;
    switch (operation) {
      case 'CreateBatchSegmentJob': {
        const jobName = text(body.jobName);
        if (!JOB_NAME.test(jobName)) return fail('InvalidInputException', `1 validation error detected: Value '${jobName}' at 'jobName' failed to satisfy constraint`);
        if (jobs.has(jobName)) return fail('ResourceAlreadyExistsException', `Batch segment job ${jobName} already exists`);
        for (const job of jobs.values()) settle(job);
        const running = [...jobs.values()].filter((job) => job.status !== 'ACTIVE' && job.status !== 'CREATE FAILED').length;
        if (running >= MAX_RUNNING_JOBS) return fail('LimitExceededException', `You have reached the maximum number of ${MAX_RUNNING_JOBS} active batch segment jobs.`);
        const output = (body.jobOutput as FakeJob['jobOutput'] | undefined)?.s3DataDestination.path ?? '';
        if (!output.endsWith('/')) return fail('InvalidInputException', 'jobOutput path must be a folder ending with /');
        const job: FakeJob = {
          batchSegmentJobArn: `${arnBase}:batch-segment-job/${jobName}`,
          jobName,
          solutionVersionArn: text(body.solutionVersionArn),
          ...(body.filterArn ? { filterArn: text(body.filterArn) } : {}),
          numResults: typeof body.numResults === 'number' ? body.numResults : 25,
          jobInput: body.jobInput as FakeJob['jobInput'],
          jobOutput: body.jobOutput as FakeJob['jobOutput'],
          roleArn: text(body.roleArn),
          createdMs: Date.now(),
          status: 'CREATE PENDING',
        };
        jobs.set(jobName, job);
        return [200, { batchSegmentJobArn: job.batchSegmentJobArn }];
      }
      case 'DescribeBatchSegmentJob': {
        const job = [...jobs.values()].find((candidate) => candidate.batchSegmentJobArn === body.batchSegmentJobArn);
        if (!job) return fail('ResourceNotFoundException', `Could not find batch segment job ${text(body.batchSegmentJobArn)}`);
        settle(job);
        const { createdMs, ...rest } = job;
        return [200, { batchSegmentJob: { ...rest, creationDateTime: seconds(createdMs), lastUpdatedDateTime: seconds(Date.now()) } }];
      }
      case 'ListBatchSegmentJobs': {
        const listed = [...jobs.values()].filter((job) => !body.solutionVersionArn || job.solutionVersionArn === body.solutionVersionArn);
        for (const job of listed) settle(job);
        return [200, {
          batchSegmentJobs: listed.map((job) => ({
            batchSegmentJobArn: job.batchSegmentJobArn, jobName: job.jobName, solutionVersionArn: job.solutionVersionArn, status: job.status,
            creationDateTime: seconds(job.createdMs), lastUpdatedDateTime: seconds(Date.now()),
          })),
          nextToken: null,
        }];
      }
      case 'CreateSolution': {
        const name = text(body.name);
        const arn = `${arnBase}:solution/${name}`;
        if (solutions.has(arn)) return fail('ResourceAlreadyExistsException', `Solution ${name} already exists`);
        solutions.set(arn, { arn, name, createdMs: Date.now(), body });
        return [200, { solutionArn: arn }];
      }
      case 'DescribeSolution': {
        const solution = solutions.get(text(body.solutionArn));
        if (!solution) return fail('ResourceNotFoundException', `Could not find solution ${text(body.solutionArn)}`);
        return [200, { solution: { solutionArn: solution.arn, name: solution.name, ...solution.body, status: trainableStatus(solution), creationDateTime: seconds(solution.createdMs) } }];
      }
      case 'CreateSolutionVersion': {
        const solution = solutions.get(text(body.solutionArn));
        if (!solution) return fail('ResourceNotFoundException', `Could not find solution ${text(body.solutionArn)}`);
        if (trainableStatus(solution) !== 'ACTIVE') return fail('ResourceInUseException', `Solution ${solution.arn} is not ACTIVE`);
        const arn = `${solution.arn}/${createHash('sha256').update(`${solution.arn}${versions.size}`).digest('hex').slice(0, 8)}`;
        versions.set(arn, { arn, createdMs: Date.now(), body: { ...body, trainingMode: body.trainingMode ?? 'FULL' } });
        return [200, { solutionVersionArn: arn }];
      }
      case 'DescribeSolutionVersion': {
        const version = versions.get(text(body.solutionVersionArn));
        if (!version) return fail('ResourceNotFoundException', `Could not find solution version ${text(body.solutionVersionArn)}`);
        const status = trainableStatus(version);
        return [200, { solutionVersion: { solutionVersionArn: version.arn, ...version.body, status, ...(status === 'ACTIVE' ? { trainingHours: 0.21 } : {}), creationDateTime: seconds(version.createdMs) } }];
      }
      case 'GetSolutionMetrics': {
        const version = versions.get(text(body.solutionVersionArn));
        if (!version) return fail('ResourceNotFoundException', `Could not find solution version ${text(body.solutionVersionArn)}`);
        return [200, { solutionVersionArn: version.arn, metrics: { coverage: 0.6835, hits_at_1_percent: 0.323, recall_at_1_percent: 0.0752 } }];
      }
      default:
        return fail('UnknownOperationException', `The fake does not implement ${operation}`);
    }
  }

  const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

  // S3's ETag of a single-part upload: the quoted MD5 of the body.
  const etag = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

  function s3(request: IncomingMessage, url: URL, body: Buffer, response: ServerResponse): void {
    const [, bucket = '', ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    if (request.method === 'PUT' && key) {
      calls.push('s3:PutObject');
      objects.set(`${bucket}/${key}`, body);
      response.writeHead(200, { ETag: etag(body) }).end();
      return;
    }
    if (request.method === 'GET' && !key && url.searchParams.get('list-type') === '2') {
      calls.push('s3:ListObjectsV2');
      const prefix = url.searchParams.get('prefix') ?? '';
      const maxKeys = Number(url.searchParams.get('max-keys') ?? 1000);
      const start = Number(url.searchParams.get('continuation-token') ?? 0);
      const keys = [...objects.keys()].filter((entry) => entry.startsWith(`${bucket}/${prefix}`)).map((entry) => entry.slice(bucket.length + 1)).sort();
      const page = keys.slice(start, start + maxKeys);
      const truncated = start + maxKeys < keys.length;
      const contents = page.map((entryKey) => `<Contents><Key>${xml(entryKey)}</Key><LastModified>${new Date().toISOString()}</LastModified><ETag>${xml(etag(objects.get(`${bucket}/${entryKey}`)!))}</ETag><Size>${objects.get(`${bucket}/${entryKey}`)?.length ?? 0}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('');
      response.writeHead(200, { 'content-type': 'application/xml' }).end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${start + maxKeys}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`,
      );
      return;
    }
    if (request.method === 'GET' && key) {
      calls.push('s3:GetObject');
      const object = objects.get(`${bucket}/${key}`);
      if (!object) {
        response.writeHead(404, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${xml(key)}</Key></Error>`);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': object.length, ETag: etag(object) }).end(object);
      return;
    }
    response.writeHead(501, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code><Message>The fake does not implement this S3 call.</Message></Error>');
  }

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(request.url ?? '/', 'http://fake');
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith('AmazonPersonalize.')) {
        const operation = target.slice('AmazonPersonalize.'.length);
        calls.push(`personalize:${operation}`);
        const region = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? 'us-east-1';
        let parsed: Record<string, unknown> = {};
        try {
          parsed = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        } catch {
          parsed = {};
        }
        const [status, answer] = personalize(operation, parsed, region);
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': createHash('sha256').update(`${calls.length}`).digest('hex').slice(0, 32) }).end(JSON.stringify(answer));
        return;
      }
      s3(request, url, body, response);
    });
  });

  await new Promise<void>((resolveListen) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolveListen));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    calls,
    objects,
    jobs,
    close: () => new Promise<void>((resolveClose, reject) => server.close((error) => (error ? reject(error) : resolveClose()))),
  };
}

// Run on its own: `node --import tsx test/helpers/fake-personalize.ts [--port N] [--data DIR] [--job-ms N]`.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '4566' }, host: { type: 'string', default: '127.0.0.1' }, data: { type: 'string' }, 'job-ms': { type: 'string', default: '3000' } } });
  let segmenter: FakeSegmenter | undefined;
  if (values.data) {
    const { loadDatasets } = await import('../../src/datasets/load-datasets.js');
    segmenter = await datasetSegmenter(await loadDatasets(resolve(values.data)));
  }
  const fake = await startFakePersonalize({ port: Number(values.port), host: values.host, jobDurationMs: Number(values['job-ms']), trainingDurationMs: Number(values['job-ms']), ...(segmenter ? { segmenter } : {}) });
  process.stdout.write(`fake Personalize + S3 listening on ${fake.url} (${segmenter ? `segments from ${values.data}` : 'hash-ordered users'})\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
