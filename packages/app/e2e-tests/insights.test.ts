import { Page, expect, test } from '@playwright/test';
import { expectRecordsCharted } from './charts';
import { signIn } from './signIn';

// Tall enough for full-page screenshots: Backstage pages scroll inside
// their content area, not the document.
test.use({ viewport: { width: 1280, height: 2400 } });

/** The records chart's total and newest non-empty bucket, from its data attributes. */
async function recordChartState(page: Page) {
  const chart = page.getByTestId('record-count-chart');
  return {
    total: Number(await chart.getAttribute('data-total')),
    newest: (await chart.getAttribute('data-newest-bucket')) ?? '',
  };
}

/**
 * A line chart with a line drawn: a curve through at least two points. Not
 * `toBeVisible`: a line whose points share one height (a p50 in the same
 * 1 % bin in every bucket) has an empty bounding box, which Playwright
 * calls hidden.
 */
async function expectLineCharted(page: Page, testId: string) {
  const curve = page.getByTestId(testId).locator('.recharts-line-curve');
  await expect(curve.first()).toHaveAttribute(
    'd',
    /^M[-\d.e]+,[-\d.e]+[LC][-\d.e]+/,
  );
}

async function chooseOption(page: Page, select: RegExp, option: string) {
  await page.getByRole('button', { name: select }).click();
  await page.getByRole('option', { name: option }).click();
}

test('the insights page lists the streams and opens a live stream dashboard', async ({
  page,
}, testInfo) => {
  await signIn(page);

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Real-time Insights' }).click();
  await expect(
    page.getByRole('heading', { name: 'Real-time Insights' }),
  ).toBeVisible();

  // All three demo streams, each with its freshness.
  for (const stream of [
    'interactions',
    'sensor-readings',
    'transaction-logs',
  ]) {
    const card = page.getByTestId(`stream-card-${stream}`);
    await expect(card.getByTestId('newest-event-age')).toHaveText(/ ago$/);
  }
  await expect(page.getByText('Fresh').first()).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('streams-light.png'),
    fullPage: true,
  });

  await page.getByRole('link', { name: 'Interactions', exact: true }).click();
  await expect(page).toHaveURL(/\/realtime-insights\/streams\/interactions$/);
  await expect(
    page.getByRole('heading', { name: 'Interactions' }),
  ).toBeVisible();

  // Devices → local Firehose → S3 → backend → charts.
  await expectRecordsCharted(page);
  await expect(
    page.getByText(/[1-9][\d,]* records · 1m buckets/),
  ).toBeVisible();
  await expect(
    page.getByTestId('distinct-chart').locator('.recharts-line-curve').first(),
  ).toBeVisible();
  await expectLineCharted(page, 'measure-chart-durationMs');
  await expect(
    page
      .getByTestId('breakdown-chart')
      .locator('.recharts-bar-rectangle path')
      .first(),
  ).toBeVisible();
  await expect(page.getByTestId('time-zone')).toHaveText(/^Times in .+\(UTC/);

  // Recent records, with an event's JSON.
  const table = page.getByRole('table', { name: 'Recent records' });
  await expect(table.locator('tbody tr').first()).toBeVisible();
  await page
    .getByRole('button', { name: /^Show JSON of event / })
    .first()
    .click();
  await expect(page.getByTestId('event-json').first()).toContainText(
    '"deviceId"',
  );

  await page.screenshot({
    path: testInfo.outputPath('dashboard-light.png'),
    fullPage: true,
  });

  // Live: newer records arrive without a reload (the newest non-empty
  // minute moves on, or the total grows).
  const first = await recordChartState(page);
  await expect
    .poll(
      async () => {
        const now = await recordChartState(page);
        return now.newest > first.newest || now.total > first.total;
      },
      { timeout: 120_000, intervals: [2_000] },
    )
    .toBe(true);

  // Another range: wider buckets, live off by default.
  await chooseOption(page, /Time range/, 'Last 24 hours');
  await expect(
    page.getByText(/[1-9][\d,]* records · 15m buckets/),
  ).toBeVisible();
  await expect(page.getByTestId('live-status')).toHaveText('Paused');
  await expectRecordsCharted(page);
});

test("a stream entity's page has the Real-time Insights tab, in light and dark theme", async ({
  page,
}, testInfo) => {
  await signIn(page);

  await page.goto('/catalog/default/resource/transaction-logs');
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Real-time Insights' })
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/resource\/transaction-logs\/realtime-insights$/,
  );
  await expectRecordsCharted(page);
  await expectLineCharted(page, 'measure-chart-amount');
  await page.screenshot({
    path: testInfo.outputPath('entity-tab-light.png'),
    fullPage: true,
  });

  // Dark theme through the user settings.
  await page.goto('/settings');
  await page.getByRole('button', { name: /Dark/ }).click();
  await expect(page.locator('body')).toHaveAttribute('data-theme-mode', 'dark');

  await page.goto(
    '/catalog/default/resource/transaction-logs/realtime-insights',
  );
  await expectRecordsCharted(page);
  await page.screenshot({
    path: testInfo.outputPath('entity-tab-dark.png'),
    fullPage: true,
  });

  await page.goto('/realtime-insights/streams/sensor-readings');
  await expectRecordsCharted(page);
  await expectLineCharted(page, 'measure-chart-value');
  await page.screenshot({
    path: testInfo.outputPath('dashboard-dark.png'),
    fullPage: true,
  });
});
