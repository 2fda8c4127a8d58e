/** Worker-thread entry: computes one strided share of RP3beta rows (see `rp3beta-kernel.ts`). */
import { parentPort, workerData } from 'node:worker_threads';
import { rp3betaRows, type Rp3betaKernelInput } from './rp3beta-kernel.js';

const { input, first, step } = workerData as { input: Rp3betaKernelInput; first: number; step: number };
const rows = rp3betaRows(input, first, step);
parentPort!.postMessage(rows, [rows.rowLength.buffer as ArrayBuffer, rows.cols.buffer as ArrayBuffer, rows.vals.buffer as ArrayBuffer]);
