/*
 * Reports through the whole plugin in a test backend: Backstage's own
 * credentials barrier (the auth policies the plugin registers), the
 * scheduler task that runs jobs, S3 for events and files.
 */
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import {
  PluginBackend,
  startPluginBackend,
  streamEntity,
} from '../__testUtils__/startPluginBackend';
import {
  REPORTS_BUCKET,
  TestObject,
  generateObjects,
} from '../services/Reports/__testUtils__/reportFixture';
import { parseCsv } from '../services/Reports/__testUtils__/parseCsv';

jest.setTimeout(60_000);

const EVENTS = `rti-report-plugin-${process.pid}`;
const cookie = mockCredentials.limitedUser.cookie();

const entity = streamEntity({
  name: 'transaction-logs',
  bucket: EVENTS,
  owner: 'group:default/payments',
  measures: 'amount,latencyMs',
  dimensions: 'status,currency',
});

describe('reports through the plugin', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let s3: LocalS3;
  let objects: TestObject[];
  const backends: PluginBackend[] = [];
  let backend: PluginBackend;

  /** The plugin in a test backend, with `reports` config added. */
  const startBackend = async (reports: JsonObject = {}) => {
    const started = await startPluginBackend({
      s3,
      config: {
        catalog: { allowedBuckets: [EVENTS] },
        reports: { s3: { bucket: REPORTS_BUCKET }, ...reports },
      },
      database: await databases.init('SQLITE_3'),
      entities: [entity],
    });
    backends.push(started);
    return started;
  };

  const asked = {
    stream: 'transaction-logs',
    kind: 'raw',
    format: 'csv',
    from: '2026-11-23T10:00:00Z',
    to: '2026-11-23T11:00:00Z',
  };

  /** A finished job, run by the plugin's scheduled task. */
  const finishedJob = async (on: PluginBackend) => {
    const created = await on.asUser
      .post('/reports')
      .send({ ...asked, delivery: 'job' });
    expect(created.status).toBe(202);
    let job = created.body.report;
    for (let i = 0; i < 100 && job.status !== 'succeeded'; i++) {
      await new Promise(r => setTimeout(r, 100));
      job = (await on.asUser.get(`/reports/${job.id}`)).body;
    }
    expect(job.status).toBe('succeeded');
    return job.id as string;
  };

  beforeAll(async () => {
    s3 = await startLocalS3([EVENTS, REPORTS_BUCKET]);
    objects = generateObjects();
    for (const o of objects) await s3.put(EVENTS, o.key, o.body);
    backend = await startBackend();
  });
  afterAll(async () => {
    for (const started of backends) await started.stop();
    await s3.stop();
  });

  it('takes the cookie on the download routes only, and runs jobs on the scheduler', async () => {
    // A cookie alone does not reach the JSON routes.
    const listed = await backend.anonymous
      .get('/reports')
      .set('Cookie', cookie);
    expect(listed.status).toBe(401);
    const unauthenticated = await backend.anonymous.get('/reports');
    expect(unauthenticated.status).toBe(401);
    const withToken = await backend.asUser.get('/reports');
    expect(withToken.status).toBe(200);

    const direct = await backend.asUser.post('/reports').send(asked);
    expect(direct.status).toBe(200);
    const exported = await backend.anonymous
      .get(direct.body.exportPath)
      .set('Cookie', cookie);
    expect(exported.status).toBe(200);
    expect(parseCsv(exported.text)[0][0]).toBe('eventId');
    const anonymous = await backend.anonymous.get(direct.body.exportPath);
    expect(anonymous.status).toBe(401);

    // A job: created, run by the plugin's scheduled task, downloadable.
    const id = await finishedJob(backend);
    const file = await backend.anonymous
      .get(`/reports/${id}/download`)
      .set('Cookie', cookie);
    expect(file.status).toBe(200);
    expect(file.text).toBe(exported.text);

    // A shared link needs no credentials at all.
    const share = await backend.asUser
      .post(`/reports/${id}/shares`)
      .send({ expiresInHours: 1 });
    expect(share.status).toBe(201);
    const shared = await backend.anonymous.get(share.body.path);
    expect(shared.status).toBe(200);
    expect(shared.text).toBe(exported.text);

    // Revoked (with the token), it no longer opens.
    const revoked = await backend.asUser.delete(
      `/reports/${id}/shares/${share.body.id}`,
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const after = await backend.anonymous.get(share.body.path);
    expect(after.status).toBe(403);
  });

  it('redirects shared links to S3 pre-signed URLs with sharing.download.type presigned', async () => {
    const presigned = await startBackend({
      sharing: { download: { type: 'presigned', urlLifetimeSeconds: 60 } },
    });
    const id = await finishedJob(presigned);
    const share = await presigned.asUser
      .post(`/reports/${id}/shares`)
      .send({ expiresInHours: 1 });
    expect(share.status).toBe(201);
    const opened = await presigned.anonymous.get(share.body.path);
    expect(opened.status).toBe(302);
    const location = new URL(opened.headers.location);
    expect(location.origin).toBe(s3.endpoint);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('60');
    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    const file = await presigned.anonymous
      .get(`/reports/${id}/download`)
      .set('Cookie', cookie);
    expect(await fetched.text()).toBe(file.text);
  });

  it('refuses to start with an unknown sharing.download type, naming the key', async () => {
    await expect(
      startBackend({ sharing: { download: { type: 'public-bucket' } } }),
    ).rejects.toThrow(
      /Invalid config at realtimeInsights\.reports\.sharing\.download\.type/,
    );
  });
});
