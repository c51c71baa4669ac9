import {
  TestDatabases,
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  StreamDefinition,
  realtimeInsightsAdminPermission,
} from '@internal/plugin-realtime-insights-common';
import express from 'express';
import request from 'supertest';
import { realtimeInsightsConfigSchema } from '../config';
import { migrateDatabase } from '../database';
import { toEngineStream } from '../router';
import { DatabaseSettingsService } from '../services/Settings';
import { StreamRegistry } from '../services/StreamRegistry';
import { MemorySummaryCache } from '../services/SummaryCache';
import { createAdminRouter } from './adminRouter';

const interactions: StreamDefinition = {
  name: 'interactions',
  entityRef: 'resource:default/interactions',
  title: 'Interactions',
  owner: 'group:default/mobile-analytics',
  firehoseStream: 'rti-interactions',
  bucket: 'rti-interactions',
  prefix: 'events/',
  timestampField: 'ts',
  measures: [],
  dimensions: ['type'],
  bufferIntervalSeconds: 900,
};

// Three entries each: Jest would pass its `done` callback for a missing one.
const ADMIN_ROUTES: Array<[string, string, object | undefined]> = [
  ['get', '/admin/settings', undefined],
  ['patch', '/admin/settings', { changes: { 'cache.ttlSeconds': 60 } }],
  ['get', '/admin/streams', undefined],
  [
    'patch',
    `/admin/streams/${encodeURIComponent(interactions.entityRef)}`,
    { enabled: false },
  ],
  ['get', '/admin/cache', undefined],
  ['post', '/admin/cache/flush', { all: true }],
  ['get', '/admin/health', undefined],
];

