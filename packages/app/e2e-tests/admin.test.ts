import { Page, expect, test } from '@playwright/test';

const TTL = 'Cache time to live (seconds)';

/**
 * Signs in as the guest (a member of rti-admins in the demo org) if asked,
 * and opens the admin page through the insights page's Admin link.
 */
async function openAdminPage(page: Page) {
  // What the portal decided, in the report should the Admin button not show.
  page.on('response', async response => {
    if (response.url().includes('/api/permission/authorize')) {
      // eslint-disable-next-line no-console
      console.log(
        `permission ${response.status()}: ${await response
          .text()
          .catch(() => '')}`,
      );
    }
  });
  await page.goto('/realtime-insights');
  const enter = page.getByRole('button', { name: 'Enter' });
  const admin = page.getByRole('button', { name: 'Admin' });
  await expect(enter.or(admin)).toBeVisible();
  if (await enter.isVisible()) await enter.click();
  await admin.click();
  await expect(page).toHaveURL(/\/realtime-insights\/admin$/);
  await expect(
    page.getByRole('heading', { name: 'Real-time Insights admin' }),
  ).toBeVisible();
}

test('an admin changes a setting, and it is in effect after a reload', async ({
  page,
}, testInfo) => {
  await openAdminPage(page);
  const ttl = page.getByRole('spinbutton', { name: TTL, exact: true });
  await expect(ttl).toBeVisible();
  const next = (await ttl.inputValue()) === '7200' ? '3600' : '7200';

  // Checked as typed: a value the backend would refuse cannot be saved.
  await ttl.fill('0');
  await expect(page.getByText('must be at least 1')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Save/ })).toBeDisabled();

  await ttl.fill(next);
  await page.getByRole('button', { name: 'Save (1)' }).click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();

  // Read back from the backend (its database), in the dark theme.
  await page.evaluate(() => window.localStorage.setItem('theme', 'dark'));
  await page.reload();
  await expect(
    page.getByRole('spinbutton', { name: TTL, exact: true }),
  ).toHaveValue(next);
  await expect(
    page.getByTestId('setting-cache.ttlSeconds').getByText('changed'),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('admin-settings-dark.png'),
    fullPage: true,
  });

  // Leave the demo as it was: back to the app-config default.
  await page
    .getByRole('button', { name: `Reset ${TTL} to its default` })
    .click();
  await page.getByRole('button', { name: 'Save (1)' }).click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await expect(
    page.getByRole('spinbutton', { name: TTL, exact: true }),
  ).toHaveValue('86400');
  await page.evaluate(() => window.localStorage.removeItem('theme'));
});
