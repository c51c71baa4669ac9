/*
 * Reports through the whole plugin in a test backend: Backstage's own
 * credentials barrier (the auth policies the plugin registers), the
 * scheduler task that runs jobs, S3 for events and files.
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
import request from 'supertest';
import { realtimeInsightsPlugin } from '../plugin';
import {
  REPORTS_BUCKET,
  TestObject,
  generateObjects,
} from '../services/Reports/__testUtils__/reportFixture';
import { parseCsv } from '../services/Reports/__testUtils__/parseCsv';

jest.setTimeout(60_000);

const EVENTS = `rti-report-plugin-${process.pid}`;
const BASE = '/api/realtime-insights';
const user = mockCredentials.user.header();

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'transaction-logs',
    annotations: {
      'realtime-insights.io/firehose-stream': 'rti-transaction-logs',
      'realtime-insights.io/bucket': EVENTS,
      'realtime-insights.io/measures': 'amount,latencyMs',
      'realtime-insights.io/dimensions': 'status,currency',
    },
  },
  spec: { type: 'data-stream', owner: 'group:default/payments' },
};

describe('reports through the plugin', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let s3: LocalS3;
  let objects: TestObject[];
  const stops: Array<() => Promise<void>> = [];
  let server: Parameters<typeof request>[0];

  /** The plugin in a test backend, with `reports` config added. */
  const startBackend = async (reports: object = {}) => {
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
              catalog: { allowedBuckets: [EVENTS] },
              reports: { s3: { bucket: REPORTS_BUCKET }, ...reports },
            },
          },
        }),
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        // No credentials unless a request carries a token or the cookie.
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        catalogServiceMock.factory({ entities: [entity] }),
      ],
    });
    stops.push(() => backend.stop());
    return backend.server;
  };

  const asked = {
    stream: 'transaction-logs',
    kind: 'raw',
    format: 'csv',
    from: '2026-11-23T10:00:00Z',
    to: '2026-11-23T11:00:00Z',
  };

  /** A finished job, run by the plugin's scheduled task. */
  const finishedJob = async (on: Parameters<typeof request>[0]) => {
    const created = await request(on)
      .post(`${BASE}/reports`)
      .set('Authorization', user)
      .send({ ...asked, delivery: 'job' });
    expect(created.status).toBe(202);
    let job = created.body.report;
    for (let i = 0; i < 100 && job.status !== 'succeeded'; i++) {
      await new Promise(r => setTimeout(r, 100));
      job = (
        await request(on)
          .get(`${BASE}/reports/${job.id}`)
          .set('Authorization', user)
      ).body;
    }
    expect(job.status).toBe('succeeded');
    return job.id as string;
  };

  beforeAll(async () => {
    s3 = await startLocalS3([EVENTS, REPORTS_BUCKET]);
    objects = generateObjects();
    for (const o of objects) await s3.put(EVENTS, o.key, o.body);
    server = await startBackend();
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    await s3.stop();
  });

  it('takes the cookie on the download routes only, and runs jobs on the scheduler', async () => {
    // A cookie alone does not reach the JSON routes.
    const listed = await request(server)
      .get(`${BASE}/reports`)
      .set('Cookie', mockCredentials.limitedUser.cookie());
    expect(listed.status).toBe(401);
    const unauthenticated = await request(server).get(`${BASE}/reports`);
    expect(unauthenticated.status).toBe(401);
    const withToken = await request(server)
      .get(`${BASE}/reports`)
      .set('Authorization', user);
    expect(withToken.status).toBe(200);

    const direct = await request(server)
      .post(`${BASE}/reports`)
      .set('Authorization', user)
      .send(asked);
    expect(direct.status).toBe(200);
    const exported = await request(server)
      .get(`${BASE}${direct.body.exportPath}`)
      .set('Cookie', mockCredentials.limitedUser.cookie());
    expect(exported.status).toBe(200);
    expect(parseCsv(exported.text)[0][0]).toBe('eventId');
    const anonymous = await request(server).get(
      `${BASE}${direct.body.exportPath}`,
    );
    expect(anonymous.status).toBe(401);

    // A job: created, run by the plugin's scheduled task, downloadable.
    const id = await finishedJob(server);
    const file = await request(server)
      .get(`${BASE}/reports/${id}/download`)
      .set('Cookie', mockCredentials.limitedUser.cookie());
    expect(file.status).toBe(200);
    expect(file.text).toBe(exported.text);

    // A shared link needs no credentials at all.
    const share = await request(server)
      .post(`${BASE}/reports/${id}/shares`)
      .set('Authorization', user)
      .send({ expiresInHours: 1 });
    expect(share.status).toBe(201);
    const shared = await request(server).get(`${BASE}${share.body.path}`);
    expect(shared.status).toBe(200);
    expect(shared.text).toBe(exported.text);

    // Revoked (with the token), it no longer opens.
    const revoked = await request(server)
      .delete(`${BASE}/reports/${id}/shares/${share.body.id}`)
      .set('Authorization', user);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const after = await request(server).get(`${BASE}${share.body.path}`);
    expect(after.status).toBe(403);
  });

  it('redirects shared links to S3 pre-signed URLs with sharing.download.type presigned', async () => {
    const presigned = await startBackend({
      sharing: { download: { type: 'presigned', urlLifetimeSeconds: 60 } },
    });
    const id = await finishedJob(presigned);
    const share = await request(presigned)
      .post(`${BASE}/reports/${id}/shares`)
      .set('Authorization', user)
      .send({ expiresInHours: 1 });
    expect(share.status).toBe(201);
    const opened = await request(presigned).get(`${BASE}${share.body.path}`);
    expect(opened.status).toBe(302);
    const location = new URL(opened.headers.location);
    expect(location.origin).toBe(s3.endpoint);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('60');
    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    const file = await request(presigned)
      .get(`${BASE}/reports/${id}/download`)
      .set('Cookie', mockCredentials.limitedUser.cookie());
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
