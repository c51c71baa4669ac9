import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { ReportShare } from '@internal/plugin-realtime-insights-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ReportsList } from './ReportsList';
import { realtimeInsightsReportsApiRef } from './reportsApi';
import {
  BASE,
  captureDownloads,
  job,
  share,
  testReportsClient,
} from './__testUtils__/reportsBackend';

const DONE = job({
  id: '22222222-2222-4222-8222-222222222222',
  status: 'succeeded',
  fileName: 'done.csv',
  sizeBytes: 2048,
  finishedAt: '2026-11-24T09:05:00.000Z',
  expiresAt: '2026-12-01T09:05:00.000Z',
  progress: { ...job().progress, fraction: 1, rowsWritten: 10 },
});
const FAILED = job({
  id: '33333333-3333-4333-8333-333333333333',
  status: 'failed',
  fileName: 'failed.csv',
  error: 'The stream is no longer registered',
  attempts: 3,
});

function render() {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [realtimeInsightsReportsApiRef, testReportsClient()],
        [
          permissionApiRef,
          // Allows everything (the share permission among it).
          mockApis.permission(),
        ],
      ]}
    >
      <ReportsList stream="transaction-logs" />
    </TestApiProvider>,
  );
}

describe('ReportsList', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let downloads: string[];
  let listedStreams: Array<string | null>;

  beforeEach(() => {
    listedStreams = [];
    downloads = captureDownloads();
    server.use(
      http.get(`${BASE}/reports`, ({ request }) => {
        listedStreams.push(new URL(request.url).searchParams.get('stream'));
        return HttpResponse.json({ items: [DONE, FAILED] });
      }),
      http.get(`${BASE}/.backstage/auth/v1/cookie`, () =>
        HttpResponse.json({ expiresAt: '2026-11-24T10:00:00.000Z' }),
      ),
    );
  });
  afterEach(() => jest.restoreAllMocks());

  const rowOf = async (name: string) =>
    (await screen.findByText(name)).closest('tr') as HTMLElement;

  it('lists the user’s reports and downloads a finished one again', async () => {
    await render();
    const done = await rowOf('done.csv');
    expect(within(done).getByText('Ready: 10 rows, 2 KiB')).toBeInTheDocument();
    const failed = await rowOf('failed.csv');
    expect(
      within(failed).getByText('Failed: The stream is no longer registered'),
    ).toBeInTheDocument();
    expect(
      within(failed).queryByRole('button', { name: 'Download' }),
    ).toBeNull();

    expect(listedStreams[0]).toBe('transaction-logs');
    fireEvent.click(within(done).getByRole('button', { name: 'Download' }));
    await waitFor(() =>
      expect(downloads).toEqual([`${BASE}/reports/${DONE.id}/download`]),
    );
  });

  it('shares a finished report as an expiring link, with the share permission', async () => {
    const asked: unknown[] = [];
    let shares: ReportShare[] = [];
    server.use(
      http.get(`${BASE}/reports/:id/shares`, () =>
        HttpResponse.json({ items: shares }),
      ),
      http.post(`${BASE}/reports/:id/shares`, async ({ request, params }) => {
        asked.push([params.id, await request.json()]);
        shares = [share({ id: 'share-1' })];
        return HttpResponse.json(
          {
            id: 'share-1',
            reportId: DONE.id,
            path: `/shared-reports/share-1?expires=1764000000000&signature=abc`,
            expiresAt: '2026-11-25T09:00:00.000Z',
          },
          { status: 201 },
        );
      }),
    );
    await render();
    const done = await rowOf('done.csv');
    expect(
      within(await rowOf('failed.csv')).queryByRole('button', {
        name: 'Share',
      }),
    ).toBeNull();
    fireEvent.click(within(done).getByRole('button', { name: 'Share' }));
    expect(await screen.findByText('No active links.')).toBeInTheDocument();
    fireEvent.change(await screen.findByLabelText('Link lifetime (hours)'), {
      target: { value: '48' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    expect(await screen.findByLabelText('Link')).toHaveValue(
      `${BASE}/shared-reports/share-1?expires=1764000000000&signature=abc`,
    );
    expect(screen.getByTestId('share-expiry')).toHaveTextContent(
      `Expires ${new Date('2026-11-25T09:00:00.000Z').toLocaleString()}`,
    );
    expect(asked).toEqual([[DONE.id, { expiresInHours: 48 }]]);
    // The new link is listed among the active ones.
    const links = await screen.findByRole('list', { name: 'Active links' });
    expect(
      within(links).getByText(
        `Expires ${new Date('2026-11-25T09:00:00.000Z').toLocaleString()}`,
      ),
    ).toBeInTheDocument();
  });

  it('lists a report’s active links and revokes one', async () => {
    const FIRST = share({ id: '44444444-4444-4444-8444-444444444444' });
    const SECOND = share({
      id: '55555555-5555-4555-8555-555555555555',
      createdBy: 'user:default/admin',
      createdAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-26T10:00:00.000Z',
    });
    let active = [SECOND, FIRST];
    const listed: Array<string | null> = [];
    const revoked: unknown[] = [];
    server.use(
      http.get(`${BASE}/reports/:id/shares`, ({ request, params }) => {
        expect(params.id).toBe(DONE.id);
        listed.push(new URL(request.url).searchParams.get('status'));
        return HttpResponse.json({ items: active });
      }),
      http.delete(`${BASE}/reports/:id/shares/:shareId`, ({ params }) => {
        revoked.push([params.id, params.shareId]);
        active = active.filter(s => s.id !== params.shareId);
        return HttpResponse.json({
          ...FIRST,
          status: 'revoked',
          revokedAt: '2026-11-24T11:00:00.000Z',
        });
      }),
    );
    await render();
    fireEvent.click(
      within(await rowOf('done.csv')).getByRole('button', { name: 'Share' }),
    );
    const links = await screen.findByRole('list', { name: 'Active links' });
    expect(within(links).getAllByRole('listitem')).toHaveLength(2);
    expect(
      within(links).getByText(
        `Shared by admin on ${new Date(SECOND.createdAt).toLocaleString()}`,
      ),
    ).toBeInTheDocument();
    expect(listed[0]).toBe('active');

    fireEvent.click(
      within(links).getByRole('button', {
        name: `Revoke the link shared on ${new Date(
          FIRST.createdAt,
        ).toLocaleString()}`,
      }),
    );
    await waitFor(() =>
      expect(within(links).getAllByRole('listitem')).toHaveLength(1),
    );
    expect(revoked).toEqual([[DONE.id, FIRST.id]]);
    expect(
      within(links).queryByText(
        `Shared by alice on ${new Date(FIRST.createdAt).toLocaleString()}`,
      ),
    ).toBeNull();
  });

  it('says why a link could not be revoked', async () => {
    server.use(
      http.get(`${BASE}/reports/:id/shares`, () =>
        HttpResponse.json({ items: [share()] }),
      ),
      http.delete(`${BASE}/reports/:id/shares/:shareId`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'You may not revoke shared links',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await render();
    fireEvent.click(
      within(await rowOf('done.csv')).getByRole('button', { name: 'Share' }),
    );
    const links = await screen.findByRole('list', { name: 'Active links' });
    fireEvent.click(within(links).getByRole('button', { name: /^Revoke/ }));
    expect(
      await screen.findByText('You may not revoke shared links'),
    ).toBeInTheDocument();
    expect(within(links).getAllByRole('listitem')).toHaveLength(1);
  });

  it('retries a failed report and shows why an action failed', async () => {
    const retried: string[] = [];
    server.use(
      http.post(`${BASE}/reports/:id/retry`, ({ params }) => {
        retried.push(String(params.id));
        return HttpResponse.json(job({ id: FAILED.id, status: 'queued' }));
      }),
      http.delete(`${BASE}/reports/:id`, () =>
        HttpResponse.json(
          {
            error: { name: 'ConflictError', message: 'Report is running' },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
    );
    await render();
    const failed = await rowOf('failed.csv');
    fireEvent.click(within(failed).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(retried).toEqual([FAILED.id]));
    fireEvent.click(
      within(await rowOf('done.csv')).getByRole('button', { name: 'Delete' }),
    );
    expect(await screen.findByText('Report is running')).toBeInTheDocument();
  });

  it('says when the reports cannot be loaded', async () => {
    server.use(
      http.get(`${BASE}/reports`, () =>
        HttpResponse.json(
          {
            error: { name: 'Error', message: 'database unavailable' },
            response: { statusCode: 500 },
          },
          { status: 500 },
        ),
      ),
    );
    await render();
    expect(
      await screen.findByText(
        /Could not load your reports: database unavailable/,
      ),
    ).toBeInTheDocument();
  });
});