describe('createAdminRouter', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const defaults = realtimeInsightsConfigSchema.parse({});
  let app: express.Express;
  let settings: DatabaseSettingsService;
  let allowAdmin: boolean;
  const auditor = mockServices.auditor.mock();
  const cache = new MemorySummaryCache(100);
  const engine = {
    flushStream: jest.fn(async () => 7),
    forget: jest.fn(),
  };
  const health = {
    probe: jest.fn(async () => ({
      status: 503,
      body: {
        status: 'unavailable' as const,
        checks: {
          objectStore: 'unreachable' as const,
          cache: 'ok' as const,
        },
      },
    })),
    view: jest.fn(async () => ({
      checkedAt: '2026-11-24T10:00:00.000Z',
      cache: await cache.stats(),
      streams: [],
    })),
  };
  const streams: StreamRegistry = {
    listReadable: async () => [interactions],
    getReadable: async () => interactions,
    listAll: async () => ({
      streams: [interactions],
      invalid: [
        {
          entityRef: 'resource:default/broken',
          errors: ['realtime-insights.io/bucket: missing'],
          owner: 'group:default/payments',
          since: Date.parse('2026-11-24T09:00:00Z'),
        },
      ],
    }),
  };

  beforeEach(async () => {
    jest.clearAllMocks();
    allowAdmin = true;
    const knex = await databases.init('SQLITE_3');
    await migrateDatabase(mockServices.database({ knex }));
    settings = await DatabaseSettingsService.create({
      db: knex,
      defaults,
      logger: mockServices.logger.mock(),
    });
    const permissions = mockServices.permissions.mock();
    permissions.authorize.mockImplementation(async requests =>
      requests.map(r => ({
        result:
          allowAdmin &&
          r.permission.name === realtimeInsightsAdminPermission.name
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })),
    );
    const router = await createAdminRouter({
      httpAuth: mockServices.httpAuth(),
      permissions,
      auditor,
      settings,
      streams,
      engine,
      cache,
      health,
      engineStream: toEngineStream,
    });
    app = express().use(router).use(mockErrorHandler());
  });

  const send = (method: string, path: string, body?: object) => {
    const test = (request(app) as any)[method](path);
    return body ? test.send(body) : test;
  };

  it.each(ADMIN_ROUTES)(
    'answers %s %s without credentials with 401',
    async (method, path, body) => {
      const response = await send(method, path, body).set(
        'Authorization',
        mockCredentials.none.header(),
      );
      expect(response.status).toBe(401);
    },
  );

  it.each(ADMIN_ROUTES)(
    'answers %s %s to a user without the admin permission with 403, changing nothing',
    async (method, path, body) => {
      allowAdmin = false;
      const response = await send(method, path, body);
      expect(response.status).toBe(403);
      expect(response.body.error.name).toBe('NotAllowedError');
      expect(auditor.createEvent).not.toHaveBeenCalled();
      expect(engine.flushStream).not.toHaveBeenCalled();
      expect(engine.forget).not.toHaveBeenCalled();
      expect(settings.describe().revision).toBe(0);
    },
  );

  it('answers the probe without credentials, with states only', async () => {
    const response = await request(app)
      .get('/health')
      .set('Authorization', mockCredentials.none.header());
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      status: 'unavailable',
      checks: { objectStore: 'unreachable', cache: 'ok' },
    });
  });

  it('lists the editable settings with defaults and values', async () => {
    const response = await request(app).get('/admin/settings');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ revision: 0, updatedBy: null });
    expect(response.body.fields).toContainEqual(
      expect.objectContaining({
        path: 'query.maxRangeHours',
        defaultValue: 168,
        value: 168,
        overridden: false,
      }),
    );
    expect(JSON.stringify(response.body)).not.toMatch(/S3RVER|redis:\/\//);
  });

  it('saves a change, audited with before and after', async () => {
    const response = await request(app)
      .patch('/admin/settings')
      .send({ revision: 0, changes: { 'cache.ttlSeconds': 3600 } });
    expect(response.status).toBe(200);
    expect(response.body.revision).toBe(1);
    expect(response.body.updatedBy).toBe(
      mockCredentials.user().principal.userEntityRef,
    );
    expect(settings.current().cache.ttlSeconds).toBe(3600);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'settings-update',
        severityLevel: 'medium',
        meta: { changes: { 'cache.ttlSeconds': 3600 } },
      }),
    );
    const event = await auditor.createEvent.mock.results[0].value;
    expect(event.success).toHaveBeenCalledWith({
      meta: { before: {}, after: { 'cache.ttlSeconds': 3600 } },
    });
  });

  it.each([
    [{}, "Invalid field 'changes': Required"],
    [
      { changes: {} },
      "Invalid field 'changes': must name at least one setting",
    ],
    [
      { changes: { 'cache.ttlSeconds': 1 }, extra: 1 },
      "Invalid field 'extra': Unrecognized key(s) in object: 'extra'",
    ],
    [
      { changes: { 'Cache TTL': 1 } },
      "Invalid field 'changes.Cache TTL': must be a setting path like 'cache.ttlSeconds'",
    ],
    [
      { changes: { 'query.maxBuckets': 'many' } },
      "Invalid setting 'query.maxBuckets': must be a number",
    ],
    [
      { changes: { 'cache.redis.url': 'redis://x' } },
      "Invalid setting 'cache.redis.url': is not a setting admins can change",
    ],
  ])('refuses %j with 400 naming the field', async (body, message) => {
    const response = await request(app).patch('/admin/settings').send(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ name: 'InputError', message });
    expect(settings.describe().revision).toBe(0);
  });

  it('records a refused change as a failed audit event', async () => {
    await request(app)
      .patch('/admin/settings')
      .send({ changes: { 'query.maxBuckets': 0 } });
    const event = await auditor.createEvent.mock.results[0].value;
    expect(event.fail).toHaveBeenCalledWith(
      expect.objectContaining({
        error: expect.objectContaining({ name: 'InputError' }),
      }),
    );
    expect(event.success).not.toHaveBeenCalled();
  });

  it('refuses a save over a newer one with 409', async () => {
    await settings.update({ 'query.maxBuckets': 10 }, { actor: 'user:x/y' });
    const response = await request(app)
      .patch('/admin/settings')
      .send({ revision: 0, changes: { 'query.maxBuckets': 20 } });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(/changed by user:x\/y/);
    expect(settings.current().query.maxBuckets).toBe(10);
  });

  it('lists streams and invalid entities, and switches a stream off, audited', async () => {
    const listed = await request(app).get('/admin/streams');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      {
        entityRef: 'resource:default/broken',
        owner: 'group:default/payments',
        enabled: true,
        cacheEnabled: true,
        valid: false,
        errors: ['realtime-insights.io/bucket: missing'],
        invalidSince: '2026-11-24T09:00:00.000Z',
      },
      {
        entityRef: 'resource:default/interactions',
        name: 'interactions',
        title: 'Interactions',
        owner: 'group:default/mobile-analytics',
        bucket: 'rti-interactions',
        prefix: 'events/',
        enabled: true,
        cacheEnabled: true,
        valid: true,
        errors: [],
      },
    ]);

    const path = `/admin/streams/${encodeURIComponent(
      'resource:default/interactions',
    )}`;
    const changed = await request(app).patch(path).send({ enabled: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      entityRef: 'resource:default/interactions',
      enabled: false,
      cacheEnabled: true,
      updatedBy: mockCredentials.user().principal.userEntityRef,
    });
    expect(settings.stream('resource:default/interactions').enabled).toBe(
      false,
    );
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'stream-settings-update' }),
    );

    expect((await request(app).patch(path).send({})).status).toBe(400);
    expect(
      (
        await request(app)
          .patch(`/admin/streams/${encodeURIComponent('resource:default/x')}`)
          .send({ enabled: false })
      ).status,
    ).toBe(404);
  });

  it('flushes one stream or, only when asked explicitly, everything', async () => {
    const none = await request(app).post('/admin/cache/flush').send({});
    expect(none.status).toBe(400);
    expect(engine.flushStream).not.toHaveBeenCalled();

    const one = await request(app)
      .post('/admin/cache/flush')
      .send({ stream: 'resource:default/interactions' });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ deleted: 7 });
    expect(engine.flushStream).toHaveBeenCalledWith(
      expect.objectContaining({
        bucket: 'rti-interactions',
        prefix: 'events/',
      }),
    );
    expect(auditor.createEvent).toHaveBeenLastCalledWith(
      expect.objectContaining({
        eventId: 'cache-flush',
        meta: { scope: 'stream', entityRef: 'resource:default/interactions' },
      }),
    );

    cache.setMany([['rti:v1:sum:x', Buffer.from('1')]], 60);
    const all = await request(app)
      .post('/admin/cache/flush')
      .send({ all: true });
    expect(all.body).toEqual({ deleted: 1 });
    expect(engine.forget).toHaveBeenCalledWith();
    expect(auditor.createEvent).toHaveBeenLastCalledWith(
      expect.objectContaining({
        eventId: 'cache-flush',
        severityLevel: 'high',
      }),
    );

    const unknown = await request(app)
      .post('/admin/cache/flush')
      .send({ stream: 'resource:default/broken' });
    expect(unknown.status).toBe(404);
  });

  it('answers cache stats and the health view', async () => {
    const stats = await request(app).get('/admin/cache');
    expect(stats.body).toMatchObject({ kind: 'memory', degraded: false });
    const view = await request(app).get('/admin/health');
    expect(view.status).toBe(200);
    expect(view.body.checkedAt).toBe('2026-11-24T10:00:00.000Z');
  });
});
