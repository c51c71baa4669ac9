import { Download, Page, expect, test } from '@playwright/test';
import fs from 'node:fs';
import { signIn } from './signIn';

const BACKEND = 'http://localhost:7007';
const API = `${BACKEND}/api/realtime-insights`;
const STREAM = 'transaction-logs';
const COLUMNS = [
  'eventId',
  'ts',
  'arrivedAt',
  'deviceId',
  'customerId',
  'status',
  'currency',
  'merchantCategory',
  'declineReason',
  'amount',
  'latencyMs',
];

/** RFC 4180, as a spreadsheet reads the file. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

/** The signed-in guest's Backstage token, as the app holds it. */
async function guestToken(page: Page): Promise<string> {
  const response = await page.request.get(`${BACKEND}/api/auth/guest/refresh`);
  expect(response.ok()).toBe(true);
  return (await response.json()).backstageIdentity.token;
}

/** Clicks a link in the page, as the report components do. */
async function clickLink(page: Page, url: string): Promise<Download> {
  const download = page.waitForEvent('download');
  await page.evaluate(href => {
    const link = document.createElement('a');
    link.href = href;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }, url);
  return download;
}

/** Checks a raw CSV report of the range; resolves with its data rows. */
async function checkCsv(download: Download, fromMs: number, toMs: number) {
  const rows = parseCsv(fs.readFileSync(await download.path(), 'utf8'));
  expect(rows[0]).toEqual(COLUMNS);
  const data = rows.slice(1);
  expect(data.length).toBeGreaterThan(0);
  for (const row of data) {
    expect(row).toHaveLength(COLUMNS.length);
    const ts = Date.parse(row[1]);
    expect(ts).toBeGreaterThanOrEqual(fromMs);
    expect(ts).toBeLessThan(toMs);
    expect(row[5]).toMatch(/^(approved|declined|pending)$/);
    expect(Number(row[9])).not.toBeNaN();
  }
  // Every event once.
  expect(new Set(data.map(r => r[0])).size).toBe(data.length);
  return data;
}

test('downloads a CSV report of a stream, as a job too, shares it and revokes the link', async ({
  page,
  browser,
}, testInfo) => {
  // Waits for a minute of device data to settle before comparing exports.
  test.setTimeout(300_000);
  await signIn(page);
  await page.goto(`/realtime-insights/streams/${STREAM}`);
  // Wait for data: devices → local Firehose → S3 → backend → chart.
  const chart = page.getByTestId('record-count-chart');
  await expect(chart).toBeVisible();
  await expect(chart).not.toHaveAttribute('data-total', '0');
  await expect(page.getByTestId('report-actions')).toBeAttached();

  const button = page
    .getByTestId('report-actions')
    .getByRole('button', { name: 'Report' });
  if (await button.isVisible()) {
    // The dashboard's toolbar has the report button: through the dialog.
    testInfo.annotations.push({ type: 'path', description: 'dashboard' });
    await button.click();
    await page.getByLabel(/^Raw records/).check();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(
      /^transaction-logs-raw-\d{8}T\d{4}-\d{8}T\d{4}\.csv$/,
    );
    await checkCsv(file, 0, Date.now() + 60_000);
    await expect(page.getByText(/is downloading/)).toBeVisible();
    await page.getByRole('button', { name: 'Close' }).click();
  } else {
    testInfo.annotations.push({
      type: 'path',
      description:
        "the dashboard's report slot is empty: backend API with the page's token and cookie",
    });
  }

  // Through the API, as the button does it: the token for the JSON call,
  // the portal's user cookie for the download link the browser opens.
  const token = await guestToken(page);
  const auth = { Authorization: `Bearer ${token}` };
  // A range that ended a while ago: devices send a minute of events at a
  // time, so every event of it has landed (and the two exports below agree).
  await page.waitForTimeout(60_000);
  const toMs = Date.now() - 90_000;
  const fromMs = toMs - 3 * 60_000;
  const asked = {
    stream: STREAM,
    kind: 'raw',
    format: 'csv',
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
  };
  const direct = await page.request.post(`${API}/reports`, {
    headers: auth,
    data: asked,
  });
  expect(direct.status()).toBe(200);
  const { delivery, exportPath } = await direct.json();
  expect(delivery).toBe('direct');

  // Without the cookie (a browser that never signed in), the link is refused.
  const cookieless = await browser.newContext();
  const anonymous = await cookieless.request.get(`${API}${exportPath}`);
  expect(anonymous.status()).toBe(401);
  await cookieless.close();
  const cookie = await page.request.get(`${API}/.backstage/auth/v1/cookie`, {
    headers: auth,
  });
  expect(cookie.ok()).toBe(true);
  const directRows = await checkCsv(
    await clickLink(page, `${API}${exportPath}`),
    fromMs,
    toMs,
  );

  // The same report as a job: queued, run by the scheduler, downloaded.
  const created = await page.request.post(`${API}/reports`, {
    headers: auth,
    data: { ...asked, delivery: 'job' },
  });
  expect(created.status()).toBe(202);
  const { id, fileName } = (await created.json()).report;
  await expect
    .poll(
      async () =>
        (
          await (
            await page.request.get(`${API}/reports/${id}`, { headers: auth })
          ).json()
        ).status,
      { timeout: 60_000 },
    )
    .toBe('succeeded');
  const jobRows = await checkCsv(
    await clickLink(page, `${API}/reports/${id}/download`),
    fromMs,
    toMs,
  );
  expect(jobRows.map(r => r[0]).sort()).toEqual(
    directRows.map(r => r[0]).sort(),
  );

  // A shared link works in a browser that never signed in.
  const shared = await page.request.post(`${API}/reports/${id}/shares`, {
    headers: auth,
    data: { expiresInHours: 1 },
  });
  expect(shared.status()).toBe(201);
  const link = `${API}${(await shared.json()).path}`;
  const stranger = await browser.newContext();
  const outsider = await stranger.newPage();
  await outsider.goto('about:blank');
  const sharedRows = await checkCsv(
    await clickLink(outsider, link),
    fromMs,
    toMs,
  );
  expect(sharedRows).toEqual(jobRows);

  // Its owner revokes the link in the portal; then it no longer opens.
  await page.goto(`/realtime-insights/streams/${STREAM}`);
  await page
    .getByRole('row')
    .filter({ hasText: fileName })
    .getByRole('button', { name: 'Share' })
    .click();
  const links = page.getByRole('list', { name: 'Active links' });
  await expect(links.getByRole('listitem')).toHaveCount(1);
  await links.getByRole('button', { name: /^Revoke/ }).click();
  await expect(page.getByText('No active links.')).toBeVisible();
  const refused = await stranger.request.get(link);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toBe(
    'This shared link was revoked; ask its sender for a new one',
  );
  await stranger.close();
});
