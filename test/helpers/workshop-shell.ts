/**
 * Runs workshop commands the way a reader's terminal would: bash in one working directory, with
 * the variables a block exports (`export X=…`) still set in the next blocks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** Output and exit code of one block. */
export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One terminal session: a working directory, an environment, background processes. */
export class WorkshopShell {
  private readonly background: ChildProcess[] = [];

  /**
   * @param cwd working directory of every block.
   * @param env environment of the first block.
   * @param envFile where exported variables are kept between blocks (created here).
   */
  constructor(
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly envFile: string,
  ) {
    writeFileSync(envFile, '');
  }

  /** Runs `script` with `set -e`; kills it (SIGTERM, then SIGKILL) after `timeoutMs`. */
  run(script: string, timeoutMs: number): Promise<ShellResult> {
    const wrapped = `set -e\n. "$WORKSHOP_ENV_FILE"\ntrap 'export -p > "$WORKSHOP_ENV_FILE"' EXIT\n${script}\n`;
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', wrapped], { cwd: this.cwd, env: { ...this.env, WORKSHOP_ENV_FILE: this.envFile }, detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => {
        stderr += `\n[workshop test: killed after ${timeoutMs} ms]\n`;
        killGroup(child, 'SIGTERM');
        setTimeout(() => killGroup(child, 'SIGKILL'), 2000).unref();
      }, timeoutMs);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
    });
  }

  /** Starts `script` in the background (its own process group); {@link stopAll} ends it. */
  start(script: string): ChildProcess {
    const wrapped = `. "$WORKSHOP_ENV_FILE"\n${script}\n`;
    const child = spawn('bash', ['-c', wrapped], { cwd: this.cwd, env: { ...this.env, WORKSHOP_ENV_FILE: this.envFile }, detached: true, stdio: 'ignore' });
    this.background.push(child);
    return child;
  }

  /** Sends SIGTERM to every background process group started here and waits until they exit. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.background.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const force = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            killGroup(child, 'SIGTERM');
          }),
      ),
    );
    this.background.length = 0;
  }
}

/** Signals the process group of `child` (it was spawned detached, so it leads its own group). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
