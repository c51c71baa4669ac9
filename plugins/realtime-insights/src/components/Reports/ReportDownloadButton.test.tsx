import {
  TestApiProvider,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { realtimeInsightsApiRef } from '../../api';
import { ReportDownloadButton } from './ReportDownloadButton';
import { realtimeInsightsReportsApiRef } from './reportsApi';
import {
  BASE,
  STREAMS,
  captureDownloads,
  job,
  testInsightsClient,
  testReportsClient,
} from './__testUtils__/reportsBackend';

const PROPS = {
  stream: 'transaction-logs',
  from: '2026-11-23T10:00:00.000Z',
  to: '2026-11-23T16:00:00.000Z',
  bucket: '5m' as const,
  groupBy: 'currency',
  filters: [{ field: 'status', values: ['declined'] }],
};

function render() {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [realtimeInsightsReportsApiRef, testReportsClient()],
        [realtimeInsightsApiRef, testInsightsClient()],
      ]}
    >
      <ReportDownloadButton {...PROPS} />
    </TestApiProvider>,
  );
}

describe('ReportDownloadButton', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let cookieRequests: Request[];
  let downloads: string[];

  beforeEach(() => {
    cookieRequests = [];
    downloads = captureDownloads();
    server.use(
      http.get(`${BASE}/streams`, () => HttpResponse.json(STREAMS)),
      http.get(`${BASE}/.backstage/auth/v1/cookie`, ({ request }) => {
        cookieRequests.push(request);
        return HttpResponse.json({ expiresAt: '2026-11-24T10:00:00.000Z' });
      }),
    );
  });
  afterEach(() => jest.restoreAllMocks());

  it('downloads a small raw report at once, with the chosen columns and the dashboard’s filters', async () => {
    const posted: unknown[] = [];
    server.use(
      http.post(`${BASE}/reports`, async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json({
          delivery: 'direct',
          exportPath: '/reports/export?request=abc',
          fileName: 'transaction-logs-raw.ndjson',
          bytesEstimated: 2 * 1024 * 1024,
        });
      }),
    );
    await render();
    fireEvent.click(screen.getByRole('button', { name: /report/i }));
    fireEvent.click(await screen.findByLabelText('NDJSON'));
    fireEvent.click(screen.getByLabelText(/raw records/i));
    // The stream's own fields are offered next to the standard ones.
    fireEvent.click(await screen.findByLabelText('currency'));
    fireEvent.click(screen.getByLabelText('customerId'));
    fireEvent.click(screen.getByRole('button', { name: 'Download' }));

    expect(
      await screen.findByText(
        /transaction-logs-raw.ndjson \(from 2.0 MiB of data\) is downloading/,
      ),
    ).toBeInTheDocument();
    expect(posted).toEqual([
      {
        stream: 'transaction-logs',
        kind: 'raw',
        format: 'ndjson',
        from: PROPS.from,
        to: PROPS.to,
        filters: PROPS.filters,
        columns: ['eventId', 'ts', 'arrivedAt', 'deviceId', 'status', 'amount'],
      },
    ]);
    // The cookie first (the download link carries no token), then the file.
    expect(cookieRequests).toHaveLength(1);
    expect(cookieRequests[0].credentials).toBe('include');
    expect(downloads).toEqual([`${BASE}/reports/export?request=abc`]);
  });

  it('asks for a summary of the charted buckets and group-by by default', async () => {
    const posted: unknown[] = [];
    server.use(
      http.post(`${BASE}/reports`, async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json({
          delivery: 'direct',
          exportPath: '/reports/export?request=s',
          fileName: 'summary.csv',
          bytesEstimated: 100,
        });
      }),
    );
    await render();
    fireEvent.click(screen.getByRole('button', { name: /report/i }));
    expect(
      await screen.findByLabelText(/summary per 5m bucket, by currency/i),
    ).toBeChecked();
    fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(posted[0]).toMatchObject({
      kind: 'summary',
      format: 'csv',
      bucket: '5m',
      groupBy: 'currency',
    });
    expect(posted[0]).not.toHaveProperty('columns');
  });

  it('follows a large report with a progress bar and cancels it', async () => {
    let current = job({ status: 'queued' });
    const cancels: string[] = [];
    server.use(
      http.post(`${BASE}/reports`, () =>
        HttpResponse.json(
          { delivery: 'job', report: current },
          { status: 202 },
        ),
      ),
      http.get(`${BASE}/reports/:id`, () => {
        current = job({
          status: 'running',
          progress: {
            bytesEstimated: 10 * 1024 * 1024,
            bytesScanned: 4 * 1024 * 1024,
            eventsScanned: 40_000,
            eventsEstimated: 100_000,
            rowsWritten: 39_000,
            objectsDone: 0,
            objectsTotal: 0,
            fraction: 0.4,
          },
        });
        return HttpResponse.json(current);
      }),
      http.post(`${BASE}/reports/:id/cancel`, ({ params }) => {
        cancels.push(String(params.id));
        current = job({ status: 'cancelled' });
        return HttpResponse.json(current);
      }),
    );
    await render();
    fireEvent.click(screen.getByRole('button', { name: /report/i }));
    fireEvent.click(await screen.findByRole('button', { name: 'Download' }));
    expect(
      await screen.findByText(/written in the background/),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        'Read 4.0 MiB of 10.0 MiB · 40,000 of about 100,000 events',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: 'Report progress' }),
    ).toHaveAttribute('aria-valuenow', '40');

    fireEvent.click(screen.getByRole('button', { name: 'Cancel report' }));
    expect(await screen.findByText('Cancelled')).toBeInTheDocument();
    expect(cancels).toEqual([current.id]);
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    expect(downloads).toEqual([]);
  });

  it('downloads a large report when it is finished, and retries a failed one', async () => {
    let polls = 0;
    server.use(
      http.post(`${BASE}/reports`, () =>
        HttpResponse.json(
          { delivery: 'job', report: job({ status: 'running' }) },
          { status: 202 },
        ),
      ),
      http.get(`${BASE}/reports/:id`, () => {
        polls++;
        return HttpResponse.json(
          polls === 1
            ? job({ status: 'failed', error: 'NoSuchBucket', attempts: 3 })
            : job({
                status: 'succeeded',
                sizeBytes: 3 * 1024 * 1024,
                progress: { ...job().progress, fraction: 1, rowsWritten: 1234 },
              }),
        );
      }),
      http.post(`${BASE}/reports/:id/retry`, () =>
        HttpResponse.json(job({ status: 'queued' })),
      ),
    );
    await render();
    fireEvent.click(screen.getByRole('button', { name: /report/i }));
    fireEvent.click(await screen.findByRole('button', { name: 'Download' }));
    expect(await screen.findByText('Failed: NoSuchBucket')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByText('Ready: 1,234 rows, 3.0 MiB'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(downloads).toEqual([
        `${BASE}/reports/11111111-1111-4111-8111-111111111111/download`,
      ]),
    );
  });

  it('shows the backend’s message when a report cannot be made', async () => {
    server.use(
      http.post(`${BASE}/reports`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message:
                "Invalid field 'to': a report may span at most 744 hours",
            },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    await render();
    fireEvent.click(screen.getByRole('button', { name: /report/i }));
    fireEvent.click(await screen.findByRole('button', { name: 'Download' }));
    expect(
      await screen.findByText(/a report may span at most 744 hours/),
    ).toBeInTheDocument();
    expect(downloads).toEqual([]);
  });
});
