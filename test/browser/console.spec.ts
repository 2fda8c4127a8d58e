/**
 * The console in Debian's Chromium, on real runs of the bundled campaigns (and one to the Mailchimp
 * and HubSpot stand-ins): each page shows the runs' numbers, the charts draw, the links point at
 * the audiences, basic auth is enforced, and no email address appears. A screenshot of each page
 * goes to test-results/console/.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { FAKE_WEB_ID } from '../../connectors/mailchimp/fake-mailchimp.js';
import { FAKE_PORTAL_ID } from '../../connectors/hubspot/testing/fake-hubspot-server.js';
import { PASSWORD, repo, setUpConsoleProject, type ConsoleProject, type RunReportJson } from './console-project.js';

const SCREENSHOTS = join(repo, 'test-results/console');
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

let project: ConsoleProject;

test.describe.configure({ mode: 'serial' });
test.use({ httpCredentials: { username: 'admin', password: PASSWORD } });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  project = await setUpConsoleProject();
});

test.afterAll(async () => {
  await project?.close();
});

const latest = (campaign: string): RunReportJson => project.reports.filter((report) => report.campaign === campaign).at(-1)!;
const members = (report: RunReportJson): number => report.segments.reduce((sum, segment) => sum + segment.members, 0);

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The few DOM types the page functions use (the project compiles without the DOM library). */
interface CanvasLike {
  width: number;
  height: number;
  dataset: Record<string, string | undefined>;
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> } } | null;
}
interface DocumentLike {
  documentElement: { getAttribute(name: string): string | null };
  querySelectorAll(selector: string): Iterable<CanvasLike>;
}

/** Painted (non-transparent) pixels of each chart canvas of the page. */
async function paintedPixels(page: Page): Promise<Record<string, number>> {
  await page.waitForFunction(() => (globalThis as unknown as { document: DocumentLike }).document.documentElement.getAttribute('data-charts-drawn') === 'true');
  return page.evaluate(() => {
    const counts: Record<string, number> = {};
    for (const canvas of (globalThis as unknown as { document: DocumentLike }).document.querySelectorAll('canvas[data-chart]')) {
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let index = 3; index < pixels.length; index += 4) if (pixels[index]! > 0) painted += 1;
      counts[canvas.dataset.chart!] = painted;
    }
    return counts;
  });
}

async function expectNoEmail(page: Page): Promise<void> {
  expect(await page.content()).not.toMatch(EMAIL);
}

test('basic auth is enforced on the console, its assets and Bull Board', async () => {
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  for (const path of ['', 'campaigns/new-arrivals', 'overlap', 'assets/chart.umd.min.js', 'queues']) {
    const anonymous = await fetch(`${project.url}${path}`);
    expect(anonymous.status, path).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
    expect((await fetch(`${project.url}${path}`, { headers: basic('admin', 'not the password') })).status, path).toBe(401);
    expect((await fetch(`${project.url}${path}`, { headers: basic('admin', PASSWORD) })).status, path).toBe(200);
  }
  expect(new URL(project.url).hostname).toBe('127.0.0.1');
});

