/** Runs the CLI in-process, capturing what it prints. */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** `runCli(['run', 'x.yaml'], { cwd })` → exit code and output. */
export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(['node', 'affinity-sync', ...args], {
    stdout,
    stderr,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? { ...process.env, LOG_LEVEL: 'silent' },
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
