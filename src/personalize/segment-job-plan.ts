/**
 * Splits a run's queries into batch segment jobs and places their files in S3.
 *
 * Limits: Personalize developer guide, "Preparing input data for user segments" and quotas
 * (500 `itemId` lines or 10 `itemAttributes` lines per input file; see
 * `../shared/reference/personalize.md` §1–2). Layout: `s3://<bucket>/<prefix>/<run>/input/part-N.json`
 * and output folder `s3://<bucket>/<prefix>/<run>/output/part-N/` (ends with `/`, because
 * Personalize matches output folders by prefix).
 */
import { ConfigError } from '../core/errors.js';
import type { SegmentQuery } from '../segments/segment-provider.js';
import { runNameStem } from './job-name.js';

/** Input lines per file for Item-Affinity queries (`{"itemId": …}`). */
export const ITEM_AFFINITY_QUERIES_PER_JOB = 500;
/** Input lines per file for Item-Attribute-Affinity queries (`{"itemAttributes": …}`). */
export const ITEM_ATTRIBUTE_AFFINITY_QUERIES_PER_JOB = 10;
/** Longest `s3DataSource.path` / `s3DataDestination.path` Personalize accepts. */
const MAX_S3_PATH_LENGTH = 256;

/** Where one part's files live. */
export interface PartLocation {
  bucket: string;
  /** Object key of the JSON-lines input file. */
  inputKey: string;
  /** Key prefix Personalize writes `<input file name>.out` under; ends with `/`. */
  outputPrefix: string;
}

/**
 * Splits queries into jobs of at most 500 (itemId) or 10 (itemAttributes) lines, in order.
 * @throws ConfigError when itemId and itemAttributes queries are mixed: a solution version is
 *   trained with one recipe and serves one kind.
 */
export function splitIntoJobs(queries: readonly SegmentQuery[]): SegmentQuery[][] {
  if (queries.length === 0) return [];
  const itemQueries = queries.filter((query) => 'itemId' in query);
  if (itemQueries.length > 0 && itemQueries.length < queries.length) {
    throw new ConfigError([
      {
        field: 'segment.provider',
        message: 'a personalize run cannot mix itemId and itemAttributes queries: a solution version serves either Item-Affinity or Item-Attribute-Affinity',
      },
    ]);
  }
  const size = itemQueries.length > 0 ? ITEM_AFFINITY_QUERIES_PER_JOB : ITEM_ATTRIBUTE_AFFINITY_QUERIES_PER_JOB;
  const jobs: SegmentQuery[][] = [];
  for (let start = 0; start < queries.length; start += size) jobs.push(queries.slice(start, start + size));
  return jobs;
}

/** The S3 keys of part `part` (1-based) of run `runId`. @throws ConfigError when a path is too long for Personalize. */
export function partLocation(s3: { bucket: string; prefix: string }, runId: string, part: number): PartLocation {
  const prefix = s3.prefix.replace(/^\/+|\/+$/g, '');
  const runFolder = `${prefix ? `${prefix}/` : ''}${runNameStem(runId)}`;
  const location = {
    bucket: s3.bucket,
    inputKey: `${runFolder}/input/part-${part}.json`,
    outputPrefix: `${runFolder}/output/part-${part}/`,
  };
  const longest = `s3://${s3.bucket}/${location.outputPrefix.length > location.inputKey.length ? location.outputPrefix : location.inputKey}`;
  if (longest.length > MAX_S3_PATH_LENGTH) {
    throw new ConfigError([{ field: 'segment.s3.prefix', message: `too long: "${longest}" has ${longest.length} characters, Personalize accepts at most ${MAX_S3_PATH_LENGTH}` }]);
  }
  return location;
}

/** `s3://bucket/key`. */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
