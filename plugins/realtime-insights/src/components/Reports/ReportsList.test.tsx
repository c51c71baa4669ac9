import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
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
    server.use(
      http.post(`${BASE}/reports/:id/shares`, async ({ request, params }) => {
        asked.push([params.id, await request.json()]);
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
