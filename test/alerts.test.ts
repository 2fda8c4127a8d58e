/**
 * Alerts: each rule as a pure function, the Slack-compatible webhook against a local receiver
 * (retries, a timeout, a refused payload), and a real run posting its alerts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertText } from '../src/alerts/alert-text.js';
import { alertsSchema } from '../src/alerts/alerts-schema.js';
import { evaluateAlerts, type RunFacts } from '../src/alerts/evaluate-alerts.js';
import { sendAlertWebhook } from '../src/alerts/send-alert-webhook.js';
import { startAlertReceiver, type AlertReceiver } from './helpers/alert-receiver.js';
import { runCli } from './helpers/run-cli.js';
import { writeTinyShop } from './helpers/tiny-shop.js';

const segment = (label: string, members: number, usersInSegment = members, matched = members) => ({
  label,
  query: `ITEMS.CATEGORY_L1 = "${label}"`,
  usersInSegment,
  matched,
  members,
  error: null,
});
const facts = (overrides: Partial<RunFacts> = {}): RunFacts => ({
  runId: 'shop-20261203T070000Z',
  startedAt: '2026-12-03T07:00:00.000Z',
  segments: [segment('outdoor', 500), segment('jewelry', 166)],
  dataEndsAt: '2026-12-02T23:00:00.000Z',
  ...overrides,
});
const previous = facts({ runId: 'shop-20261202T070000Z', segments: [segment('outdoor', 480), segment('jewelry', 400)] });

describe('alert rules', () => {
  it('fire nothing on a healthy run', () => {
    const rules = alertsSchema.parse({ minMembers: 100, maxMemberChange: 0.6, minMatchRate: 0.9, staleDataDays: 2 });
    expect(evaluateAlerts(rules, facts(), previous)).toEqual([]);
  });

  it('onFailure (on by default) names what failed', () => {
    const rules = alertsSchema.parse({});
    expect(rules).toEqual({ onFailure: true });
    expect(evaluateAlerts(rules, facts({ failure: 'destination 1 (mailchimp): Mailchimp tag members: 401 API Key Invalid' }))).toEqual([
      { rule: 'onFailure', message: 'the run failed: destination 1 (mailchimp): Mailchimp tag members: 401 API Key Invalid' },
    ]);
    expect(evaluateAlerts(alertsSchema.parse({ onFailure: false }), facts({ failure: 'x' }))).toEqual([]);
  });

  it('minMembers fires per segment below the minimum', () => {
    expect(evaluateAlerts(alertsSchema.parse({ minMembers: 200 }), facts())).toEqual([
      { rule: 'minMembers', segment: 'jewelry', message: 'jewelry has 166 members, fewer than the minimum of 200', value: 166, threshold: 200 },
    ]);
  });

  it('maxMemberChange compares each segment with the same query of the previous run', () => {
    expect(evaluateAlerts(alertsSchema.parse({ maxMemberChange: 0.5 }), facts(), previous)).toEqual([
      {
        rule: 'maxMemberChange',
        segment: 'jewelry',
        message: 'jewelry went from 400 to 166 members (-58.5%) since run shop-20261202T070000Z, more than the 50% allowed',
        value: -0.585,
        threshold: 0.5,
      },
    ]);
    // No previous run, or a segment new in this run: nothing to compare.
    expect(evaluateAlerts(alertsSchema.parse({ maxMemberChange: 0.5 }), facts())).toEqual([]);
    expect(evaluateAlerts(alertsSchema.parse({ maxMemberChange: 0.5 }), facts({ segments: [segment('toys', 3)] }), previous)).toEqual([]);
  });

  it('minMatchRate fires when too few USER_IDs matched an email', () => {
    const run = facts({ segments: [segment('outdoor', 400, 500, 410), segment('jewelry', 90, 100, 92)] });
    expect(evaluateAlerts(alertsSchema.parse({ minMatchRate: 0.9 }), run)).toEqual([
      { rule: 'minMatchRate', message: '83.7% of the segments\' USER_IDs matched an email (502 of 600), below the minimum of 90%', value: 502 / 600, threshold: 0.9 },
    ]);
  });

  it('staleDataDays fires when the latest interaction is older than N days at run time', () => {
    const run = facts({ dataEndsAt: '2024-12-16T21:59:00.000Z' });
    expect(evaluateAlerts(alertsSchema.parse({ staleDataDays: 7 }), run)).toEqual([
      { rule: 'staleDataDays', message: 'the latest interaction is from 2024-12-16, 716 days before this run, more than the 7 days allowed', value: 716, threshold: 7 },
    ]);
  });

  it('the block is strict and checks its values', () => {
    const result = alertsSchema.safeParse({ minMatchRate: 1.5, maxMembers: 3 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.code])).toEqual([
      ['minMatchRate', 'too_big'],
      ['', 'unrecognized_keys'],
    ]);
  });

  it('alert text names the campaign and run, and never carries an email address or a key', () => {
    const env = { MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us21' };
    const text = alertText(
      'shop',
      'shop-1',
      [{ rule: 'onFailure', message: 'the run failed: ana@example.com rejected with key 0123456789abcdef0123456789abcdef-us21 and pat-na1-11111111-2222-3333-4444-555555555555' }],
      env,
    );
    expect(text).toBe('affinity-sync: 1 alert for shop, run shop-1\n• onFailure: the run failed: [email] rejected with key [secret] and [secret]');
  });
});

describe('the alert webhook', () => {
  let receiver: AlertReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('posts {"text": …} once when the receiver answers 200', async () => {
    receiver = await startAlertReceiver();
    expect(await sendAlertWebhook(receiver.url, 'hello')).toEqual({ delivered: true, attempts: 1 });
    expect(receiver.received).toEqual([{ text: 'hello' }]);
  });

  it('retries a 503 and a 429, then delivers', async () => {
    receiver = await startAlertReceiver([503, 429]);
    expect(await sendAlertWebhook(receiver.url, 'again', { minDelayMs: 10 })).toEqual({ delivered: true, attempts: 3 });
    expect(receiver.received).toHaveLength(3);
  });

  it('gives up on a webhook that never answers, after a timeout per attempt, without throwing', async () => {
    receiver = await startAlertReceiver(['hang', 'hang', 'hang']);
    const started = Date.now();
    const delivery = await sendAlertWebhook(receiver.url, 'anyone?', { timeoutMs: 150, retries: 2, minDelayMs: 10 });
    expect(delivery).toEqual({ delivered: false, attempts: 3, error: 'no answer within 150 ms' });
    expect(receiver.received).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 150);
  });

  it('does not retry a refused payload (400), and never quotes the URL', async () => {
    receiver = await startAlertReceiver([400]);
    const delivery = await sendAlertWebhook(receiver.url, 'bad', { minDelayMs: 10 });
    expect(delivery).toEqual({ delivered: false, attempts: 1, error: 'HTTP 400' });
    expect(await sendAlertWebhook('hooks.slack.com/services/T/B/secret', 'x')).toEqual({ delivered: false, attempts: 0, error: 'AFFINITY_ALERT_WEBHOOK_URL is not an http(s) URL' });
  });
});

describe('a run with an alerts: block', () => {
  let cwd: string;
  let receiver: AlertReceiver;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'affinity-alerts-'));
    await writeTinyShop(join(cwd, 'data'));
    receiver = await startAlertReceiver();
    await writeFile(
      join(cwd, 'tiny.yaml'),
      [
        'name: tiny',
        'type: new-items',
        'data: data',
        'segment: { provider: local, numResults: 20 }',
        'queries: [ITEMS.CATEGORY_L1 = "outdoor", ITEMS.CATEGORY_L1 = "jewelry"]',
        'destinations: [{ connector: file, dir: out, name: "{{campaign}}-{{label}}" }]',
        'alerts: { minMembers: 19, minMatchRate: 0.95, staleDataDays: 30 }',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await receiver.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it('lists its alerts in the report and posts them to the webhook; the run still succeeds', async () => {
    const result = await runCli(['run', '--json', 'tiny.yaml'], { cwd, env: { LOG_LEVEL: 'silent', AFFINITY_ALERT_WEBHOOK_URL: receiver.url } });
    expect(result.stderr).toMatch(/^started run tiny-\d{8}T\d{6}Z \(tiny\)\n$/);
    expect(result.code).toBe(0);
    const [report] = JSON.parse(result.stdout) as Array<{ runId: string; startedAt: string; alerts: Array<{ rule: string; message: string }>; alertDelivery: unknown }>;
    const days = Math.floor((Date.parse(report!.startedAt) - Date.UTC(2024, 10, 30)) / 86_400_000);
    const messages = [
      'minMembers: outdoor has 18 members, fewer than the minimum of 19',
      'minMembers: jewelry has 18 members, fewer than the minimum of 19',
      "minMatchRate: 90% of the segments' USER_IDs matched an email (36 of 40), below the minimum of 95%",
      `staleDataDays: the latest interaction is from 2024-11-30, ${days.toLocaleString('en-US')} days before this run, more than the 30 days allowed`,
    ];
    expect(report!.alerts.map((alert) => `${alert.rule}: ${alert.message}`)).toEqual(messages);
    expect(report!.alertDelivery).toEqual({ delivered: true, attempts: 1 });
    expect(receiver.received).toEqual([{ text: [`affinity-sync: 4 alerts for tiny, run ${report!.runId}`, ...messages.map((line) => `• ${line}`)].join('\n') }]);
  });

  it('a dry run shows its alerts but posts nothing', async () => {
    const before = receiver.received.length;
    const result = await runCli(['run', '--dry-run', 'tiny.yaml'], { cwd, env: { LOG_LEVEL: 'silent', AFFINITY_ALERT_WEBHOOK_URL: receiver.url } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  ALERT minMembers: outdoor has 18 members, fewer than the minimum of 19\n');
    expect(receiver.received).toHaveLength(before);
  });

  it('validate points at a bad alerts: block', async () => {
    await writeFile(join(cwd, 'bad.yaml'), (await import('node:fs')).readFileSync(join(cwd, 'tiny.yaml'), 'utf8').replace('minMatchRate: 0.95', 'minMatchRate: 95'));
    const result = await runCli(['validate', 'bad.yaml'], { cwd, env: { LOG_LEVEL: 'silent' } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('FAIL  bad.yaml  (1 problem)\n  bad.yaml:7: alerts.minMatchRate: expected a share from 0 to 1, e.g. 0.5 for 50%\n');
  });
});
