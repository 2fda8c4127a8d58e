/**
 * Runs docs/workshop.md: every ```sh block in order, in one temporary working directory, as a reader
 * would type them (exported variables carry over), checking exit codes and the lines of the
 * ```text block that follows each one. `affinity-sync` is the CLI from source
 * (`node --import tsx <repo>/src/cli/run.ts`); Mailchimp, HubSpot and Personalize + S3 are the local
 * fakes of test/helpers/workshop-fakes.ts; the queue uses the real Redis with a key prefix of its own.
 * See test/helpers/workshop-blocks.ts for the markers and the `…` rule.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix } from './helpers/queue-redis.js';
import { extractWorkshopBlocks, missingExpectedLine, type WorkshopBlock } from './helpers/workshop-blocks.js';
import { startWorkshopFakes, type WorkshopFakes } from './helpers/workshop-fakes.js';
import { WorkshopShell } from './helpers/workshop-shell.js';

const repo = resolve(import.meta.dirname, '..');
const markdown = readFileSync(join(repo, 'docs', 'workshop.md'), 'utf8');
const blocks = extractWorkshopBlocks(markdown);

/**
 * Test-only changes to the commands: waits meant for AWS (a minute between status checks) become
 * 100 ms against the fake, which finishes a job in 200 ms; the dashboard's port becomes a free one,
 * so that two test runs on one machine do not meet.
 */
