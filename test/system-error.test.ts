import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, PermanentError } from '../src/core/errors.js';
import { fromSystemError } from '../src/core/system-error.js';

describe('fromSystemError', () => {
  it('turns a directory that is a file into a clear ConfigError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'affinity-syserr-'));
    try {
      await writeFile(join(dir, 'afile'), 'x');
      const error = await mkdir(join(dir, 'afile', 'sub'), { recursive: true }).catch((caught: unknown) => caught);
      const mapped = fromSystemError(error);
      expect(mapped).toBeInstanceOf(ConfigError);
      expect(mapped?.exitCode).toBe(2);
      expect(mapped?.message).toMatch(/^cannot create the directory .*afile.*: (a part of the path is a file, not a directory \(ENOTDIR\)|a file of that name is in the way)$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the address of a port in use', async () => {
    const first = createServer();
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
    const { port } = first.address() as { port: number };
    const second = createServer();
    const error = await new Promise<unknown>((resolve) => {
      second.once('error', resolve);
      second.listen(port, '127.0.0.1');
    });
    first.close();
    const mapped = fromSystemError(error);
    expect(mapped?.message).toBe(`cannot listen on 127.0.0.1:${port}: the port is already in use (choose another with --port) (EADDRINUSE)`);
    expect(mapped?.exitCode).toBe(2);
  });

  it('treats a full disk as a failed run and ignores errors that are not system errors', () => {
    const full = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', syscall: 'write', path: '/out/a.csv' });
    expect(fromSystemError(full)).toBeInstanceOf(PermanentError);
    expect(fromSystemError(full)?.message).toBe('cannot write /out/a.csv: no space left on device (ENOSPC)');
    expect(fromSystemError(new Error('boom'))).toBeUndefined();
    expect(fromSystemError('text')).toBeUndefined();
  });
});
