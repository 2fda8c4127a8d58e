/**
 * Starts `queue-worker-process.ts` (or another worker script) as a child process
 * (`node --import tsx`), for the crash tests and the crash benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { QueueSettings } from '../../src/queue/queue-settings.js';

const script = fileURLToPath(new URL('./queue-worker-process.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildWorker {
  process: ChildProcess;
  /** Everything the child printed (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal) when the child ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** What else a child worker may be started with (the crash benchmark runs its own worker script). */
export interface ChildWorkerOptions {
  /** Absolute path of the worker script (it must print `ready` once it takes jobs). @defaultValue `queue-worker-process.ts` */
  script?: string;
  /** Extra environment variables of the child. */
  env?: NodeJS.ProcessEnv;
}

/** Spawns a worker and resolves once it printed `ready`. */
export async function spawnChildWorker(settings: QueueSettings, options: ChildWorkerOptions = {}): Promise<ChildWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', options.script ?? script], {
    cwd: projectRoot,
    env: { ...process.env, ...options.env, REDIS_URL: settings.redisUrl, AFFINITY_QUEUE_PREFIX: settings.prefix, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('ready\n')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then(({ code, signal }) => reject(new Error(`worker exited before ready (${code ?? signal}): ${output}`)));
  });
  return { process: child, output: () => output, exited };
}
