/**
 * Turns a Node.js file-system error (EACCES, ENOTDIR, ENOSPC …) into one of our errors with a
 * message a user can act on, instead of a stack trace.
 */
import { ConfigError, PermanentError, type AffinitySyncError } from './errors.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EADDRINUSE: 'the port is already in use (choose another with --port)',
};

const VERBS: Record<string, string> = {
  open: 'open',
  mkdir: 'create the directory',
  rename: 'rename',
  unlink: 'delete',
  scandir: 'read the directory',
  write: 'write',
  read: 'read',
  stat: 'read',
  lstat: 'read',
  access: 'access',
  copyfile: 'copy',
  listen: 'listen on',
};

/**
 * The user-facing form of a file-system error, or undefined when `error` is not one.
 * A full disk is a failed run (exit 1); a path the user gave that cannot be used is bad input (exit 2).
 */
export function fromSystemError(error: unknown): AffinitySyncError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall } = error as NodeJS.ErrnoException;
  const { address, port } = error as { address?: string; port?: number };
  const path = (error as NodeJS.ErrnoException).path ?? (address !== undefined ? `${address}${port !== undefined ? `:${port}` : ''}` : undefined);
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason === undefined || code === undefined) return undefined;
  const verb = (syscall && VERBS[syscall]) ?? 'use';
  if (code === 'EEXIST' && syscall === 'mkdir') return new ConfigError(`cannot create the directory ${path ?? ''}: a file of that name is in the way`, { cause: error });
  const message = `cannot ${verb} ${path ?? 'a file'}: ${reason} (${code})`;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new PermanentError(message, { cause: error }) : new ConfigError(message, { cause: error });
}
