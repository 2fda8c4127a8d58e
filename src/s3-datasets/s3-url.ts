/** `s3://bucket/prefix/` URLs of dataset locations. */

/** A parsed `s3://` location. */
export interface S3Location {
  bucket: string;
  /** Key prefix, '' or ending in `/`. */
  prefix: string;
}

/** True for a string that names an S3 location (`s3://…`). */
export function isS3Url(value: string): boolean {
  return /^s3:\/\//i.test(value);
}

/**
 * Parses `s3://bucket/prefix`; a prefix without a trailing slash gets one (the datasets are the
 * objects *under* the prefix). Returns undefined for a malformed URL.
 */
export function parseS3Url(value: string): S3Location | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/i.exec(value);
  if (!match) return undefined;
  const prefix = match[2] ?? '';
  return { bucket: match[1]!, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}
