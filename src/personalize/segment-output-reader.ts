/**
 * Reads every `.out` object under a job's output prefix (ListObjectsV2, all pages), each as a
 * stream, line by line. Personalize names them `<input file name>.out` (developer guide,
 * "Creating a batch segment job").
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { PermanentError } from '../core/errors.js';
import { translateAwsError } from './aws-errors.js';
import { s3Url } from './segment-job-plan.js';
import { parseSegmentOutputLine, type SegmentOutputLine } from './segment-output-line.js';

/** Where a line came from, for messages. */
export interface LineOrigin {
  /** `s3://bucket/key` of the `.out` object. */
  url: string;
  /** 1-based line number. */
  line: number;
}

/** Keys of the `.out` objects under `prefix`, sorted. */
export async function listOutputKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }))
      .catch((error: unknown) => {
        throw translateAwsError(error, { service: 's3', operation: 'ListObjectsV2', resource: s3Url(bucket, prefix) });
      });
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.out')) keys.push(object.Key);
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
  return keys.sort();
}

/**
 * Calls `onLine` for every non-blank line of every `.out` object under `prefix`.
 * @throws PermanentError for a line that is not a batch segment output line (with its object and line number).
 */
export async function readSegmentOutput(
  s3: S3Client,
  bucket: string,
  prefix: string,
  onLine: (line: SegmentOutputLine, origin: LineOrigin) => void,
): Promise<{ objects: number; lines: number }> {
  const keys = await listOutputKeys(s3, bucket, prefix);
  let lines = 0;
  for (const key of keys) {
    const url = s3Url(bucket, key);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => {
      throw translateAwsError(error, { service: 's3', operation: 'GetObject', resource: url });
    });
    if (!(object.Body instanceof Readable)) throw new PermanentError(`S3 GetObject (${url}) returned no readable body`);
    const reader = createInterface({ input: object.Body, crlfDelay: Infinity });
    let lineNumber = 0;
    for await (const text of reader) {
      lineNumber += 1;
      if (text.trim() === '') continue;
      const parsed = parseSegmentOutputLine(text);
      if (typeof parsed === 'string') throw new PermanentError(`${url} line ${lineNumber}: not a batch segment job output line: ${parsed}`);
      lines += 1;
      onLine(parsed, { url, line: lineNumber });
    }
  }
  return { objects: keys.length, lines };
}
