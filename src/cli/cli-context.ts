/**
 * What every CLI command gets: where to print, the environment, and a way to set the exit code.
 * Commands throw {@link AffinitySyncError}s for user mistakes; `main` prints them without a stack.
 */
import type { Logger } from '../core/logger.js';

export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  logger: Logger;
  /** Set the process exit code (see `ExitCode`); the most urgent one set wins. */
  setExitCode(code: number): void;
}
