/**
 * The crash test of issue 11 as a benchmark: a queue worker (a child process) syncs a 4,800-member
 * segment into the Mailchimp stand-in (100 ms answer latency; 10 tag calls of 500, 9 at a time) and
 * is killed with SIGKILL the moment the stand-in receives its k-th tag call; a second worker takes
 * the stalled sync job over (BullMQ, real Redis) and finishes it, with the audience's snapshot and
 * its chunks in flight in a shared SQLite state store.
 *
 * What was sent twice is counted from the stand-in's own request log (`FakeMailchimp.segmentWrites`:
 * every `members_to_add` it received), not from our code: adds re-sent = adds received − distinct
 * emails added. Target: at most one chunk (500). The state-store and report columns are context.
 *
 * `npm run bench -- --only sync-crash` (about a minute: one row per kill point).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeMailchimp, serveFakeMailchimp } from '../connectors/mailchimp/fake-mailchimp.js';
import { syncJobId } from '../src/queue/campaign-processor.js';
import { CampaignQueue } from '../src/queue/campaign-queue.js';
import { openSqlite, SQLITE_STATE_FILE } from '../src/state/open-state-store.js';
import { spawnChildWorker, type ChildWorker } from '../test/helpers/queue-child-worker.js';
import { deletePrefix, uniqueQueueSettings, waitForJobEnd } from '../test/helpers/queue-redis.js';
import type { BenchModule, BenchRow } from './run.js';
import { crashBenchEmail } from './sync-crash-worker.js';

const MEMBERS = 4_800;
const BATCH_SIZE = 500;
const CONNECTIONS = 9;
const LATENCY_MS = 100;
const CAMPAIGN = 'crash-bench';
const workerScript = fileURLToPath(new URL('./sync-crash-worker.ts', import.meta.url));
const repoRoot = resolve(import.meta.dirname, '..');

/** What the stand-in saw around the kill. */
interface KillMoment {
  at: number;
  /** Requests received and not yet answered when the k-th tag call arrived (the tag calls in flight). */
  unanswered: number;
  /** Tag calls received up to and including the k-th. */
  tagCalls: number;
}

function campaignYaml(baseUrl: string, listId: string): string {
  return [
    `name: ${CAMPAIGN}`,
    'type: new-items',
    `data: ${JSON.stringify(join(repoRoot, 'data/retail-demo-store'))}`,
    'queries:',
    `  - 'ITEMS.CATEGORY_L1 = "footwear"'`,
    'segment:',
    '  provider: local',
    `  numResults: ${MEMBERS}`,
    'destinations:',
    '  - connector: mailchimp',
    `    audienceId: ${listId}`,
    `    baseUrl: ${baseUrl}`,
    '    tag: "affinity {{campaign}}"',
    '',
  ].join('\n');
}

/** Chunks the sync left in flight (begun, never confirmed), and their members, read from the store. */
async function chunksLeftInFlight(stateDir: string): Promise<{ chunks: number; members: number }> {
  const store = openSqlite(join(stateDir, SQLITE_STATE_FILE));
  try {
    const rows = await store.db.selectFrom('sync_chunks_in_flight').select('email_hashes').execute();
    return { chunks: rows.length, members: rows.reduce((sum, row) => sum + (JSON.parse(row.email_hashes) as string[]).length, 0) };
  } finally {
    await store.close();
  }
}

/** Recovered members from the sync job's report (`report.segments[0].sync.recovered`). */
function recoveredOf(returnvalue: unknown): number | undefined {
  const report = (returnvalue as { report?: { segments?: Array<{ sync?: { recovered?: number } }> } } | undefined)?.report;
  return report?.segments?.[0]?.sync?.recovered;
}

/** When to kill the first worker: a label and the request (seen by the stand-in) that triggers it. */
export interface KillPoint {
  label: string;
  /** `tagCalls`: tag calls received so far, this one included. */
  when(method: string, path: string, tagCalls: number): boolean;
}

/**
 * One crash: kill the first worker when the stand-in receives the request `point` names; one row.
 * `withState: false` runs the workers without a state store (only the queue's chunk checkpoints),
 * the behaviour before sync state: the control that shows the stand-in's count does see re-sends.
 */
