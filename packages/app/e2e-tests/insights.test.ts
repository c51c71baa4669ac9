import { expect, test } from '@playwright/test';

test('the insights page charts live records from the simulated devices', async ({
  page,
}, testInfo) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Real-time Insights' }).click();
  await expect(
    page.getByRole('heading', { name: 'Real-time Insights' }),
  ).toBeVisible();

  const chart = page.getByTestId('record-count-chart');
  await expect(chart).toBeVisible();
  // Devices → local Firehose → S3 → backend → chart: wait for real data,
  // then for bars drawn from it.
  await expect(
    page.getByText(/[1-9][\d,]* records · (live|refreshes)/),
  ).toBeVisible();
  await expect(
    chart.locator('.recharts-bar-rectangle path').first(),
  ).toBeVisible();

  const subheader = await page
    .getByText(/records · (live|refreshes)/)
    .textContent();
  const firstTotal = Number(
    subheader!.match(/([\d,]+) records/)![1].replace(/,/g, ''),
  );
  expect(firstTotal).toBeGreaterThan(0);

  await page.screenshot({
    path: testInfo.outputPath('insights-light.png'),
    fullPage: true,
  });

  // Live: the total grows as more minutes of device records arrive.
  await expect
    .poll(
      async () => {
        const text = await page
          .getByText(/records · (live|refreshes)/)
          .textContent();
        return Number(text!.match(/([\d,]+) records/)![1].replace(/,/g, ''));
      },
      { timeout: 90_000, intervals: [2_000] },
    )
    .toBeGreaterThan(firstTotal);
});
