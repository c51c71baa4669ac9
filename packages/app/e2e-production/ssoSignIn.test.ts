import { Page, expect, test } from '@playwright/test';
import { PEOPLE, Person } from '@internal/production-stand-ins';
import { expectRecordsCharted } from '../e2e-tests/charts';

/*
 * The production path in a browser: the portal as the container runs it
 * (`npm run start:prod`), signing in through the OpenID Provider's own
 * login page, with stream access decided by catalog ownership.
 */

const person = (email: string): Person => PEOPLE.find(p => p.email === email)!;
const mia = person('mia.mobile@example.com'); // mobile-analytics
const pat = person('pat.payments@example.com'); // payments
const nora = person('nora.nobody@example.com'); // no catalog user

const signInButton = (page: Page) =>
  page.getByRole('button', { name: 'Sign in with Example Corp SSO' });
const noCatalogUser = (page: Page) =>
  page.getByText('this portal has no user with your email address');

/** Fills the OpenID Provider's login page in the sign-in window. */
async function loginAtProvider(page: Page, who: Person, password?: string) {
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    signInButton(page).click(),
  ]);
  await expect(
    popup.getByRole('heading', { name: 'Example Corp SSO' }),
  ).toBeVisible();
  expect(new URL(popup.url()).origin).toBe('http://127.0.0.1:4580');
  await popup.getByLabel('Email').fill(who.email);
  await popup.getByLabel('Password').fill(password ?? who.password);
  await popup.getByRole('button', { name: 'Sign in' }).click();
  return popup;
}

/**
 * Signs in through the SSO and waits for the app shell. The catalog reads
 * the org file shortly after the backend is ready; a sign-in before that
 * finds no catalog user, so that answer is retried, twice.
 */
async function signInAs(page: Page, who: Person) {
  const shell = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Real-time Insights' });
  await page.goto('/');
  for (let attempt = 1; ; attempt++) {
    await loginAtProvider(page, who);
    await expect(shell.or(noCatalogUser(page))).toBeVisible();
    if (await shell.isVisible()) return;
    if (attempt === 3) throw new Error(`${who.email} has no catalog user`);
    await page.waitForTimeout(5_000);
  }
}

async function signOut(page: Page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'more' }).click();
  await page.getByRole('menuitem', { name: 'Sign Out' }).click();
  await expect(signInButton(page)).toBeVisible();
  // Signed out at the portal: a reload does not sign in again silently.
  await page.reload();
  await expect(signInButton(page)).toBeVisible();
}

test('the sign-in page offers the SSO only, and its login page refuses a wrong password', async ({
  page,
}) => {
  await page.goto('/');
  await expect(signInButton(page)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enter' })).toHaveCount(0);
  await expect(page.getByText(/guest/i)).toHaveCount(0);

  const popup = await loginAtProvider(page, mia, 'not-her-password');
  await expect(popup.getByRole('alert')).toHaveText('Wrong email or password.');
  await popup.close();
  await expect(page.getByRole('alert')).toContainText(
    'The sign-in window was closed',
  );
});

test("a stream's owning team signs in through the SSO, sees its dashboard with data, and signs out", async ({
  page,
}, testInfo) => {
  await signInAs(page, mia);
  await page.goto('/realtime-insights');
  await expect(page.getByTestId('stream-card-interactions')).toBeVisible();
  await expect(page.getByTestId('stream-card-sensor-readings')).toBeVisible();
  await expect(page.getByTestId('stream-card-transaction-logs')).toHaveCount(0);

  await page.getByRole('link', { name: 'Interactions', exact: true }).click();
  await expect(page).toHaveURL(/\/realtime-insights\/streams\/interactions$/);
  await expectRecordsCharted(page);
  await page.screenshot({ path: testInfo.outputPath('mia-dashboard.png') });

  await signOut(page);
});

test("another team's member sees neither the stream nor its data", async ({
  page,
}) => {
  await signInAs(page, pat);
  await page.goto('/realtime-insights');
  await expect(page.getByTestId('stream-card-transaction-logs')).toBeVisible();
  await expect(page.getByTestId('stream-card-interactions')).toHaveCount(0);

  // Pat's token (the app's bearer) reads Pat's stream's data, and gets
  // 404 for the other team's, as if the stream did not exist.
  const [listing] = await Promise.all([
    page.waitForRequest(r =>
      r.url().endsWith('/api/realtime-insights/streams'),
    ),
    page.goto('/realtime-insights/streams/interactions'),
  ]);
  await expect(
    page.getByText('Stream "interactions" not found or no access'),
  ).toBeVisible();
  await expect(page.getByTestId('record-count-chart')).toHaveCount(0);
  const authorization = (await listing.allHeaders()).authorization;
  expect(authorization).toMatch(/^Bearer /);
  const data = (stream: string, what: string) =>
    page.request.get(`/api/realtime-insights/streams/${stream}/${what}`, {
      headers: { authorization },
    });
  for (const what of ['freshness', 'records']) {
    expect((await data('transaction-logs', what)).status()).toBe(200);
    expect((await data('interactions', what)).status()).toBe(404);
    expect((await data('sensor-readings', what)).status()).toBe(404);
  }

  await signOut(page);
});

test('an SSO account without a catalog user is told why it cannot sign in', async ({
  page,
}) => {
  await page.goto('/');
  await loginAtProvider(page, nora);
  await expect(noCatalogUser(page)).toBeVisible();
  await expect(signInButton(page)).toBeVisible();
});
