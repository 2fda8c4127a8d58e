/**
 * Browser tests (`test/browser/*.spec.ts`) in Debian's Chromium: Playwright's own browser download
 * cannot work without internet, so it drives the system binary (`/usr/bin/chromium`, or
 * `CHROMIUM_PATH`). `.ci/run` installs Chromium when it is missing. Screenshots go to
 * `test-results/` (git-ignored).
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '*.spec.ts',
  outputDir: 'test-results/playwright',
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    viewport: { width: 1366, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // As root in a sandbox without network: no sandbox, no GPU, and no background connections.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