export async function benchCrash(point: KillPoint, withState = true): Promise<BenchRow> {
  const settings = uniqueQueueSettings();
  const dir = await mkdtemp(join(tmpdir(), 'bench-sync-crash-'));
  const stateDir = join(dir, 'state');
  const fake = new FakeMailchimp();
  for (let index = 0; index < MEMBERS; index += 1) fake.members.set(crashBenchEmail(index), 'subscribed');
  let first: ChildWorker | undefined;
  let kill: KillMoment | undefined;
  const handle = fake.handle.bind(fake);
  fake.handle = (method, path, query, body) => {
    const answer = handle(method, path, query, body);
    const tagCalls = fake.segmentWrites.filter((write) => write.add.length > 0).length;
    if (kill === undefined && first && point.when(method, path, tagCalls)) {
      first.process.kill('SIGKILL');
      kill = { at: Date.now(), unanswered: fake.inFlight, tagCalls };
    }
    return answer;
  };
  const server = await serveFakeMailchimp(fake, { latencyMs: LATENCY_MS });
  const queue = await CampaignQueue.open(settings);
  const workers: ChildWorker[] = [];
  try {
    const file = join(dir, `${CAMPAIGN}.yaml`);
    await writeFile(file, campaignYaml(server.baseUrl, fake.listId));
    const env = { MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us1', BENCH_STATE_DIR: withState ? stateDir : 'none', BENCH_MEMBERS: String(MEMBERS) };
    first = await spawnChildWorker(settings, { script: workerScript, env });
    workers.push(first);
    const { jobId } = await queue.enqueue({ campaign: CAMPAIGN, campaignFile: file });
    // A kill point that never comes would leave the first worker idle forever: give up after a minute.
    const giveUp = setTimeout(() => first?.process.kill('SIGKILL'), 60_000);
    const exit = await first.exited;
    clearTimeout(giveUp);
    if (exit.signal !== 'SIGKILL' || kill === undefined) throw new Error(`the first worker ended before the kill point "${point.label}" (${exit.code ?? exit.signal}): ${first.output()}`);
    const writesByFirst = fake.segmentWrites.length;
    const inFlight = withState ? await chunksLeftInFlight(stateDir) : undefined;

    const second = await spawnChildWorker(settings, { script: workerScript, env });
    workers.push(second);
    const { state } = await waitForJobEnd(queue.queue, jobId, 120_000);
    const recoveryMs = Date.now() - kill.at;
    if (state !== 'completed') throw new Error(`the run ${state} after the crash: ${second.output()}`);
    const syncJob = await queue.queue.getJob(syncJobId(jobId, 0));

    const timesAdded = new Map<string, number>();
    for (const write of fake.segmentWrites) for (const email of write.add) timesAdded.set(email, (timesAdded.get(email) ?? 0) + 1);
    const addsReceived = [...timesAdded.values()].reduce((sum, times) => sum + times, 0);
    const resent = addsReceived - timesAdded.size;
    const addsBySecond = fake.segmentWrites.slice(writesByFirst).reduce((sum, write) => sum + write.add.length, 0);
    const tagged = fake.segments[0]?.members.size ?? 0;
    return {
      'state store': withState ? 'SQLite' : 'none (control)',
      'SIGKILL when the stand-in receives': point.label,
      'requests unanswered at kill': kill.unanswered,
      'tag calls received from worker 1': writesByFirst,
      'chunks left in flight (store)': inFlight ? `${inFlight.chunks} (${inFlight.members} members)` : 'n/a',
      'recovered by worker 2': withState ? (recoveredOf(syncJob?.returnvalue) ?? '?') : 'n/a',
      'adds sent by worker 2': addsBySecond,
      'adds re-sent (stand-in)': resent,
      [`≤ ${BATCH_SIZE} (one chunk)`]: resent <= BATCH_SIZE ? 'yes' : 'NO',
      'tag complete': tagged === MEMBERS ? `${tagged}/${MEMBERS}` : `${tagged}/${MEMBERS} (missing ${MEMBERS - tagged})`,
      'kill → run completed s': (recoveryMs / 1000).toFixed(1),
    };
  } finally {
    for (const worker of workers) if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
    await queue.close();
    await deletePrefix(settings.prefix);
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const CHUNKS = Math.ceil(MEMBERS / BATCH_SIZE);
const isTagCall = (method: string, path: string): boolean => method === 'POST' && /\/segments\/\d+$/.test(path);
const tagCall = (number: number, why: string): KillPoint => ({
  label: `tag call ${number} of ${CHUNKS} (${why})`,
  when: (method, path, tagCalls) => isTagCall(method, path) && tagCalls === number,
});

/**
 * Kill points: the first read of the audience's member statuses (chunks begun, nothing tagged yet),
 * the first tag call, the last of the first wave (every connection busy), the last chunk.
 */
export const killPoints: readonly KillPoint[] = [
  { label: 'first member-status read (no tag call yet)', when: (method, path) => method === 'GET' && /\/lists\/[^/]+\/members$/.test(path) },
  tagCall(1, 'first wave starting'),
  tagCall(Math.min(CONNECTIONS, CHUNKS), `all ${Math.min(CONNECTIONS, CHUNKS)} connections busy`),
  tagCall(CHUNKS, 'last chunk'),
];

export const bench: BenchModule = {
  name:
    `Crash test: SIGKILL of a worker mid-sync, a second worker takes the stalled job over; ${MEMBERS.toLocaleString('en-US')} members into the Mailchimp stand-in ` +
    `(${LATENCY_MS} ms latency, ${BATCH_SIZE} per tag call, ${CONNECTIONS} at a time), SQLite state store; re-sent adds counted by the stand-in`,
  async run() {
    const rows: BenchRow[] = [];
    for (const point of killPoints) rows.push(await benchCrash(point));
    // The control: the worst kill point without sync state, to show the stand-in's count sees re-sends.
    rows.push(await benchCrash(killPoints[2]!, false));
    return rows;
  },
};
