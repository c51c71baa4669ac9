import { realtimeInsightsReportsApiRef } from '../Reports/reportsApi';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { realtimeInsightsApiRef } from '../../api';
import {
  BASE,
  INTERACTIONS,
  TRANSACTIONS,
  breakdownOf,
  errorBody,
  testClient,
  timeSeriesFor,
  idleReportsApi,
} from '../../__testUtils__/backend';
import { ReportActionsProps } from './ReportActionsSlot';
import { formatBucketTime } from './timeRange';
import { StreamDashboard, StreamDashboardProps } from './StreamDashboard';

const STREAM = `${BASE}/streams/interactions`;

/** Query strings the dashboard sent, per endpoint. */
type Calls = Record<'timeseries' | 'breakdown' | 'records', URL[]>;

function recordEvent(i: number) {
  return {
    eventId: `evt-${i}`,
    deviceId: `device-${i}`,
    customerId: `customer-${i % 3}`,
    ts: '2026-11-23T10:00:00.000Z',
    type: 'tap',
    screen: 'home',
    durationMs: 120 + i,
  };
}

/**
 * A backend for the interactions stream: `counts()` decides the counts of
 * each time series answer (so a test can make data "arrive").
 */
function serveStream(
  server: ReturnType<typeof setupServer>,
  options: { counts?: () => number[]; records?: (url: URL) => object } = {},
): Calls {
  const calls: Calls = { timeseries: [], breakdown: [], records: [] };
  const counts = options.counts ?? (() => [1200, 34]);
  server.use(
    http.get(`${BASE}/streams`, () =>
      HttpResponse.json({ items: [INTERACTIONS, TRANSACTIONS] }),
    ),
    http.get(`${STREAM}/timeseries`, ({ request }) => {
      const url = new URL(request.url);
      calls.timeseries.push(url);
      const c = counts();
      const groupBy = url.searchParams.get('groupBy');
      const answer = timeSeriesFor(url, c);
      if (groupBy) {
        answer.groupBy = { dimension: groupBy, values: ['tap', 'view'] };
        answer.buckets = answer.buckets.map(b => ({
          ...b,
          groups: {
            tap: b.count / 2,
            view: b.count / 4,
            '(other)': b.count / 4,
          },
        }));
      }
      return HttpResponse.json(answer);
    }),
    http.get(`${STREAM}/breakdown`, ({ request }) => {
      const url = new URL(request.url);
      calls.breakdown.push(url);
      return HttpResponse.json(
        breakdownOf(
          url.searchParams.get('dimension')!,
          [
            ['tap', 50],
            ['view', 20],
          ],
          10,
        ),
      );
    }),
    http.get(`${STREAM}/records`, ({ request }) => {
      const url = new URL(request.url);
      calls.records.push(url);
      return HttpResponse.json(
        options.records?.(url) ?? {
          stream: 'interactions',
          items: [recordEvent(1), recordEvent(2)],
        },
      );
    }),
  );
  return calls;
}

function renderDashboard(
  props: Partial<StreamDashboardProps> = {},
  extraApis: any[] = [],
) {
  return renderInTestApp(<StreamDashboard stream="interactions" {...props} />, {
    apis: [
      [realtimeInsightsApiRef, testClient()],
      [realtimeInsightsReportsApiRef, idleReportsApi()],
      ...extraApis,
    ] as any,
  });
}

const spanOf = (url: URL) =>
  Date.parse(url.searchParams.get('to')!) -
  Date.parse(url.searchParams.get('from')!);

