/*
 * The report routes over the real services: events and files in s3rver,
 * jobs in SQLite. Credentials come from Backstage's mock auth (tokens and
 * the limited-access cookie); a request without any is unauthenticated.
 */
import {
  TestDatabases,
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuditorService } from '@backstage/backend-plugin-api';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import express from 'express';
import request from 'supertest';
import {
  EVENTS_BUCKET,
  REPORTS_BUCKET,
  START,
  createReportStack,
  expectedEvents,
  generateObjects,
  putObjects,
} from '../services/Reports/__testUtils__/reportFixture';
import { parseCsv } from '../services/Reports/__testUtils__/parseCsv';
import { MemorySummaryCache } from '../services/SummaryCache';
import { createReportsRouter } from './reportsRouter';

jest.setTimeout(60_000);

const HOUR = 3_600_000;
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const ADMIN = 'user:default/admin';
const token = (user: string) => mockCredentials.user.header(user);
const cookie = (user: string) => mockCredentials.limitedUser.cookie(user);

const body = (overrides: object = {}) => ({
  stream: 'transaction-logs',
  kind: 'raw',
  format: 'csv',
  from: new Date(START).toISOString(),
  to: new Date(START + HOUR).toISOString(),
  ...overrides,
});

describe('reports router', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const objects = generateObjects();
  let s3: LocalS3;
  let stack: Awaited<ReturnType<typeof createReportStack>>;
  let app: express.Express;
  let audited: Array<{ eventId: string; outcome?: string; meta?: object }>;

  beforeAll(async () => {
    s3 = await startLocalS3([EVENTS_BUCKET, REPORTS_BUCKET]);
    await putObjects(s3, objects);
  });
  afterAll(() => s3.stop());

  beforeEach(async () => {
    stack = await createReportStack({
      knex: await databases.init('SQLITE_3'),
      s3,
      cache: new MemorySummaryCache(1000),
    });
    audited = [];
    const auditor: AuditorService = {
      createEvent: async options => {
        const entry: (typeof audited)[number] = {
          eventId: options.eventId,
          meta: options.meta,
        };
        audited.push(entry);
        return {
          success: async o => {
            entry.outcome = 'success';
            entry.meta = { ...entry.meta, ...o?.meta };
          },
          fail: async () => {
            entry.outcome = 'fail';
          },
        };
      },
    };
    app = express();
    app.use(
      await createReportsRouter({
        httpAuth: mockServices.httpAuth({
          defaultCredentials: mockCredentials.none(),
        }),
        auditor,
        reports: stack.service,
        logger: mockServices.logger.mock(),
      }),
    );
    app.use(mockErrorHandler());
  });

  /** A finished job of Alice's, through the API and the runner. */
  const finishedJob = async (user = ALICE) => {
    const created = await request(app)
      .post('/reports')
      .set('Authorization', token(user))
      .send(body({ delivery: 'job' }));
    expect(created.status).toBe(202);
    await stack.runner.runQueued();
    return created.body.report.id as string;
  };

  it('answers every route without credentials with 401', async () => {
    const id = await finishedJob();
    const exportPath = `/reports/export?request=${encodeURIComponent(
      JSON.stringify(body()),
    )}`;
    const calls = [
      request(app).post('/reports').send(body()),
      request(app).get('/reports'),
      request(app).get(exportPath),
      request(app).get(`/reports/${id}`),
      request(app).post(`/reports/${id}/cancel`),
      request(app).post(`/reports/${id}/retry`),
      request(app).delete(`/reports/${id}`),
      request(app).get(`/reports/${id}/download`),
      request(app).post(`/reports/${id}/shares`).send({ expiresInHours: 1 }),
      request(app).get(`/reports/${id}/shares`),
      request(app).delete(`/reports/${id}/shares/${id}`),
      // The cookie is for the download routes only.
      request(app).get('/reports').set('Cookie', cookie(ALICE)),
      request(app).get(`/reports/${id}`).set('Cookie', cookie(ALICE)),
      request(app).get(`/reports/${id}/shares`).set('Cookie', cookie(ALICE)),
      request(app)
        .delete(`/reports/${id}/shares/${id}`)
        .set('Cookie', cookie(ALICE)),
      request(app)
        .get(`/reports/${id}/download`)
        .set('Cookie', mockCredentials.limitedUser.invalidCookie()),
    ];
    for (const call of calls) {
      const response = await call;
      expect(response.status).toBe(401);
    }
  });

  it('answers 403 without the create or share permission, and for everyone’s list without admin', async () => {
    const id = await finishedJob();
    stack.decisions.create = false;
    const create = await request(app)
      .post('/reports')
      .set('Authorization', token(ALICE))
      .send(body());
    expect(create.status).toBe(403);
    expect(create.body.error.message).toMatch(/may not create reports/);
    const direct = await request(app)
      .get(
        `/reports/export?request=${encodeURIComponent(JSON.stringify(body()))}`,
      )
      .set('Cookie', cookie(ALICE));
    expect(direct.status).toBe(403);

    stack.decisions.share = false;
    const share = await request(app)
      .post(`/reports/${id}/shares`)
      .set('Authorization', token(ALICE))
      .send({ expiresInHours: 1 });
    expect(share.status).toBe(403);
    expect(audited).toEqual([
      expect.objectContaining({ eventId: 'report-share', outcome: 'fail' }),
    ]);

    const all = await request(app)
      .get('/reports?all=true')
      .set('Authorization', token(BOB));
    expect(all.status).toBe(403);
  });

  it('answers 404 for unknown reports, unknown streams and other users’ reports', async () => {
    const id = await finishedJob();
    for (const path of [
      '/reports/00000000-0000-4000-8000-000000000000',
      '/reports/not-a-uuid',
      `/reports/${id}`,
    ]) {
      const user = path.endsWith(id) ? BOB : ALICE;
      const response = await request(app)
        .get(path)
        .set('Authorization', token(user));
      expect(response.status).toBe(404);
      expect(response.body.error.name).toBe('NotFoundError');
    }
    for (const call of [
      request(app).get(`/reports/${id}/download`).set('Cookie', cookie(BOB)),
      request(app)
        .post(`/reports/${id}/cancel`)
        .set('Authorization', token(BOB)),
      request(app).delete(`/reports/${id}`).set('Authorization', token(BOB)),
      request(app)
        .post(`/reports/${id}/shares`)
        .set('Authorization', token(BOB))
        .send({ expiresInHours: 1 }),
      request(app)
        .post('/reports')
        .set('Authorization', token(ALICE))
        .send(body({ stream: 'secret-stream' })),
    ]) {
      expect((await call).status).toBe(404);
    }
    // Admins see and download everyone's reports.
    const asAdmin = await request(app)
      .get(`/reports/${id}/download`)
      .set('Cookie', cookie(ADMIN));
    expect(asAdmin.status).toBe(200);
  });

  it.each([
    [{ format: 'pdf' }, /'format'/],
    [{ kind: 'everything' }, /'kind'/],
    [{ from: 'yesterday' }, /'from': must be an ISO-8601 time/],
    [
      { from: new Date(START + HOUR).toISOString() },
      /'from': must be before 'to'/,
    ],
    [
      { from: '2026-10-01T00:00:00Z', to: '2026-11-20T00:00:00Z' },
      /'to': a report may span at most 744 hours/,
    ],
    [{ columns: ['eventId', 'eventId'] }, /'columns': must not repeat/],
    [{ columns: ['bad name!'] }, /'columns.0'/],
    [
      { kind: 'summary', columns: ['eventId'] },
      /'columns': only applies to raw reports/,
    ],
    [{ groupBy: 'status' }, /'groupBy': only applies to summary/],
    [
      { kind: 'summary', groupBy: 'nope' },
      /'groupBy': 'nope' is not a dimension/,
    ],
    [
      { kind: 'summary', bucket: '1m', to: '2026-11-25T10:00:00Z' },
      /'bucket': .* exceed the maximum of 1440/,
    ],
    [
      { filters: [{ field: 'nope', values: ['x'] }] },
      /'filters': 'nope' is not a dimension/,
    ],
    [{ filters: [{ field: 'status', values: [] }] }, /'filters.0.values'/],
    [{ surprise: 1 }, /'surprise'/],
    // Offsets the schema once admitted and Date.parse refused: 500s.
    [{ from: '2026-11-23T10:00:00+24:00' }, /'from'.*ISO-8601/],
    [{ to: '2026-11-23T11:00:00+99:99' }, /'to'.*ISO-8601/],
  ])('answers %j with 400 naming the field', async (overrides, message) => {
    const response = await request(app)
      .post('/reports')
      .set('Authorization', token(ALICE))
      .send(body(overrides));
    expect(response.status).toBe(400);
    expect(response.body.error.name).toBe('InputError');
    expect(response.body.error.message).toMatch(message);
  });

  it('answers bad share and export inputs with 400', async () => {
    const id = await finishedJob();
    const share = await request(app)
      .post(`/reports/${id}/shares`)
      .set('Authorization', token(ALICE))
      .send({ expiresInHours: 500 });
    expect(share.status).toBe(400);
    expect(share.body.error.message).toMatch(
      /'expiresInHours': a link may live at most 168 hours/,
    );
    const notJson = await request(app)
      .get('/reports/export?request=%7Bnope')
      .set('Cookie', cookie(ALICE));
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toMatch(/'request': not JSON/);
    const badTime = await request(app)
      .get(
        `/reports/export?request=${encodeURIComponent(
          JSON.stringify(body({ from: '2026-11-23T10:00:00+2400' })),
        )}`,
      )
      .set('Cookie', cookie(ALICE));
    expect(badTime.status).toBe(400);
    expect(badTime.body.error.message).toMatch(/'from'/);
    const noRequest = await request(app)
      .get('/reports/export')
      .set('Cookie', cookie(ALICE));
    expect(noRequest.status).toBe(400);
  });

  it('downloads a small report at once with the user cookie', async () => {
    const created = await request(app)
      .post('/reports')
      .set('Authorization', token(ALICE))
      .send(body({ filters: [{ field: 'currency', values: ['EUR'] }] }));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      delivery: 'direct',
      fileName: 'transaction-logs-raw-20261123T1000-20261123T1100.csv',
    });
    const file = await request(app)
      .get(created.body.exportPath)
      .set('Cookie', cookie(ALICE));
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.headers['content-disposition']).toBe(
      'attachment; filename="transaction-logs-raw-20261123T1000-20261123T1100.csv"',
    );
    const rows = parseCsv(file.text);
    const expected = expectedEvents(
      objects,
      { fromMs: START, toMs: START + HOUR },
      [{ field: 'currency', values: ['EUR'] }],
    );
    expect(rows.slice(1).map(r => r[0])).toEqual(expected.map(e => e.eventId));
    expect(
      new Set(rows.slice(1).map(r => r[rows[0].indexOf('currency')])),
    ).toEqual(new Set(['EUR']));
  });

  it('runs a large report as a job, lists it, downloads it with the cookie, deletes it', async () => {
    stack.settings.set('reports.directMaxBytes', 10);
    const created = await request(app)
      .post('/reports')
      .set('Authorization', token(ALICE))
      .send(body({ format: 'ndjson' }));
    expect(created.status).toBe(202);
    expect(created.body.report).toMatchObject({
      status: 'queued',
      format: 'ndjson',
    });
    const id = created.body.report.id;
    expect(
      (
        await request(app).get('/reports').set('Authorization', token(ALICE))
      ).body.items.map((r: { id: string }) => r.id),
    ).toEqual([id]);
    expect(
      (await request(app).get('/reports').set('Authorization', token(BOB))).body
        .items,
    ).toEqual([]);

    const early = await request(app)
      .get(`/reports/${id}/download`)
      .set('Cookie', cookie(ALICE));
    expect(early.status).toBe(409);

    await stack.runner.runQueued();
    const done = await request(app)
      .get(`/reports/${id}`)
      .set('Authorization', token(ALICE));
    expect(done.body).toMatchObject({
      status: 'succeeded',
      progress: { fraction: 1 },
    });
    const file = await request(app)
      .get(`/reports/${id}/download`)
      .set('Cookie', cookie(ALICE));
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/x-ndjson');
    expect(Number(file.headers['content-length'])).toBe(done.body.sizeBytes);
    expect(file.text.trim().split('\n')).toHaveLength(
      expectedEvents(objects, { fromMs: START, toMs: START + HOUR }).length,
    );

    const deleted = await request(app)
      .delete(`/reports/${id}`)
      .set('Authorization', token(ALICE));
    expect(deleted.status).toBe(204);
    expect(await s3.listKeys(REPORTS_BUCKET, `reports/${id}/`)).toEqual([]);
    expect(audited.map(a => [a.eventId, a.outcome])).toEqual([
      ['report-delete', 'success'],
    ]);
  });

  it('shares a report through a link that works without a login, for that report only, until it expires', async () => {
    const id = await finishedJob();
    const other = await finishedJob();
    const shared = await request(app)
      .post(`/reports/${id}/shares`)
      .set('Authorization', token(ALICE))
      .send({ expiresInHours: 24 });
    expect(shared.status).toBe(201);
    expect(shared.body.path).toMatch(
      /^\/shared-reports\/[0-9a-f-]{36}\?expires=\d+&signature=/,
    );
    expect(audited).toEqual([
      expect.objectContaining({
        eventId: 'report-share',
        outcome: 'success',
        meta: expect.objectContaining({
          reportId: id,
          expiresInHours: 24,
          shareId: shared.body.id,
        }),
      }),
    ]);

    // No credentials at all.
    const opened = await request(app).get(shared.body.path);
    expect(opened.status).toBe(200);
    const mine = await request(app)
      .get(`/reports/${id}/download`)
      .set('Cookie', cookie(ALICE));
    expect(opened.text).toBe(mine.text);
    expect(audited[1]).toMatchObject({
      eventId: 'report-shared-download',
      outcome: 'success',
      meta: { reportId: id },
    });

    // Its signature does not open another report's share.
    const otherShare = await request(app)
      .post(`/reports/${other}/shares`)
      .set('Authorization', token(ALICE))
      .send({ expiresInHours: 24 });
    const forged = shared.body.path.replace(
      /signature=.*/,
      new URL(otherShare.body.path, 'http://x').search.match(
        /signature=.*/,
      )![0],
    );
    expect((await request(app).get(forged)).status).toBe(403);
    expect(
      (
        await request(app).get(
          shared.body.path.replace(/expires=\d+/, 'expires=99999999999999'),
        )
      ).status,
    ).toBe(403);

    stack.clock.now += 24 * HOUR;
    const expired = await request(app).get(shared.body.path);
    expect(expired.status).toBe(403);
    expect(expired.body.error.message).toMatch(
      /This shared link expired at .*ask its sender for a new one/,
    );
    expect(audited.at(-1)).toMatchObject({
      eventId: 'report-shared-download',
      outcome: 'fail',
    });
  });
  /** A link to a finished report of Alice's: its id and path. */
  const sharedLink = async (id: string, expiresInHours = 24) => {
    const shared = await request(app)
      .post(`/reports/${id}/shares`)
      .set('Authorization', token(ALICE))
      .send({ expiresInHours });
    expect(shared.status).toBe(201);
    return shared.body as { id: string; path: string; expiresAt: string };
  };

  it('lists a report’s links and revokes one, audited; the revoked link answers 403', async () => {
    const id = await finishedJob();
    const link = await sharedLink(id);
    const listed = await request(app)
      .get(`/reports/${id}/shares`)
      .set('Authorization', token(ALICE));
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      items: [
        {
          id: link.id,
          reportId: id,
          createdBy: ALICE,
          createdAt: new Date(stack.clock.now).toISOString(),
          expiresAt: link.expiresAt,
          status: 'active',
        },
      ],
    });
    expect((await request(app).get(link.path)).status).toBe(200);

    const revoked = await request(app)
      .delete(`/reports/${id}/shares/${link.id}`)
      .set('Authorization', token(ALICE));
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({
      id: link.id,
      status: 'revoked',
      revokedAt: new Date(stack.clock.now).toISOString(),
    });
    expect(audited.at(-1)).toEqual({
      eventId: 'report-share-revoke',
      outcome: 'success',
      meta: {
        reportId: id,
        shareId: link.id,
        stream: 'transaction-logs',
        revokedAt: revoked.body.revokedAt,
        alreadyRevoked: false,
      },
    });

    const opened = await request(app).get(link.path);
    expect(opened.status).toBe(403);
    expect(opened.body.error.message).toBe(
      'This shared link was revoked; ask its sender for a new one',
    );

    // Idempotent: the same answer, audited as already revoked.
    stack.clock.now += 60_000;
    const again = await request(app)
      .delete(`/reports/${id}/shares/${link.id}`)
      .set('Authorization', token(ALICE));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(revoked.body);
    expect(audited.at(-1)).toMatchObject({
      outcome: 'success',
      meta: { alreadyRevoked: true },
    });
    const active = await request(app)
      .get(`/reports/${id}/shares?status=active`)
      .set('Authorization', token(ALICE));
    expect(active.body).toEqual({ items: [] });
  });

  it('answers revoking and listing links with 403, 404 and 400 as the caller and input call for', async () => {
    const id = await finishedJob();
    const link = await sharedLink(id);
    audited = [];

    // The owner without `report.share`: 403, audited as a failure.
    stack.decisions.share = false;
    const denied = await request(app)
      .delete(`/reports/${id}/shares/${link.id}`)
      .set('Authorization', token(ALICE));
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/may not revoke shared links/);
    expect(audited).toEqual([
      expect.objectContaining({
        eventId: 'report-share-revoke',
        outcome: 'fail',
      }),
    ]);
    expect((await request(app).get(link.path)).status).toBe(200);

    // Other users' reports and unknown links: 404.
    stack.decisions.share = true;
    for (const [path, user] of [
      [`/reports/${id}/shares/${link.id}`, BOB],
      [`/reports/${id}/shares/00000000-0000-4000-8000-000000000000`, ALICE],
      [`/reports/${id}/shares/not-a-uuid`, ALICE],
      [
        `/reports/00000000-0000-4000-8000-000000000000/shares/${link.id}`,
        ALICE,
      ],
    ]) {
      const response = await request(app)
        .delete(path)
        .set('Authorization', token(user));
      expect(response.status).toBe(404);
      expect(response.body.error.name).toBe('NotFoundError');
    }
    const listedByBob = await request(app)
      .get(`/reports/${id}/shares`)
      .set('Authorization', token(BOB));
    expect(listedByBob.status).toBe(404);

    const badStatus = await request(app)
      .get(`/reports/${id}/shares?status=gone`)
      .set('Authorization', token(ALICE));
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.message).toMatch(
      /Invalid query parameter 'status'/,
    );
    const unknown = await request(app)
      .get(`/reports/${id}/shares?all=true`)
      .set('Authorization', token(ALICE));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/'all'/);

    // Admins may list and revoke anyone's links.
    const byAdmin = await request(app)
      .delete(`/reports/${id}/shares/${link.id}`)
      .set('Authorization', token(ADMIN));
    expect(byAdmin.status).toBe(200);
    expect((await request(app).get(link.path)).status).toBe(403);
  });

  it('redirects a shared link to a short-lived S3 pre-signed URL in presigned mode; the URL alone reads the file', async () => {
    stack.settings.set('reports.sharing.download', {
      type: 'presigned',
      urlLifetimeSeconds: 300,
    });
    const id = await finishedJob();
    const link = await sharedLink(id, 1);
    const mine = await request(app)
      .get(`/reports/${id}/download`)
      .set('Cookie', cookie(ALICE));
    expect(mine.status).toBe(200);

    const opened = await request(app).get(link.path);
    expect(opened.status).toBe(302);
    expect(opened.headers['cache-control']).toBe(
      'private, no-store, no-transform',
    );
    expect(opened.headers['referrer-policy']).toBe('no-referrer');
    const location = new URL(opened.headers.location);
    expect(location.origin).toBe(s3.endpoint);
    expect(location.pathname).toBe(
      `/${REPORTS_BUCKET}/reports/${id}/${mine.headers[
        'content-disposition'
      ].replace(/^attachment; filename="(.*)"$/, '$1')}`,
    );
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(audited.at(-1)).toMatchObject({
      eventId: 'report-shared-download',
      outcome: 'success',
      meta: { reportId: id, delivery: 'presigned' },
    });

    // Fetched as a recipient would: no portal token or cookie at all.
    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-disposition')).toBe(
      mine.headers['content-disposition'],
    );
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(
      Buffer.from(mine.text),
    );

    // Revoked or expired links never redirect.
    const other = await sharedLink(id, 1);
    await request(app)
      .delete(`/reports/${id}/shares/${link.id}`)
      .set('Authorization', token(ALICE))
      .expect(200);
    const revoked = await request(app).get(link.path);
    expect(revoked.status).toBe(403);
    expect(revoked.headers.location).toBeUndefined();
    expect((await request(app).get(other.path)).status).toBe(302);
    stack.clock.now += HOUR;
    const expired = await request(app).get(other.path);
    expect(expired.status).toBe(403);
    expect(expired.headers.location).toBeUndefined();
    expect(expired.body.error.message).toMatch(/expired at/);
  });
});
