/**
 * RP3beta item-item model (Paudel, Christoffel et al., "Updatable, accurate, diverse, and scalable
 * recommendations for interactive applications", TIIS 2017; tuned baseline of Dacrema et al.,
 * RecSys 2019). Training is sparse co-counting; scoring one item over all users is a sparse push.
 * See `../shared/reference/evaluation.md` §2.
 */
import { z } from 'zod';
import { defaultThreads, runWorker, toShared, workerUrl } from './parallel.js';
import { rp3betaRows, type Rp3betaKernelInput, type Rp3betaRows } from './rp3beta-kernel.js';
import { itemUserIndex, type UserItemMatrix } from './user-item-matrix.js';

/** Hyperparameters of RP3beta. */
export const rp3betaParamsSchema = z.object({
  /**
   * Exponent of the transition probabilities.
   * @defaultValue 0.5 (reference grid {0.5, 1})
   */
  alpha: z.number().positive().default(0.5),
  /**
   * Popularity penalty: W[i,j] is divided by pop_j^β.
   * @defaultValue 0.5 (reference grid {0.3, 0.5, 0.7})
   */
  beta: z.number().min(0).default(0.5),
  /**
   * Neighbours kept per item (row of W).
   * @defaultValue 200
   */
  neighbours: z.number().int().min(1).default(200),
  /**
   * Only each user's newest items count in training (bounds the Σ n_u² cost).
   * @defaultValue 500
   */
  maxItemsPerUser: z.number().int().min(1).default(500),
});
export type Rp3betaParams = z.infer<typeof rp3betaParamsSchema>;

/** A trained RP3beta model: W stored by column, so that column j (every i → j weight) is contiguous. */
export interface Rp3betaModel {
  kind: 'rp3beta';
  params: Rp3betaParams;
  numItems: number;
  /** `rows/vals[colPtr[j] .. colPtr[j+1])` are the entries W[i, j], `i` ascending. Length `numItems + 1`. */
  colPtr: Int32Array;
  rows: Int32Array;
  vals: Float32Array;
}

/** Options of {@link trainRp3beta}. */
export interface TrainOptions {
  /**
   * Worker threads; 1 trains in the calling thread.
   * @defaultValue one per core (max 4) for large inputs, else 1
   */
  threads?: number;
}

/** Entries below which worker threads cost more than they save. */
const parallelThresholdEntries = 2_000_000;

/** Trains RP3beta on `matrix`. Deterministic: the result does not depend on the thread count. */
export async function trainRp3beta(
  matrix: UserItemMatrix,
  params: Partial<Rp3betaParams> = {},
  options: TrainOptions = {},
): Promise<Rp3betaModel> {
  const p = rp3betaParamsSchema.parse(params);
  const { numUsers, numItems, userPtr, items } = matrix;
  const cappedIndex = itemUserIndex(matrix, p.maxItemsPerUser);
  const userStart = new Int32Array(numUsers);
  const userEnd = new Int32Array(numUsers);
  const userWeight = new Float64Array(numUsers);
  for (let u = 0; u < numUsers; u++) {
    userEnd[u] = userPtr[u + 1]!;
    userStart[u] = Math.max(userPtr[u]!, userEnd[u]! - p.maxItemsPerUser);
    const degree = userEnd[u]! - userStart[u]!;
    userWeight[u] = degree > 0 ? Math.pow(degree, -p.alpha) : 0;
  }
  const itemWeight = new Float64Array(numItems);
  for (let j = 0; j < numItems; j++) {
    const pop = cappedIndex.itemPtr[j + 1]! - cappedIndex.itemPtr[j]!;
    itemWeight[j] = pop > 0 ? Math.pow(pop, -p.beta) : 0;
  }

  const threads = options.threads ?? (items.length >= parallelThresholdEntries ? defaultThreads() : 1);
  const input: Rp3betaKernelInput = {
    numItems,
    userStart,
    userEnd,
    userItems: items,
    itemPtr: cappedIndex.itemPtr,
    itemUsers: cappedIndex.users,
    userWeight,
    itemWeight,
    neighbours: p.neighbours,
  };
  let parts: Rp3betaRows[];
  if (threads <= 1) {
    parts = [rp3betaRows(input, 0, 1)];
  } else {
    const shared: Rp3betaKernelInput = {
      ...input,
      userStart: toShared(userStart),
      userEnd: toShared(userEnd),
      userItems: toShared(items),
      itemPtr: toShared(cappedIndex.itemPtr),
      itemUsers: toShared(cappedIndex.users),
      userWeight: toShared(userWeight),
      itemWeight: toShared(itemWeight),
    };
    const url = workerUrl('rp3beta-worker');
    parts = await Promise.all(
      Array.from({ length: threads }, (_, t) => runWorker<Rp3betaRows>(url, { input: shared, first: t, step: threads })),
    );
  }
  return { kind: 'rp3beta', params: p, numItems, ...transposeRows(parts, numItems, p.neighbours) };
}

/** Turns the strided row parts into W by column. */
function transposeRows(parts: Rp3betaRows[], numItems: number, neighbours: number) {
  const step = parts.length;
  const colPtr = new Int32Array(numItems + 1);
  for (const part of parts) {
    for (let n = 0; n < part.rowLength.length; n++) {
      const base = n * neighbours;
      for (let h = 0; h < part.rowLength[n]!; h++) colPtr[part.cols[base + h]! + 1]!++;
    }
  }
  for (let j = 0; j < numItems; j++) colPtr[j + 1]! += colPtr[j]!;
  const rows = new Int32Array(colPtr[numItems]!);
  const vals = new Float32Array(colPtr[numItems]!);
  const cursor = colPtr.slice(0, numItems);
  // Visit rows in ascending i so that each column's rows come out ascending.
  for (let i = 0; i < numItems; i++) {
    const part = parts[i % step]!;
    const n = Math.floor(i / step);
    const base = n * neighbours;
    for (let h = 0; h < part.rowLength[n]!; h++) {
      const j = part.cols[base + h]!;
      const at = cursor[j]!++;
      rows[at] = i;
      vals[at] = part.vals[base + h]!;
    }
  }
  return { colPtr, rows, vals };
}
