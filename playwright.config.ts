import { defineConfig } from '@playwright/test';

/*
 * Browser tests run in Debian's Chromium (no browser downloads) against the
 * portal that `scripts/start` serves: the same command as the README's first
 * line, so what is tested is what a newcomer runs. A portal already running
 * on :3000 is reused.
 */
export default defineConfig({
  testDir: '.',
  testMatch: [
    'packages/*/e2e-tests/**/*.test.ts',
    'plugins/*/e2e-tests/**/*.test.ts',
  ],
  timeout: 180_000,
  expect: { timeout: 60_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  webServer: {
    command: 'scripts/start',
    url: 'http://localhost:3000',
    reuseExistingServer: true,
    timeout: 600_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  reporter: [
    ['list'],
    ['json', { outputFile: 'test-results/e2e/results.json' }],
    ['html', { open: 'never', outputFolder: 'test-results/e2e/report' }],
  ],
  outputDir: 'test-results/e2e/artifacts',
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
