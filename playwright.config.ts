import { defineConfig } from '@playwright/test';

/**
 * Browser tests drive Debian's Chromium (never a downloaded browser) against
 * the whole system as `npm start` runs it: local S3, local Firehose,
 * simulated devices, backend and app.
 */
export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 180_000,
  expect: { timeout: 90_000 },
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
    ['json', { outputFile: '.cache/playwright-results.json' }],
  ],
  outputDir: 'test-results',
  webServer: {
    command: 'node --openssl-legacy-provider --import tsx scripts/dev/start.ts',
    // The app answers before the stack is ready: a guest signed in before
    // the catalog holds its teams gets a token without them (no Admin
    // button for that browser session). Ready is the start script's line,
    // and only that: with a `url` as well, Playwright goes on at whichever
    // comes first (seen: the admin test signed in a second before "ready").
    // So the tests always start their own stack; stop a running one first.
    wait: { stdout: /ready: open http/ },
    timeout: 420_000,
    stdout: 'pipe',
    env: { RTI_DEVICES: '200', RTI_DATA_DIR: '.cache/e2e' },
  },
  use: {
    baseURL: 'http://localhost:3000',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.RTI_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
