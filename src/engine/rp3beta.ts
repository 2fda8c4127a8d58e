/**
 * RP3beta item-item model (Paudel, Christoffel et al., "Updatable, accurate, diverse, and scalable
 * recommendations for interactive applications", TIIS 2017; tuned baseline of Dacrema et al.,
 * RecSys 2019). Training is sparse co-counting; scoring one item over all users is a sparse push.
 * See `../shared/reference/evaluation.md` §2.
 */
import { z } from 'zod';
import { defaultThreads, runWorker, toShared, workerUrl } from './parallel.js';
import { rp3betaColumns, rp3betaRowSums, type Rp3betaColumns, type Rp3betaKernelInput } from './rp3beta-kernel.js';
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
   * Entries kept per column of W: the items through which a query item reaches users (rows are
   * scaled by their untruncated sums first; see `rp3beta-kernel.ts` for why columns).
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
  const counts = {
    numItems,
    userStart,
    userEnd,
    userItems: items,
    itemPtr: cappedIndex.itemPtr,
    itemUsers: cappedIndex.users,
    userWeight,
    itemWeight,
  };
  const input: Rp3betaKernelInput = { ...counts, rowSum: rp3betaRowSums(counts), neighbours: p.neighbours };
  let parts: Rp3betaColumns[];
  if (threads <= 1) {
    parts = [rp3betaColumns(input, 0, 1)];
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
      rowSum: toShared(input.rowSum),
    };
    const url = workerUrl('rp3beta-worker');
    parts = await Promise.all(
      Array.from({ length: threads }, (_, t) => runWorker<Rp3betaColumns>(url, { input: shared, first: t, step: threads })),
    );
  }
  return { kind: 'rp3beta', params: p, numItems, ...joinColumns(parts, numItems, p.neighbours) };
}

/** Joins the strided column parts into W by column. */
function joinColumns(parts: Rp3betaColumns[], numItems: number, neighbours: number) {
  const step = parts.length;
  const colPtr = new Int32Array(numItems + 1);
  for (let j = 0; j < numItems; j++) colPtr[j + 1] = colPtr[j]! + parts[j % step]!.columnLength[Math.floor(j / step)]!;
  const rows = new Int32Array(colPtr[numItems]!);
  const vals = new Float32Array(colPtr[numItems]!);
  for (let j = 0; j < numItems; j++) {
    const part = parts[j % step]!;
    const base = Math.floor(j / step) * neighbours;
    const length = colPtr[j + 1]! - colPtr[j]!;
    rows.set(part.rows.subarray(base, base + length), colPtr[j]);
    vals.set(part.vals.subarray(base, base + length), colPtr[j]);
  }
  return { colPtr, rows, vals };
}