async function choose(selectName: RegExp, option: string) {
  await userEvent.click(screen.getByRole('button', { name: selectName }));
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('StreamDashboard', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('shows skeletons until the stream is known', async () => {
    let release: () => void = () => {};
    const listed = new Promise<void>(resolve => {
      release = resolve;
    });
    serveStream(server);
    server.use(
      http.get(`${BASE}/streams`, async () => {
        await listed;
        return HttpResponse.json({ items: [INTERACTIONS] });
      }),
    );
    await renderDashboard();
    expect(screen.getAllByTestId('chart-skeleton').length).toBeGreaterThan(0);
    expect(screen.queryByTestId('record-count-chart')).not.toBeInTheDocument();
    act(() => release());
    expect(await screen.findByTestId('record-count-chart')).toBeInTheDocument();
  });

  it('says which whole minutes the charts counted', async () => {
    serveStream(server);
    server.use(
      http.get(`${STREAM}/timeseries`, ({ request }) =>
        HttpResponse.json(
          timeSeriesFor(new URL(request.url), [5, 6], {
            range: {
              from: '2026-11-23T10:01:00.000Z',
              to: '2026-11-23T11:01:00.000Z',
            },
          }),
        ),
      ),
    );
    await renderDashboard();
    expect(await screen.findByTestId('answered-range')).toHaveTextContent(
      `Counted from ${formatBucketTime(
        '2026-11-23T10:01:00.000Z',
        3_600_000,
      )} to ${formatBucketTime(
        '2026-11-23T11:01:00.000Z',
        3_600_000,
      )}, in whole minutes (the records below keep the exact range)`,
    );
  });

  it('charts the last hour by minute: records, devices, measures, top values and records', async () => {
    const calls = serveStream(server);
    await renderDashboard();

    expect(
      await screen.findByText('1,234 records · 1m buckets'),
    ).toBeInTheDocument();
    const [first] = calls.timeseries;
    expect(first.searchParams.get('bucket')).toBe('1m');
    expect(spanOf(first)).toBe(3_600_000);

    expect(
      screen.getByRole('img', {
        name: 'Records per bucket: 1,234 in total',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: /at most 120 devices/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'durationMs per bucket: p50, p95 and p99; highest p99 850',
      }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('img', {
        name: 'Top values of type: tap with 50 of 80',
      }),
    ).toBeInTheDocument();
    expect(calls.breakdown[0].searchParams.get('dimension')).toBe('type');
    expect(
      screen.getByText('3 objects read (2 from cache)'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('time-zone')).toHaveTextContent(
      /^Times in .+ \(UTC([+-]\d\d:\d\d)\)$/,
    );
    expect(screen.getByTestId('live-status')).toHaveTextContent(
      'Refreshes every 10 s',
    );

    // Recent records, with each event's JSON on demand.
    const table = await screen.findByRole('table', { name: 'Recent records' });
    expect(within(table).getByText('device-1')).toBeInTheDocument();
    expect(screen.queryByTestId('event-json')).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Show JSON of event evt-2' }),
    );
    expect(await screen.findByTestId('event-json')).toHaveTextContent(
      '"eventId": "evt-2"',
    );
  });

  it('says so when the range has no records', async () => {
    serveStream(server, { counts: () => [0, 0, 0] });
    await renderDashboard();
    expect(
      await screen.findByText('No records in this range'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('record-count-chart')).not.toBeInTheDocument();
  });

  it("shows the backend's error message", async () => {
    serveStream(server);
    server.use(
      http.get(`${STREAM}/timeseries`, () =>
        HttpResponse.json(
          errorBody(
            'InputError',
            "Invalid query parameter 'from': the range may span at most 168 hours",
            400,
          ),
          { status: 400 },
        ),
      ),
    );
    await renderDashboard();
    expect(
      await screen.findByText(/Could not load the time series/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/the range may span at most 168 hours/).length,
    ).toBeGreaterThan(0);
  });

  it('says "not found or no access" for a stream that is not listed', async () => {
    serveStream(server);
    await renderDashboard({ stream: 'secret-payments' });
    expect(
      await screen.findByText(
        'Stream "secret-payments" not found or no access',
      ),
    ).toBeInTheDocument();
  });

  it('says "not found or no access" when the backend answers 404', async () => {
    // E.g. access revoked after the list was loaded.
    serveStream(server);
    server.use(
      http.get(`${STREAM}/timeseries`, () =>
        HttpResponse.json(
          errorBody('NotFoundError', "No stream named 'interactions'", 404),
          { status: 404 },
        ),
      ),
    );
    await renderDashboard();
    expect(
      await screen.findByText('Stream "interactions" not found or no access'),
    ).toBeInTheDocument();
  });

  it('switches the range: wider buckets, not live', async () => {
    const calls = serveStream(server);
    await renderDashboard();
    await screen.findByText('1,234 records · 1m buckets');

    await choose(/Time range/, 'Last 24 hours');
    await waitFor(() =>
      expect(calls.timeseries.at(-1)!.searchParams.get('bucket')).toBe('15m'),
    );
    expect(spanOf(calls.timeseries.at(-1)!)).toBe(24 * 3_600_000);
    expect(
      await screen.findByText(/records · 15m buckets/),
    ).toBeInTheDocument();
    expect(screen.getByTestId('live-status')).toHaveTextContent('Paused');
  });

  it('refreshes when the backend signals new data', async () => {
    let subscriber: ((message: object) => void) | undefined;
    const signalApi = {
      subscribe: (channel: string, onMessage: (m: object) => void) => {
        if (channel === 'realtime-insights:stream:interactions') {
          subscriber = onMessage;
        }
        return { unsubscribe: () => {} };
      },
    };
    let counts = [1200, 34];
    serveStream(server, { counts: () => counts });
    await renderDashboard({}, [[signalApiRef, signalApi]]);
    await screen.findByText('1,234 records · 1m buckets');
    expect(screen.getByTestId('live-status')).toHaveTextContent(
      'Updates as data lands',
    );

    counts = [1200, 34, 66];
    act(() => subscriber!({ objects: 1 }));
    expect(
      await screen.findByText('1,300 records · 1m buckets'),
    ).toBeInTheDocument();
  });

  it('polls when the portal has no signals', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      let counts = [10];
      const calls = serveStream(server, { counts: () => counts });
      await renderDashboard();
      await screen.findByText('10 records · 1m buckets');
      const before = calls.timeseries.length;

      counts = [10, 5];
      await act(async () => {
        jest.advanceTimersByTime(10_000);
      });
      expect(
        await screen.findByText('15 records · 1m buckets'),
      ).toBeInTheDocument();
      expect(calls.timeseries.length).toBeGreaterThan(before);
    } finally {
      jest.useRealTimers();
    }
  });

  it("overlays the previous period's counts", async () => {
    const calls = serveStream(server);
    await renderDashboard();
    await screen.findByText('1,234 records · 1m buckets');

    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Compare with previous period' }),
    );
    expect(
      await screen.findByRole('img', {
        name: 'Records per bucket: 1,234 in total; previous period 1,234',
      }),
    ).toBeInTheDocument();
    const current = calls.timeseries[0];
    const previous = calls.timeseries.find(
      u =>
        Date.parse(u.searchParams.get('to')!) <=
        Date.parse(current.searchParams.get('from')!),
    )!;
    expect(spanOf(previous)).toBe(3_600_000);
  });

  it('groups the counts by a dimension', async () => {
    const calls = serveStream(server);
    await renderDashboard();
    await screen.findByText('1,234 records · 1m buckets');

    await choose(/Group by/, 'type');
    expect(
      await screen.findByRole('img', {
        name: 'Records per bucket: 1,234 in total, grouped by type',
      }),
    ).toBeInTheDocument();
    const grouped = calls.timeseries.at(-1)!;
    expect(grouped.searchParams.get('groupBy')).toBe('type');
    expect(grouped.searchParams.get('top')).toBe('5');
  });

  it('filters every query by dimension values, and removes the filter', async () => {
    const calls = serveStream(server);
    await renderDashboard();
    await screen.findByText('1,234 records · 1m buckets');

    await choose(/Filter on/, 'screen');
    await userEvent.type(screen.getByLabelText('screen is any of'), 'home');
    await userEvent.click(screen.getByRole('button', { name: 'Add filter' }));

    const chip = await screen.findByRole('button', { name: 'screen: home' });
    await waitFor(() => {
      for (const url of [
        calls.timeseries.at(-1)!,
        calls.breakdown.at(-1)!,
        calls.records.at(-1)!,
      ]) {
        expect(url.searchParams.getAll('filter')).toEqual(['screen:home']);
      }
    });

    const sent = calls.timeseries.length;
    // The chip's delete icon.
    await userEvent.click(chip.querySelector('svg')!);
    await waitFor(() => expect(calls.timeseries.length).toBeGreaterThan(sent));
    expect(calls.timeseries.at(-1)!.searchParams.getAll('filter')).toEqual([]);
  });

  it('hands what it shows to the report actions', async () => {
    serveStream(server);
    const seen: ReportActionsProps[] = [];
    const ReportActions = (p: ReportActionsProps) => {
      seen.push(p);
      return <button>Download report</button>;
    };
    await renderDashboard({
      reportActions: ReportActions,
      initialRange: {
        preset: 'custom',
        fromMs: Date.parse('2026-11-23T08:00:00Z'),
        toMs: Date.parse('2026-11-23T14:00:00Z'),
      },
    });
    await screen.findByText('1,234 records · 5m buckets');
    expect(
      within(screen.getByTestId('report-actions')).getByRole('button', {
        name: 'Download report',
      }),
    ).toBeInTheDocument();
    await choose(/Group by/, 'screen');
    await waitFor(() =>
      expect(seen.at(-1)).toEqual({
        stream: 'interactions',
        from: '2026-11-23T08:00:00.000Z',
        to: '2026-11-23T14:00:00.000Z',
        bucket: '5m',
        groupBy: 'screen',
        filters: [],
      }),
    );
  });

  it('pages through records with the cursor, keeping the range', async () => {
    const calls = serveStream(server, {
      records: url =>
        url.searchParams.get('cursor') === 'page-2'
          ? { items: [recordEvent(3)] }
          : { items: [recordEvent(1)], nextCursor: 'page-2' },
    });
    await renderDashboard();
    const table = await screen.findByRole('table', { name: 'Recent records' });
    expect(within(table).getByText('device-1')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Older' }));
    expect(await screen.findByText('device-3')).toBeInTheDocument();
    expect(screen.getByText(/^Page 2/)).toBeInTheDocument();
    const [firstPage, secondPage] = calls.records;
    expect(secondPage.searchParams.get('cursor')).toBe('page-2');
    expect(secondPage.searchParams.get('from')).toBe(
      firstPage.searchParams.get('from'),
    );
    expect(secondPage.searchParams.get('limit')).toBe('20');
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Newer' }));
    expect(await screen.findByText('device-1')).toBeInTheDocument();
    expect(screen.getByText(/^Page 1/)).toBeInTheDocument();
  });
});
