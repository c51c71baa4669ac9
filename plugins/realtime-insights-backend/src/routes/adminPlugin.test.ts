/*
 * The admin features through the whole plugin: two backends (replicas)
 * sharing one database, a change saved on one in effect on the other
 * without a restart, and the unauthenticated health probe.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { Knex } from 'knex';
import {
  PluginBackend,
  startPluginBackend,
  streamEntity,
} from '../__testUtils__/startPluginBackend';

const entity = streamEntity({
  name: 'interactions',
  bucket: 'rti-admin-plugin',
  owner: 'group:default/mobile-analytics',
  dimensions: 'type',
});

describe('admin and health through the plugin (two replicas, one database)', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let s3: LocalS3;
  const backends: PluginBackend[] = [];

  beforeAll(async () => {
    s3 = await startLocalS3(['rti-admin-plugin']);
  });
  afterAll(async () => {
    for (const backend of backends) await backend.stop();
    await s3.stop();
  });

  const replica = async (database: Knex) => {
    const backend = await startPluginBackend({
      s3,
      database,
      entities: [entity],
    });
    backends.push(backend);
    return backend;
  };

  it('applies a setting saved on one replica on the other, without a restart', async () => {
    const knex = await databases.init('SQLITE_3');
    const a = await replica(knex);
    const b = await replica(knex);
    const twoHours = `from=2026-11-24T08:00:00Z&to=2026-11-24T10:00:00Z&bucket=1h`;
    const query = (on: PluginBackend) =>
      on.asUser.get(`/streams/interactions/timeseries?${twoHours}`);
    expect((await query(b)).status).toBe(200);

    const saved = await a.asUser
      .patch('/admin/settings')
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
    const path = `/admin/streams/${encodeURIComponent(
      'resource:default/interactions',
    )}`;
    expect((await a.asUser.patch(path).send({ enabled: false })).status).toBe(
      200,
    );
    let listed = await b.asUser.get('/streams');
    for (let i = 0; i < 40 && listed.body.items.length > 0; i++) {
      await new Promise(r => setTimeout(r, 200));
      listed = await b.asUser.get('/streams');
    }
    expect(listed.body.items).toEqual([]);
  }, 60_000);

  it('answers the health probe without a token, and admin routes only with one', async () => {
    const backend = await replica(await databases.init('SQLITE_3'));
    const probe = await backend.anonymous.get('/health');
    expect(probe.status).toBe(200);
    expect(probe.body).toEqual({
      status: 'ok',
      checks: { objectStore: 'ok', cache: 'in-process' },
    });

    const admin = await backend.anonymous.get('/admin/settings');
    expect(admin.status).toBe(401);
  }, 30_000);
});
