/*
 * The admin features through the whole plugin: two backends (replicas)
 * sharing one database, a change saved on one in effect on the other
 * without a restart, and the unauthenticated health probe.
 */
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { Knex } from 'knex';
import request from 'supertest';
import { realtimeInsightsPlugin } from '../plugin';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'interactions',
    annotations: {
      'realtime-insights.io/firehose-stream': 'rti-interactions',
      'realtime-insights.io/bucket': 'rti-admin-plugin',
      'realtime-insights.io/dimensions': 'type',
    },
  },
  spec: { type: 'data-stream', owner: 'group:default/mobile-analytics' },
};

describe('admin and health through the plugin (two replicas, one database)', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let s3: LocalS3;
  const servers: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    s3 = await startLocalS3(['rti-admin-plugin']);
  });
  afterAll(async () => {
    for (const backend of servers) await backend.stop();
    await s3.stop();
  });

  const replica = async (knex: Knex) => {
    const backend = await startTestBackend({
      features: [
        realtimeInsightsPlugin,
        mockServices.rootConfig.factory({
          data: {
            realtimeInsights: {
              s3: {
                endpoint: s3.endpoint,
                forcePathStyle: true,
                credentials: s3.credentials,
              },
              cache: { type: 'memory' },
            },
          },
        }),
        mockServices.database.factory({ knex }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        catalogServiceMock.factory({ entities: [entity] }),
      ],
    });
    servers.push(backend);
    return backend.server;
  };

  it('applies a setting saved on one replica on the other, without a restart', async () => {
    const knex = await databases.init('SQLITE_3');
    const a = await replica(knex);
    const b = await replica(knex);
    const twoHours = `from=2026-11-24T08:00:00Z&to=2026-11-24T10:00:00Z&bucket=1h`;
    const query = (server: typeof a) =>
      request(server).get(
        `/api/realtime-insights/streams/interactions/timeseries?${twoHours}`,
      );
    expect((await query(b)).status).toBe(200);

    const saved = await request(a)
      .patch('/api/realtime-insights/admin/settings')
      .send({ changes: { 'query.maxRangeHours': 1 } });
    expect(saved.status).toBe(200);

    // Replicas re-read the settings every 3 s.
    let answer = await query(b);
    for (let i = 0; i < 40 && answer.status === 200; i++) {
      await new Promise(r => setTimeout(r, 200));
      answer = await query(b);
    }
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/at most 1 hours/);

    // A disabled stream disappears for readers on every replica.
    const path = `/api/realtime-insights/admin/streams/${encodeURIComponent(
      'resource:default/interactions',
    )}`;
    expect((await request(a).patch(path).send({ enabled: false })).status).toBe(
      200,
    );
    let listed = await request(b).get('/api/realtime-insights/streams');
    for (let i = 0; i < 40 && listed.body.items.length > 0; i++) {
      await new Promise(r => setTimeout(r, 200));
      listed = await request(b).get('/api/realtime-insights/streams');
    }
    expect(listed.body.items).toEqual([]);
  }, 60_000);

  it('answers the health probe without a token, and admin routes only with one', async () => {
    const server = await replica(await databases.init('SQLITE_3'));
    const probe = await request(server)
      .get('/api/realtime-insights/health')
      .set('Authorization', mockCredentials.none.header());
    expect(probe.status).toBe(200);
    expect(probe.body).toEqual({
      status: 'ok',
      checks: { objectStore: 'ok', cache: 'in-process' },
    });

    const admin = await request(server)
      .get('/api/realtime-insights/admin/settings')
      .set('Authorization', mockCredentials.none.header());
    expect(admin.status).toBe(401);
  }, 30_000);
});
