/** Worker-thread entry: computes one strided share of RP3beta columns (see `rp3beta-kernel.ts`). */
import { parentPort, workerData } from 'node:worker_threads';
import { rp3betaColumns, type Rp3betaKernelInput } from './rp3beta-kernel.js';

const { input, first, step } = workerData as { input: Rp3betaKernelInput; first: number; step: number };
const columns = rp3betaColumns(input, first, step);
parentPort!.postMessage(columns, [columns.columnLength.buffer as ArrayBuffer, columns.rows.buffer as ArrayBuffer, columns.vals.buffer as ArrayBuffer]);