test('campaigns page: every campaign file with its schedule, last run and audience links', async ({ page }) => {
  await page.goto(project.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Campaigns');
  for (const name of ['winter-clearance', 'new-arrivals', 'crm-launch']) await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();

  const winter = page.locator('section[data-campaign="winter-clearance"]');
  await expect(winter.locator('dd').filter({ hasText: '0 6 * * 1' })).toContainText('Europe/Berlin');
  await expect(winter.locator('[data-next-run]')).toHaveText(/^Mon, [A-Z][a-z]{2} \d{1,2}, \d{4}, 06:00 GMT\+1$/);
  // The last run of winter-clearance is the enqueued dry run.
  await expect(winter.locator('dd').filter({ hasText: 'enqueue' })).toContainText('dry run');

  const arrivals = page.locator('section[data-campaign="new-arrivals"]');
  await expect(arrivals.locator('[data-next-run]')).toHaveText(/07:30 EST$/);
  for (const segment of latest('new-arrivals').destinations[0]!.segments) {
    const path = segment.sync!.audience.location!;
    const link = arrivals.locator(`a[href="${pathToFileURL(path).href}"]`);
    await expect(link).toHaveText(`campaigns/../out/audiences/${segment.sync!.audience.name}.csv`.replace('campaigns/../', ''));
  }

  const crm = latest('crm-launch');
  const tag = crm.destinations[0]!.segments[0]!.sync!.audience;
  const list = crm.destinations[1]!.segments[0]!.sync!.audience;
  const crmSection = page.locator('section[data-campaign="crm-launch"]');
  await expect(crmSection.locator('a[data-connector="mailchimp"]')).toHaveAttribute(
    'href',
    `https://us21.admin.mailchimp.com/lists/segments/members/tags-filter?list_id=${FAKE_WEB_ID}&tag_ids%5B%5D=${tag.id}`,
  );
  await expect(crmSection.locator('a[data-connector="hubspot"]')).toHaveAttribute('href', `https://app.hubspot.com/contacts/${FAKE_PORTAL_ID}/objectLists/${list.id}`);
  await expectNoEmail(page);
  await screenshot(page, 'campaigns');
});

test("campaign history: charts draw, the runs table has every run, the change in members is right", async ({ page }) => {
  await page.goto(`${project.url}campaigns/winter-clearance`);
  const painted = await paintedPixels(page);
  expect(Object.keys(painted).sort()).toEqual(['changes', 'matchRate', 'members']);
  for (const [chart, pixels] of Object.entries(painted)) expect(pixels, chart).toBeGreaterThan(2000);

  const rows = page.locator('table[data-table="runs"] tbody tr');
  await expect(rows).toHaveCount(3);
  const [first, second] = project.reports.filter((report) => report.campaign === 'winter-clearance');
  const newest = rows.nth(0);
  await expect(newest.locator('td').nth(0)).toHaveText('enqueue');
  await expect(newest.locator('td').nth(3)).toHaveText('dry run');
  // The dry run plans the second run's segments again: the file is rewritten with the same members.
  await expect(newest.locator('td').nth(6)).toHaveText(`≤ ${members(second!).toLocaleString('en-US')}`);
  const secondRow = rows.filter({ hasText: second!.runId });
  await expect(secondRow.locator('td').nth(5)).toHaveText(members(second!).toLocaleString('en-US'));
  const change = members(second!) - members(first!);
  await expect(secondRow.locator('td').last()).toHaveText(`−${Math.abs(change).toLocaleString('en-US')}`);
  // Both real runs found the data stale (it ends 2024-12-16; the rule allows 30 days).
  const alerts = page.locator('table[data-table="alerts"] tbody tr');
  for (const runId of [first!.runId, second!.runId]) await expect(alerts.filter({ hasText: runId }).filter({ hasText: 'staleDataDays' })).toHaveCount(1);
  await expectNoEmail(page);
  await screenshot(page, 'campaign-history');
});

test('run page: each segment in each destination, with the link to its audience', async ({ page }) => {
  const run = latest('crm-launch');
  await page.goto(project.url);
  await page.locator('section[data-campaign="crm-launch"]').getByRole('link', { name: run.runId }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Run ${run.runId}`);
  const rows = page.locator('table[data-table="audiences"] tbody tr');
  await expect(rows).toHaveCount(2);
  const segment = run.segments[0]!;
  await expect(rows.nth(0).locator('td').nth(2)).toHaveText(segment.members.toLocaleString('en-US'));
  await expect(rows.nth(0)).toContainText('mailchimp');
  await expect(rows.nth(1)).toContainText('hubspot');
  await expect(rows.nth(1).locator('a[data-connector="hubspot"]')).toHaveAttribute('href', new RegExp(`/contacts/${FAKE_PORTAL_ID}/objectLists/\\d+$`));
  await expectNoEmail(page);
  await screenshot(page, 'run');
});

test('overlap: the share of members two audiences have in common, from the store', async ({ page }) => {
  // Expected from the audience files the file connector wrote.
  const [footwear, jewelry] = await Promise.all(
    latest('new-arrivals').destinations[0]!.segments.map(async (segment) => {
      const text = await readFile(segment.sync!.audience.location!, 'utf8');
      return new Set(text.trim().split('\n').slice(1).map((line) => createHash('sha256').update(line.split(',')[0]!).digest('hex')));
    }),
  );
  const both = [...footwear!].filter((hash) => jewelry!.has(hash)).length;
  await page.goto(`${project.url}overlap?campaign=new-arrivals`);
  const table = page.locator('table[data-table="overlap"]');
  const row = table.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: /footwear/ }) });
  const cell = row.locator('td.cell').nth(1);
  await expect(cell).toHaveText(`${((both / footwear!.size) * 100).toFixed(1)} %${both.toLocaleString('en-US')} member${both === 1 ? '' : 's'}`);
  await page.goto(`${project.url}overlap`);
  await expect(page.locator('table[data-table="overlap"] tbody tr')).toHaveCount(await page.locator('table[data-table="overlap"] thead th').count());
  // crm-launch syncs one segment to Mailchimp and to HubSpot under one name: the rows say which is which.
  const tag = page.getByRole('rowheader', { name: /^affinity crm-launch footwear \(mailchimp\)/ });
  const list = page.getByRole('rowheader', { name: /^affinity crm-launch footwear \(hubspot\)/ });
  await expect(tag).toHaveCount(1);
  await expect(list).toHaveCount(1);
  await expectNoEmail(page);
  await screenshot(page, 'overlap');
});

test('an unknown campaign is a 404 that says so, on the campaign and the overlap pages', async ({ page }) => {
  for (const path of ['campaigns/nope', 'overlap?campaign=nope']) {
    const response = await page.goto(`${project.url}${path}`);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('main')).toContainText('No campaign named “nope”');
  }
});

test('Bull Board is served under /queues', async ({ page }) => {
  await page.goto(`${project.url}queues`);
  await expect(page).toHaveTitle('Bull Dashboard');
});
