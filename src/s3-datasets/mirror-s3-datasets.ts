/**
 * Datasets kept in S3 (where Amazon Personalize imports them from), mirrored into a local cache
 * and then read like a local dataset directory.
 *
 * The objects under `s3://bucket/prefix/` that form datasets (`interactions.csv[.gz]`,
 * `interactions.parquet`, `interactions/<part>`, and the same for items and users) are downloaded
 * with `@aws-sdk/client-s3` into `<cacheDir>/<bucket>/<prefix>`, each to a temporary file renamed
 * when complete. The ETag of every object is recorded beside them (`.etags.json`): an object whose
 * ETag is unchanged is not downloaded again, and a cached file whose object is gone is deleted.
 * Credentials come from the standard AWS chain; the endpoint from `AWS_ENDPOINT_URL_S3` or
 * `AWS_ENDPOINT_URL` (path-style, for S3-compatible stores).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { AuthError, ConfigError, TransientError } from '../core/errors.js';
import { datasetNames } from '../datasets/find-dataset-files.js';
import { formatOfFile } from '../ingest/dataset-source.js';
import { resolveEndpoint } from '../personalize/personalize-clients.js';
import { parseS3Url } from './s3-url.js';

/** Progress of a mirror: bytes downloaded so far of the bytes to download. */
export interface MirrorProgress {
  url: string;
  bytesDone: number;
  bytesTotal: number;
  finished: boolean;
}

/** Options of {@link mirrorS3Datasets}. */
export interface MirrorS3DatasetsOptions {
  /** Root of the local cache; each bucket and prefix gets a directory below it. */
  cacheDir: string;
  /** Environment for the endpoint and region (`AWS_REGION`); credentials come from the SDK's chain. */
  env: NodeJS.ProcessEnv;
  /** Called about every 8 MB downloaded and once at the end (only when something is downloaded). */
  onProgress?: (progress: MirrorProgress) => void;
  /** A client to use instead of one built from `env` (tests). */
  client?: S3Client;
}

/** What a mirror did. */
export interface MirrorResult {
  /** The local dataset directory. */
  dir: string;
  /** Keys (relative to the prefix) downloaded this time, and found unchanged in the cache. */
  downloaded: string[];
  unchanged: string[];
}

const etagFile = '.etags.json';
const progressEveryBytes = 8 * 2 ** 20;

/**
 * Mirrors the datasets under `url` into the cache.
 *
 * @throws ConfigError for a malformed URL, a missing bucket, or a prefix with no dataset object;
 *   AuthError when S3 refuses the credentials; TransientError when S3 cannot be reached.
 */
export async function mirrorS3Datasets(url: string, options: MirrorS3DatasetsOptions): Promise<MirrorResult> {
  const location = parseS3Url(url);
  if (!location) throw new ConfigError(`data: "${url}" is not an S3 location; expected s3://bucket/prefix/`);
  const client = options.client ?? s3Client(options.env);
  const dir = join(options.cacheDir, location.bucket, location.prefix);
  const objects = await call(url, () => listDatasetObjects(client, location.bucket, location.prefix));
  if (objects.length === 0) {
    throw new ConfigError(`data: no dataset under ${url} (expected interactions, items and users as .csv, .csv.gz, .parquet or a directory of parts)`);
  }
  await mkdir(dir, { recursive: true });
  const cached = await readEtags(dir);
  const stale = objects.filter((object) => cached[object.key] !== object.etag || !existsSync(join(dir, object.key)));
  const bytesTotal = stale.reduce((sum, object) => sum + object.size, 0);
  let bytesDone = 0;
  let reported = 0;
  const etags: Record<string, string> = {};
  for (const object of objects) if (!stale.includes(object)) etags[object.key] = object.etag;
  for (const object of stale) {
    const target = join(dir, object.key);
    await mkdir(dirname(target), { recursive: true });
    await call(url, async () => {
      const response = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.prefix + object.key, IfMatch: object.etag }));
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytesDone += chunk.length;
          if (bytesDone - reported >= progressEveryBytes) options.onProgress?.({ url, bytesDone: (reported = bytesDone), bytesTotal, finished: false });
          done(null, chunk);
        },
      });
      await pipeline(response.Body as Readable, counter, createWriteStream(`${target}.part`));
    });
    await rename(`${target}.part`, target);
    etags[object.key] = object.etag;
    await writeFile(join(dir, etagFile), JSON.stringify(etags, null, 2));
  }
  // Objects deleted from S3 leave the cache too, so a removed part is not read again.
  for (const key of Object.keys(cached)) if (!(key in etags)) await rm(join(dir, key), { force: true });
  await writeFile(join(dir, etagFile), JSON.stringify(etags, null, 2));
  if (stale.length > 0) options.onProgress?.({ url, bytesDone, bytesTotal, finished: true });
  return { dir, downloaded: stale.map((object) => object.key), unchanged: objects.filter((object) => !stale.includes(object)).map((object) => object.key) };
}

interface DatasetObject {
  /** Key relative to the prefix, e.g. `interactions/part-00000.parquet`. */
  key: string;
  etag: string;
  size: number;
}

/** The objects under the prefix that are dataset files or parts; others are left alone. */
async function listDatasetObjects(client: S3Client, bucket: string, prefix: string): Promise<DatasetObject[]> {
  const found: DatasetObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const entry of page.Contents ?? []) {
      const key = (entry.Key ?? '').slice(prefix.length);
      if (isDatasetKey(key)) found.push({ key, etag: entry.ETag ?? '', size: entry.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

function isDatasetKey(key: string): boolean {
  const [first, part, ...deeper] = key.split('/');
  if (deeper.length > 0 || first === undefined) return false;
  if (part === undefined) return datasetNames.some((name) => [`${name}.csv`, `${name}.csv.gz`, `${name}.parquet`].includes(first));
  return (datasetNames as readonly string[]).includes(first) && !part.startsWith('.') && !part.startsWith('_') && formatOfFile(part) !== undefined;
}

async function readEtags(dir: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(join(dir, etagFile), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function s3Client(env: NodeJS.ProcessEnv): S3Client {
  const endpoint = resolveEndpoint('s3', {}, env);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return new S3Client({ ...(region ? { region } : {}), ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
}

/** Runs an S3 call, turning its failures into the errors the CLI and the queue understand. */
async function call<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof S3ServiceException) {
      if (error.name === 'NoSuchBucket') throw new ConfigError(`data: the bucket of ${url} does not exist`, { cause: error });
      if (['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken'].includes(error.name)) {
        throw new AuthError(`data: S3 refused access to ${url} (${error.name}); check the AWS credentials`, { cause: error });
      }
      throw new TransientError(`data: S3 failed on ${url}: ${error.name}: ${error.message}`, { cause: error });
    }
    if ((error as Error).name === 'CredentialsProviderError') throw new AuthError(`data: no AWS credentials for ${url} (${(error as Error).message})`, { cause: error });
    throw new TransientError(`data: cannot reach S3 for ${url}: ${(error as Error).message}`, { cause: error });
  }
}
