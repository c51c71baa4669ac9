import { Page, expect } from '@playwright/test';

/** Waits until the records chart shows bars drawn from real data. */
export async function expectRecordsCharted(page: Page) {
  const chart = page.getByTestId('record-count-chart');
  await expect(chart).toBeVisible();
  await expect(chart).not.toHaveAttribute('data-total', '0');
  await expect(
    chart.locator('.recharts-bar-rectangle path').first(),
  ).toBeVisible();
}
