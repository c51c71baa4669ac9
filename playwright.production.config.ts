import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * Browser tests of the production path: the portal built and run as the
 * container runs it (`npm run start:prod`), signing in through the local
 * OpenID Provider's login page. Same browser and limits as the tests of
 * `npm start` (playwright.config.ts).
 */
export default defineConfig({
  ...base,
  testDir: 'packages/app/e2e-production',
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
    ...base.use,
    baseURL: 'https://localhost:7007',
    // The portal's certificate comes from the stack's throwaway CA.
    ignoreHTTPSErrors: true,
  },
});
