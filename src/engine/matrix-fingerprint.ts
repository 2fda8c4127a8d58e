/** A content fingerprint of the training matrix, to tell whether a saved model still fits the data. */
import { createHash } from 'node:crypto';
import type { UserItemMatrix } from './user-item-matrix.js';

/**
 * SHA-256 (hex) over the USER_IDs, the ITEM_IDs and the binary user × item matrix (row pointers
 * and item indices). Timestamps and event rows that do not change the matrix do not change it.
 */
export function matrixFingerprint(matrix: UserItemMatrix, userIds: readonly string[], itemIds: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(`users:${userIds.length}\n`);
  for (const id of userIds) hash.update(`${id}\n`);
  hash.update(`items:${itemIds.length}\n`);
  for (const id of itemIds) hash.update(`${id}\n`);
  hash.update(new Uint8Array(matrix.userPtr.buffer, matrix.userPtr.byteOffset, matrix.userPtr.byteLength));
  hash.update(new Uint8Array(matrix.items.buffer, matrix.items.byteOffset, matrix.items.byteLength));
  return hash.digest('hex');
}
