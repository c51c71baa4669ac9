import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { StreamDefinition } from '@internal/plugin-realtime-insights-common';
import express from 'express';
import request from 'supertest';
import { createRouter } from './router';
import { QueryEngine } from './services/QueryEngine';
import { StreamRegistry } from './services/StreamRegistry';

const interactions: StreamDefinition = {
  name: 'interactions',
  entityRef: 'resource:default/interactions',
  title: 'Interactions',
  owner: 'group:default/mobile-analytics',
  firehoseStream: 'rti-interactions',
  bucket: 'rti-interactions',
  prefix: 'events/',
  timestampField: 'ts',
  measures: ['durationMs'],
  dimensions: ['type', 'screen'],
  bufferIntervalSeconds: 900,
};

const STREAM_ROUTES = [
  'timeseries',
  'breakdown?dimension=type',
  'records',
  'freshness',
];

describe('createRouter', () => {
  let app: express.Express;
  const engine = {
    timeSeries: jest.fn(async () => ({ kind: 'timeseries' })),
    breakdown: jest.fn(async () => ({ kind: 'breakdown' })),
    records: jest.fn(async () => ({ kind: 'records' })),
    freshness: jest.fn(async () => ({ kind: 'freshness' })),
  };
  // The registry answers only streams the caller may read; others are 404.
  const streams: StreamRegistry = {
    listReadable: jest.fn(async () => [interactions]),
    getReadable: jest.fn(async (name: string) => {
      if (name === 'interactions') return interactions;
      throw new NotFoundError(`No stream named '${name}'`);
    }),
    listAll: jest.fn(async () => ({ streams: [interactions], invalid: [] })),
  };

  beforeEach(async () => {
    jest.clearAllMocks();
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      streams,
      engine: engine as unknown as QueryEngine,
      limits: () => ({ maxRangeHours: 24, maxBuckets: 1440 }),
    });
    app = express();
    app.use(router);
    app.use(mockErrorHandler());
  });

  it('lists the streams the caller may read, without storage details', async () => {
    const response = await request(app).get('/streams');
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      {
        name: 'interactions',
        title: 'Interactions',
        entityRef: 'resource:default/interactions',
        owner: 'group:default/mobile-analytics',
        measures: ['durationMs'],
        dimensions: ['type', 'screen'],
      },
    ]);
    expect(JSON.stringify(response.body)).not.toMatch(
      /bucket|rti-interactions/,
    );
  });

  it.each([
    '/streams',
    ...STREAM_ROUTES.map(r => `/streams/interactions/${r}`),
  ])('answers %s without credentials with 401', async path => {
    const response = await request(app)
      .get(path)
      .set('Authorization', mockCredentials.none.header());
    expect(response.status).toBe(401);
    expect(streams.getReadable).not.toHaveBeenCalled();
  });

  it.each(STREAM_ROUTES)(
    'answers %s of a stream that does not exist or is not readable with 404',
    async route => {
      const response = await request(app).get(
        `/streams/secret-stream/${route}`,
      );
      expect(response.status).toBe(404);
      expect(response.body.error.name).toBe('NotFoundError');
      expect(
        Object.values(engine).every(fn => fn.mock.calls.length === 0),
      ).toBe(true);
    },
  );

  it('delegates a time series with the range, a bucket width fitting it, filters and group-by', async () => {
    const response = await request(app).get(
      '/streams/interactions/timeseries?from=2026-11-23T10:00:00Z&to=2026-11-23T16:00:00Z&groupBy=type&top=3&filter=screen:home,search&filter=type:tap',
    );
    expect(response.status).toBe(200);
    expect(engine.timeSeries).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'interactions',
        bucket: 'rti-interactions',
      }),
      {
        fromMs: Date.parse('2026-11-23T10:00:00Z'),
        toMs: Date.parse('2026-11-23T16:00:00Z'),
        bucket: '5m',
        groupBy: 'type',
        top: 3,
        filters: [
          { field: 'screen', values: ['home', 'search'] },
          { field: 'type', values: ['tap'] },
        ],
      },
    );
  });

  it('delegates records with limit and cursor', async () => {
    const response = await request(app).get(
      '/streams/interactions/records?limit=50&cursor=abc',
    );
    expect(response.status).toBe(200);
    expect(engine.records).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'interactions' }),
      expect.objectContaining({ limit: 50, cursor: 'abc', filters: [] }),
    );
  });

  it.each([
    ['timeseries?from=yesterday', /'from'/],
    // Times the schema once let through and Date.parse then refused: 500s.
    ['timeseries?from=2026-11-23T10:00:00%2B24:00', /'from'.*ISO-8601/],
    ['breakdown?dimension=type&to=2026-11-23T10:00:00%2B2400', /'to'/],
    ['records?from=2026-11-23T10:00:00%2B99:99', /'from'/],
    ['timeseries?to=2026-02-30T10:00:00Z', /'to'/],
    [
      'timeseries?from=2026-11-23T10:00:00Z&to=2026-11-23T09:00:00Z',
      /must be before 'to'/,
    ],
    [
      'timeseries?from=2026-11-20T10:00:00Z&to=2026-11-23T10:00:00Z',
      /at most 24 hours/,
    ],
    ['timeseries?bucket=7m', /'bucket'/],
    ['timeseries?colour=red', /'colour'/],
    ['timeseries?filter=nocolon', /'filter.0'.*dimension:value/],
    ['breakdown', /'dimension'/],
    ['breakdown?dimension=type&top=1000', /'top'/],
    ['records?limit=0', /'limit'/],
  ])('answers %s with a 400 naming the parameter', async (route, message) => {
    const response = await request(app).get(`/streams/interactions/${route}`);
    expect(response.status).toBe(400);
    expect(response.body.error.name).toBe('InputError');
    expect(response.body.error.message).toMatch(message);
  });
});
