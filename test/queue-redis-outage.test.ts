/**
 * Redis outages and refused credentials: structured log lines instead of raw error dumps, and a
 * clear message (without the password) when REDIS_URL's credentials are wrong.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCampaignWorker, type CampaignWorker } from '../src/queue/campaign-worker.js';
import { RedisOutageLog } from '../src/queue/redis-outage-log.js';
import { createFakePipeline } from './helpers/queue-fake-pipeline.js';
import { deletePrefix, testRedisUrl, uniqueQueueSettings, waitFor } from './helpers/queue-redis.js';
import { runCli } from './helpers/run-cli.js';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger (level info) whose lines land in `lines`. */
function capturingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  return { logger: pino({ level: 'info', base: undefined, timestamp: false }, sink), lines };
}

const refused = (): NodeJS.ErrnoException => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });

describe('RedisOutageLog', () => {
  it('logs one warn per 10 s of outage whichever object sees it, one info on reconnect, other errors as one line each, nothing once closing', () => {
    const { logger, lines } = capturingLogger();
    let now = 1_000_000;
    const log = new RedisOutageLog({ logger, connection: 'redis://:***@127.0.0.1:6379', now: () => now });

    for (let step = 0; step < 50; step += 1) {
      log.error(refused(), step % 2 === 0 ? 'redis' : 'worker');
      now += 500; // 25 s of reconnect attempts, two a second
    }
    log.ready();
    log.error(new Error('Failed to add repeatable job for next iteration: boom'), 'worker');
    log.close(); // shutting down: "Connection is closed" is expected, not an outage
    log.error(new Error('Connection is closed.'), 'queue');
    log.error(refused(), 'redis');

    expect(lines).toEqual([
      { level: 40, msg: 'redis connection lost; reconnecting', connection: 'redis://:***@127.0.0.1:6379', code: 'ECONNREFUSED', downMs: 0, failedAttempts: 1 },
      { level: 40, msg: 'redis connection lost; reconnecting', connection: 'redis://:***@127.0.0.1:6379', code: 'ECONNREFUSED', downMs: 10_000, failedAttempts: 21 },
      { level: 40, msg: 'redis connection lost; reconnecting', connection: 'redis://:***@127.0.0.1:6379', code: 'ECONNREFUSED', downMs: 20_000, failedAttempts: 41 },
      { level: 30, msg: 'redis connection restored', connection: 'redis://:***@127.0.0.1:6379', downMs: 25_000, failedAttempts: 50 },
      { level: 50, msg: 'worker error', connection: 'redis://:***@127.0.0.1:6379', error: 'Failed to add repeatable job for next iteration: boom' },
    ]);
  });
});

/** A TCP proxy to the test Redis that can be stopped (connections dropped, port refused) and started again on the same port. */
class RedisProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    const target = new URL(testRedisUrl);
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.server = undefined;
  }
}

describe('a worker through a Redis outage', () => {
  const proxy = new RedisProxy();
  let worker: CampaignWorker | undefined;
  let dir: string | undefined;
  const settings = uniqueQueueSettings();

  afterEach(async () => {
    await worker?.close();
    await proxy.stop();
    await deletePrefix(settings.prefix);
    if (dir) await rm(dir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('logs "redis connection lost; reconnecting" once with the error code, nothing raw on the console, then "restored"', async () => {
    await proxy.start();
    dir = await mkdtemp(join(tmpdir(), 'queue-outage-'));
    const redis = new Redis(testRedisUrl);
    const { logger, lines } = capturingLogger();
    const consoleError = vi.spyOn(console, 'error');
    const consoleWarn = vi.spyOn(console, 'warn');
    try {
      worker = await startCampaignWorker({
        settings: { ...settings, redisUrl: `redis://127.0.0.1:${proxy.port}` },
        pipeline: createFakePipeline(redis, settings.prefix),
        env: {},
        logger,
        stateDir: dir,
        cwd: dir,
      });
      await proxy.stop();
      await waitFor(() => Promise.resolve(lines.some((line) => line.msg === 'redis connection lost; reconnecting') ? true : undefined), 'the outage warning');
      // Several reconnect attempts fail meanwhile (after 200 ms, 400 ms, 600 ms …).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await proxy.start();
      await waitFor(() => Promise.resolve(lines.some((line) => line.msg === 'redis connection restored') ? true : undefined), 'the reconnection', 15_000);

      expect(lines.map((line) => [line.level, line.msg, line.connection])).toEqual([
        [40, 'redis connection lost; reconnecting', `redis://127.0.0.1:${proxy.port}`],
        [30, 'redis connection restored', `redis://127.0.0.1:${proxy.port}`],
      ]);
      // The dropped connection (ECONNRESET) or the refused reconnect (ECONNREFUSED), whichever comes first.
      expect(lines[0]?.code).toMatch(/^ECONN(RESET|REFUSED)$/);
      expect(lines[1]?.failedAttempts).toBeGreaterThanOrEqual(2);
      expect(consoleError).not.toHaveBeenCalled();
      expect(consoleWarn).not.toHaveBeenCalled();
    } finally {
      await redis.quit();
    }
  });
});

describe('credentials refused by Redis', () => {
  it('WRONGPASS: names REDIS_URL, masks the password, exit code 2', async () => {
    const target = new URL(testRedisUrl);
    const result = await runCli(['status'], { env: { ...process.env, LOG_LEVEL: 'silent', REDIS_URL: `redis://nobody:s3cret@${target.host}` } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: Redis at redis://nobody:***@${target.host} refused the credentials in REDIS_URL (WRONGPASS invalid username-password pair or user is disabled.)\n`,
    );
  });

  it('NOAUTH: a Redis that requires a password when REDIS_URL has none', async () => {
    // A Redis with `requirepass` answers every command before AUTH this way (RESP error reply).
    const server = createServer((socket) => {
      socket.on('data', (chunk) => {
        const commands = chunk.toString().match(/(^|\r\n)\*\d+\r\n/g)?.length ?? 0; // RESP arrays, one per command
        socket.write('-NOAUTH Authentication required.\r\n'.repeat(commands));
      });
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const result = await runCli(['status'], { env: { ...process.env, LOG_LEVEL: 'silent', REDIS_URL: `redis://127.0.0.1:${port}` } });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`error: Redis at redis://127.0.0.1:${port} refused the credentials in REDIS_URL (NOAUTH Authentication required.)\n`);
    } finally {
      server.close();
    }
  });
});
