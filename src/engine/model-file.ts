/**
 * Saved models of the local engine.
 *
 * File layout (little-endian), format version 1:
 * ```
 * 0   8 bytes  magic "AFSYMDL\n"
 * 8   uint32   header length H in bytes
 * 12  H bytes  JSON header (UTF-8): formatVersion, kind, fingerprint, params, engine options,
 *              numUsers, numItems, sections [{ name, type, length }], bodyBytes, checksum
 * …   zero padding to a multiple of 8
 * …   body: the sections in header order, each padded to a multiple of 8 bytes
 * ```
 * `checksum` is the SHA-256 (hex) of the body. A file that is truncated, altered, of another
 * format version or structurally inconsistent is refused with a {@link ConfigError}: a model is
 * never half-read.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { rp3betaParamsSchema, type Rp3betaModel } from './rp3beta.js';

/** Current format version; files of another version are refused. */
export const modelFormatVersion = 1;
const magic = Buffer.from('AFSYMDL\n', 'latin1');

const sectionSchema = z.object({
  name: z.string(),
  type: z.enum(['int32', 'float32']),
  length: z.number().int().min(0),
});

const headerSchema = z.object({
  formatVersion: z.number().int(),
  kind: z.literal('rp3beta'),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  params: rp3betaParamsSchema,
  engine: z.object({ attributePriorWeight: z.number().min(0).max(1) }),
  numUsers: z.number().int().min(0),
  numItems: z.number().int().min(0),
  createdAt: z.string(),
  sections: z.array(sectionSchema),
  bodyBytes: z.number().int().min(0),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});

/** What a model file holds: the default model of the engine (RP3beta). */
export interface SavedModel {
  model: Rp3betaModel;
  /** Fingerprint of the training data (see `matrixFingerprint`). */
  fingerprint: string;
  numUsers: number;
  /** Engine options the model was tuned with. */
  engine: { attributePriorWeight: number };
  createdAt: string;
}

const pad8 = (n: number): number => (n + 7) & ~7;

/** Writes `saved` to `file` (through a temporary file and a rename, so a crash never leaves half a file). */
export async function saveModelFile(file: string, saved: SavedModel): Promise<void> {
  const { model } = saved;
  const arrays: Array<[string, Int32Array | Float32Array]> = [
    ['colPtr', model.colPtr],
    ['rows', model.rows],
    ['vals', model.vals],
  ];
  const sections = arrays.map(([name, array]) => ({
    name,
    type: array instanceof Int32Array ? ('int32' as const) : ('float32' as const),
    length: array.length,
  }));
  const bodyBytes = arrays.reduce((sum, [, array]) => sum + pad8(array.byteLength), 0);
  const body = Buffer.alloc(bodyBytes);
  let offset = 0;
  for (const [, array] of arrays) {
    body.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    offset += pad8(array.byteLength);
  }
  const header: z.infer<typeof headerSchema> = {
    formatVersion: modelFormatVersion,
    kind: model.kind,
    fingerprint: saved.fingerprint,
    params: model.params,
    engine: saved.engine,
    numUsers: saved.numUsers,
    numItems: model.numItems,
    createdAt: saved.createdAt,
    sections,
    bodyBytes,
    checksum: createHash('sha256').update(body).digest('hex'),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(pad8(12 + headerBytes.length));
  magic.copy(prefix, 0);
  prefix.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(prefix, 12);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, Buffer.concat([prefix, body]));
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new ConfigError([{ file, message: `cannot write the model file: ${(error as Error).message}` }], { cause: error });
  }
}

/**
 * Reads a model file.
 * @throws ConfigError naming the file when it is missing, truncated, corrupt (checksum), of
 *   another format version or inconsistent.
 */
export async function loadModelFile(file: string): Promise<SavedModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new ConfigError([{ file, message: `cannot read the model file: ${(error as Error).message}` }], { cause: error });
  }
  const refuse = (message: string): never => {
    throw new ConfigError([{ file, message: `${message}; retrain it with \`affinity-sync train --model ${file}\`` }]);
  };
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(magic)) refuse('not an affinity-sync model file');
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length) refuse('model file is truncated (header)');
  let json: unknown;
  try {
    json = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8'));
  } catch {
    return refuse('model file header is corrupt');
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== modelFormatVersion) {
    refuse(`model file has format version ${JSON.stringify(version)}, this affinity-sync reads version ${modelFormatVersion}`);
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) return refuse(`model file header is invalid (${parsed.error.issues[0]?.message ?? 'unknown problem'})`);
  const header = parsed.data;
  const bodyStart = pad8(12 + headerLength);
  if (bytes.length !== bodyStart + header.bodyBytes) {
    refuse(`model file is truncated or has extra bytes (${bytes.length} bytes, expected ${bodyStart + header.bodyBytes})`);
  }
  const body = bytes.subarray(bodyStart);
  if (createHash('sha256').update(body).digest('hex') !== header.checksum) refuse('model file is corrupt (checksum mismatch)');

  const arrays = new Map<string, Int32Array | Float32Array>();
  let offset = 0;
  for (const section of header.sections) {
    const byteLength = section.length * 4;
    if (offset + byteLength > body.length) refuse('model file sections do not fit its body');
    const copy = new Uint8Array(byteLength);
    copy.set(body.subarray(offset, offset + byteLength));
    arrays.set(section.name, section.type === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer));
    offset += pad8(byteLength);
  }
  const colPtr = arrays.get('colPtr');
  const rows = arrays.get('rows');
  const vals = arrays.get('vals');
  if (!(colPtr instanceof Int32Array) || !(rows instanceof Int32Array) || !(vals instanceof Float32Array)) {
    return refuse('model file lacks the sections of an rp3beta model');
  }
  const { numItems } = header;
  if (colPtr.length !== numItems + 1 || colPtr[0] !== 0 || colPtr[numItems] !== rows.length || vals.length !== rows.length) {
    refuse('model file sections are inconsistent');
  }
  for (let j = 0; j < numItems; j++) if (colPtr[j + 1]! < colPtr[j]!) refuse('model file sections are inconsistent');
  for (let p = 0; p < rows.length; p++) {
    if (rows[p]! < 0 || rows[p]! >= numItems || !Number.isFinite(vals[p]!)) refuse('model file sections are inconsistent');
  }
  return {
    model: { kind: 'rp3beta', params: header.params, numItems, colPtr, rows, vals },
    fingerprint: header.fingerprint,
    numUsers: header.numUsers,
    engine: header.engine,
    createdAt: header.createdAt,
  };
}
