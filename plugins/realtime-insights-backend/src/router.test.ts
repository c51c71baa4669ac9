import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { createRouter } from './router';
import { RecordCountService } from './services/RecordCounts';

describe('createRouter', () => {
  let app: express.Express;
  const countPerMinute = jest.fn();

  beforeEach(async () => {
    countPerMinute.mockReset();
    countPerMinute.mockImplementation(async (stream, range) => ({
      stream: stream.name,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      bucketSeconds: 60,
      buckets: [],
      stats: {
        objects: 0,
        objectsFromCache: 0,
        corruptObjects: 0,
        cacheDegraded: false,
      },
    }));
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      streams: [
        {
          name: 'interactions',
          title: 'Interactions',
          bucket: 'b',
          prefix: 'events/',
        },
      ],
      recordCounts: { countPerMinute } as unknown as RecordCountService,
      maxRangeHours: 24,
    });
    app = express();
    app.use(router);
    app.use(mockErrorHandler());
  });

  it('lists streams without their storage details', async () => {
    const response = await request(app).get('/streams');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      items: [{ name: 'interactions', title: 'Interactions' }],
    });
  });

  it('rejects unauthenticated requests on every route', async () => {
    for (const path of ['/streams', '/streams/interactions/record-counts']) {
      const response = await request(app)
        .get(path)
        .set('Authorization', mockCredentials.none.header());
      expect(response.status).toBe(401);
    }
    expect(countPerMinute).not.toHaveBeenCalled();
  });

  it('counts records for a range', async () => {
    const response = await request(app).get(
      '/streams/interactions/record-counts?from=2026-11-23T10:00:00Z&to=2026-11-23T10:30:00Z',
    );
    expect(response.status).toBe(200);
    expect(countPerMinute).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'interactions' }),
      {
        from: new Date('2026-11-23T10:00:00Z'),
        to: new Date('2026-11-23T10:30:00Z'),
      },
    );
  });

  it.each([
    ['from=yesterday', /'from'/],
    [
      'from=2026-11-23T10:00:00Z&to=2026-11-23T09:00:00Z',
      /must be before 'to'/,
    ],
    ['from=2026-11-20T10:00:00Z&to=2026-11-23T10:00:00Z', /at most 24 hours/],
    ['bucket=5m', /bucket/],
  ])('answers %s with a 400 naming the field', async (query, message) => {
    const response = await request(app).get(
      `/streams/interactions/record-counts?${query}`,
    );
    expect(response.status).toBe(400);
    expect(response.body.error.name).toBe('InputError');
    expect(response.body.error.message).toMatch(message);
  });

  it('answers an unknown stream with 404', async () => {
    const response = await request(app).get('/streams/nope/record-counts');
    expect(response.status).toBe(404);
    expect(response.body.error.name).toBe('NotFoundError');
  });
});
