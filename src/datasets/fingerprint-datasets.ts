/** A content fingerprint of a dataset directory, to tell whether a saved model still fits it. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { datasetSource } from '../ingest/dataset-source.js';
import { datasetNames, findDatasetFiles } from './find-dataset-files.js';

/**
 * SHA-256 (hex) over the dataset files of `dir`, streamed: for each of interactions, items, users
 * in that order, the file's base name, its size in bytes and its bytes (as stored, so a `.gz`
 * file is hashed compressed). A content hash, not names + mtimes: copying or touching the files
 * keeps the fingerprint, any change of content changes it. Recompressing a `.gz` file or switching
 * between `.csv` and `.csv.gz` changes it too. A directory of parts contributes each part, in name
 * order, as `<dir>/<part>`. A missing dataset contributes `<name>:absent`.
 * Costs one read of the files (under 10 ms for the 3.9 MB of bundled retail data).
 *
 * @throws ConfigError when `dir` is not a directory or holds both `.csv` and `.csv.gz` of a dataset.
 */
export async function fingerprintDatasets(dir: string): Promise<string> {
  const files = findDatasetFiles(dir);
  const hash = createHash('sha256');
  for (const name of datasetNames) {
    const file = files[name];
    if (file === undefined) {
      hash.update(`${name}:absent\n`);
      continue;
    }
    const source = datasetSource(file);
    for (const part of source.files) {
      let size = 0;
      const content = createHash('sha256');
      for await (const chunk of createReadStream(part)) {
        const bytes = chunk as Buffer;
        size += bytes.length;
        content.update(bytes);
      }
      const name = part === file ? basename(file) : `${basename(file)}/${basename(part)}`;
      hash.update(`${name}:${size}:${content.digest('hex')}\n`);
    }
  }
  return hash.digest('hex');
}