function substitutions(dashboardPort: number): Array<[RegExp, string]> {
  return [
    [/--poll-interval-ms \d+/g, '--poll-interval-ms 100'],
    [/pollIntervalMs: \d+/g, 'pollIntervalMs: 100'],
    [/--port 3917\b/g, `--port ${dashboardPort}`],
    [/127\.0\.0\.1:3917\//g, `127.0.0.1:${dashboardPort}/`],
  ];
}

/** A TCP port of 127.0.0.1 that nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const BLOCK_TIMEOUT_MS = 120_000;
const RETRY_FOR_MS = 60_000;

describe('the workshop extractor', () => {
  it('finds the commands of every step, and skips only what needs a real account or is the test setup', () => {
    const steps = [...new Set(blocks.filter((block) => block.mode.kind !== 'skip').map((block) => block.step.split('.')[0]))];
    expect(steps).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'Clean up']);
    const skipped = blocks.filter((block) => block.mode.kind === 'skip').map((block) => (block.mode.kind === 'skip' ? block.mode.reason : ''));
    expect(skipped).toEqual([
      'the test runs in an installed checkout and calls the CLI from source',
      "needs a Mailchimp account; the test sets these variables to its local stand-in's",
      'the test starts the same stand-ins itself (test/helpers/workshop-fakes.ts)',
      'needs an AWS account; the local stand-in accepts any dataset group, role and bucket',
    ]);
    expect(blocks.filter((block) => block.mode.kind === 'background').map((block) => block.script)).toEqual([
      'affinity-sync worker',
      'AFFINITY_DASHBOARD_PASSWORD=workshop-secret affinity-sync dashboard --port 3917 --dir workshop',
    ]);
  });

  it('has the dashboard port the test rewrites', () => {
    const dashboard = blocks.filter((block) => block.script.includes('3917')).map((block) => block.script);
    expect(dashboard).toEqual([
      'AFFINITY_DASHBOARD_PASSWORD=workshop-secret affinity-sync dashboard --port 3917 --dir workshop',
      "curl -s -u admin:workshop-secret http://127.0.0.1:3917/queues/api/queues | grep -o '\"jobSchedulerCount\":[0-9]*'",
    ]);
    const rewritten = dashboard.map((script) => substitutions(40123).reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), script));
    expect(rewritten.every((script) => script.includes('40123') && !script.includes('3917'))).toBe(true);
  });

  it('matches expected lines in order, with … for elided text, and refuses unknown markers', () => {
    const output = 'Usage: x\n  run  now\n  explain  why\nDone in 1.2 s\n';
    expect(missingExpectedLine(['Usage: x', '…', '  explain  why', 'Done in … s'], output)).toBeUndefined();
    expect(missingExpectedLine(['  explain  why', '  run  now'], output)).toBe('  run  now');
    expect(missingExpectedLine(['Done in 9 s'], output)).toBe('Done in 9 s');
    expect(() => extractWorkshopBlocks('<!-- workshop-test: skipp -->\n```sh\nls\n```\n')).toThrow('unknown workshop-test marker "skipp"');
    expect(() => extractWorkshopBlocks('<!-- workshop-test: skip -->\n```sh\nls\n```\n')).toThrow('say why a block is skipped');
    expect(extractWorkshopBlocks('## 1. A\n<!-- workshop-test: exit 2 -->\n```sh\nfalse\n```\n\n```text\nout\n```\n')).toEqual([
      { line: 3, step: '1. A', script: 'false', mode: { kind: 'run', exitCode: 2, retry: false }, expected: ['out'] },
    ]);
  });
});

describe('docs/workshop.md, command by command', () => {
  let work: string;
  let shell: WorkshopShell;
  let fakes: WorkshopFakes;
  let rewrites: Array<[RegExp, string]>;
  const prefix = `affinity-sync-test-workshop-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'workshop-'));
    symlinkSync(join(repo, 'data'), join(work, 'data'));
    symlinkSync(join(repo, 'schema'), join(work, 'schema'));
    const bin = join(work, '.bin');
    mkdirSync(bin);
    const tsx = createRequire(import.meta.url).resolve('tsx');
    writeFileSync(join(bin, 'affinity-sync'), `#!/bin/sh\nexec node --import "${tsx}" "${join(repo, 'src', 'cli', 'run.ts')}" "$@"\n`);
    chmodSync(join(bin, 'affinity-sync'), 0o755);
    rewrites = substitutions(await freePort());
    fakes = await startWorkshopFakes({ datasets: join(repo, 'data', 'retail-demo-store') });
    const env: NodeJS.ProcessEnv = {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? work,
      TMPDIR: tmpdir(),
      LANG: 'C.UTF-8',
      LOG_LEVEL: 'warn',
      NO_COLOR: '1',
      AFFINITY_QUEUE_PREFIX: prefix,
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      ...fakes.env,
    };
    shell = new WorkshopShell(work, env, join(work, '.workshop-env'));
  }, 60_000);

  afterAll(async () => {
    await shell?.stopAll();
    await fakes?.close();
    await deletePrefix(prefix);
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  for (const block of blocks) {
    if (block.mode.kind === 'skip') continue;
    it(`${block.step || 'intro'}: ${block.script.split('\n')[0]} (docs/workshop.md:${block.line})`, () => runBlock(block), BLOCK_TIMEOUT_MS + RETRY_FOR_MS);
  }

  async function runBlock(block: WorkshopBlock): Promise<void> {
    const script = rewrites.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), block.script);
    if (block.mode.kind === 'background') {
      const child = shell.start(script);
      await sleep(1000);
      expect(child.exitCode, `${block.script} exited at once`).toBeNull();
      return;
    }
    if (block.mode.kind !== 'run') return;
    const { exitCode, retry } = block.mode;
    const deadline = Date.now() + (retry ? RETRY_FOR_MS : 0);
    for (;;) {
      const result = await shell.run(script, BLOCK_TIMEOUT_MS);
      const output = `${result.stdout}\n${result.stderr}`;
      const missing = block.expected ? missingExpectedLine(block.expected, output) : undefined;
      if ((result.code === exitCode && missing === undefined) || Date.now() > deadline) {
        expect(result.code, `exit code of docs/workshop.md:${block.line}; output:\n${output}`).toBe(exitCode);
        expect(missing, `a line of the expected output of docs/workshop.md:${block.line} is missing; output:\n${output}`).toBeUndefined();
        return;
      }
      await sleep(1000);
    }
  }
});
