import { defineConfig } from '@playwright/test';

/**
 * Browser tests of the production path: the portal built and run as the
 * container runs it (`npm run start:prod`), signing in through the local
 * OpenID Provider's login page. Debian's Chromium, never a downloaded one.
 */
export default defineConfig({
  testDir: 'packages/app/e2e-production',
  timeout: 180_000,
  expect: { timeout: 90_000 },
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report/production' }],
    ['json', { outputFile: '.cache/playwright-production-results.json' }],
  ],
  outputDir: 'test-results/production',
  webServer: {
    command:
      'node --openssl-legacy-provider --import tsx scripts/prod/start.ts',
    // Ready is the start script's line: the portal answers its readiness
    // probe over HTTPS with every service behind it up.
    wait: { stdout: /ready: open https/ },
    timeout: 600_000,
    stdout: 'pipe',
    env: { RTI_DEVICES: '200', RTI_PROD_DIR: '.cache/prod-e2e' },
  },
  use: {
    baseURL: 'https://localhost:7007',
    // The portal's certificate comes from the stack's throwaway CA.
    ignoreHTTPSErrors: true,
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
