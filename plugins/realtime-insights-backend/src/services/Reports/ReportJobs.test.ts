/*
 * Report jobs end to end on real parts: events and report files in a real
 * S3 server (s3rver), listings cached in the real Redis, jobs in SQLite and
 * PostgreSQL (when one answers on 127.0.0.1:5432).
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  ReportJob,
  ReportRequest,
} from '@internal/plugin-realtime-insights-common';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import { connectedRedisCache } from '../../__testUtils__/redis';
import { ObjectStore } from '../ObjectStore';
import {
  CACHE_KEY_PREFIX,
  MemorySummaryCache,
  RedisSummaryCache,
} from '../SummaryCache';
import { reportTestDatabases } from './__testUtils__/testDatabases';
import {
  EVENTS_BUCKET,
  NOW,
  REPORTS_BUCKET,
  START,
  TestObject,
  admin,
  alice,
  bob,
  createReportStack,
  expectedEvents,
  generateObjects,
  putObjects,
  readBody,
  stream,
} from './__testUtils__/reportFixture';
import { parseCsv } from './__testUtils__/parseCsv';

// Real servers on a shared 2-core machine: generous time per case.
jest.setTimeout(60_000);

const { ids, skipped } = reportTestDatabases();
const databases = TestDatabases.create({ ids });

const HOUR = 3_600_000;
const request = (overrides: Partial<ReportRequest> = {}): ReportRequest => ({
  stream: stream.name,
  kind: 'raw',
  format: 'csv',
  from: new Date(START).toISOString(),
  to: new Date(START + 3 * HOUR).toISOString(),
  filters: [],
  delivery: 'job',
  ...overrides,
});

/**
 * Holds every object read but the first until `gate.open()`: a job is
 * seen midway without waiting for time to pass.
 */
const gate = {
  opened: false,
  release: () => {},
  open() {
    this.opened = true;
    this.release();
  },
};
function gated(store: ObjectStore): ObjectStore {
  gate.opened = false;
  const opened = new Promise<void>(resolve => {
    gate.release = resolve;
  });
  let reads = 0;
  return {
    list: (bucket, prefix, startAfter) =>
      store.list(bucket, prefix, startAfter),
    open: async (bucket, key) => {
      if (reads++ > 0) await opened;
      return store.open(bucket, key);
    },
  };
}

/** Delays every object read: jobs run long enough to watch and cancel. */
function slowStore(
  store: ObjectStore,
  delayMs: { value: number },
): ObjectStore {
  return {
    list: (bucket, prefix, startAfter) =>
      store.list(bucket, prefix, startAfter),
    open: async (bucket, key) => {
      await new Promise(r => setTimeout(r, delayMs.value));
      return store.open(bucket, key);
    },
  };
}

describe('report jobs (real s3rver, Redis and database)', () => {
  let s3: LocalS3;
  let cache: RedisSummaryCache;
  const objects: TestObject[] = generateObjects();

  beforeAll(async () => {
    s3 = await startLocalS3([EVENTS_BUCKET, REPORTS_BUCKET]);
    await putObjects(s3, objects);
    cache = await connectedRedisCache();
  });
  afterAll(async () => {
    await cache.deleteByPrefix(
      ['list', 'sum', 'hour'].map(
        kind => `${CACHE_KEY_PREFIX}${kind}:${EVENTS_BUCKET}`,
      ),
    );
    await cache.close();
    await s3.stop();
  });

  if (skipped) {
    // Shown as skipped, so a run without PostgreSQL never passes silently.
    // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect
    it.skip(`on PostgreSQL: skipped, ${skipped}`, () => {});
  }

  describe.each(ids)('on %s', databaseId => {
    const setup = async (
      options: Partial<Parameters<typeof createReportStack>[0]> = {},
    ) =>
      createReportStack({
        knex: await databases.init(databaseId),
        s3,
        cache,
        ...options,
      });

    const downloadText = async (
      service: Awaited<ReturnType<typeof setup>>['service'],
      id: string,
    ) => {
      const file = await service.download(id, alice);
      return (await readBody(file.body)).toString('utf8');
    };

    it('runs a raw CSV job: progress, rows as in S3 (range, filters, columns, duplicates once), download, expiry', async () => {
      const stack = await setup();
      const asked = request({
        from: new Date(START + 30 * 60_000).toISOString(),
        to: new Date(START + 150 * 60_000).toISOString(),
        filters: [{ field: 'status', values: ['approved'] }],
        columns: ['eventId', 'ts', 'amount', 'note', 'status'],
      });
      const created = await stack.service.create(asked, alice);
      expect(created.delivery).toBe('job');
      const id = created.delivery === 'job' ? created.report.id : '';
      expect(created.delivery === 'job' && created.report.status).toBe(
        'queued',
      );
      expect(stack.wakes).toHaveLength(1);

      expect(await stack.runner.runQueued()).toBe(1);
      const done = await stack.service.get(id, alice);
      expect(done.status).toBe('succeeded');
      expect(done.attempts).toBe(1);
      expect(done.progress.fraction).toBe(1);
      expect(done.progress.bytesScanned).toBe(done.progress.bytesEstimated);
      expect(done.progress.bytesEstimated).toBeGreaterThan(0);

      const expected = expectedEvents(
        objects,
        { fromMs: START + 30 * 60_000, toMs: START + 150 * 60_000 },
        asked.filters,
      );
      expect(expected.length).toBeGreaterThan(2000);
      expect(done.progress.rowsWritten).toBe(expected.length);
      const rows = parseCsv(await downloadText(stack.service, id));
      expect(rows[0]).toEqual(['eventId', 'ts', 'amount', 'note', 'status']);
      expect(rows.slice(1).map(r => r[0])).toEqual(
        expected.map(e => e.eventId),
      );
      // Notes as a spreadsheet will show them: formulas neutralised.
      const noteCell = (note: unknown) => {
        if (note === undefined || note === null) return '';
        if (typeof note === 'object') return JSON.stringify(note);
        return /^[=+\-@]/.test(String(note)) ? `'${note}` : String(note);
      };
      expect(rows.slice(1).map(r => r[3])).toEqual(
        expected.map(e => noteCell(e.note)),
      );
      expect(rows.slice(1).map(r => r[3])).toContain(
        `'=HYPERLINK("http://evil.example")`,
      );
      expect(done.sizeBytes).toBeGreaterThan(0);
      const key = `reports/${id}/${done.fileName}`;
      expect(await s3.listKeys(REPORTS_BUCKET, `reports/${id}/`)).toEqual([
        key,
      ]);

      // Retention: deleted from S3 and the database once it expires.
      const retention =
        stack.settings.current.reports.retentionDays * 86_400_000;
      stack.clock.now += retention - 1000;
      expect(await stack.runner.removeExpired()).toBe(0);
      stack.clock.now += 2000;
      await expect(stack.service.download(id, alice)).rejects.toThrow(
        /expired/,
      );
      expect(await stack.runner.removeExpired()).toBe(1);
      expect(await s3.listKeys(REPORTS_BUCKET, `reports/${id}/`)).toEqual([]);
      await expect(stack.service.get(id, alice)).rejects.toThrow(/No report/);
    });

    it('writes an empty range as a header-only file, and NDJSON/XLSX jobs', async () => {
      const stack = await setup();
      const empty = await stack.service.create(
        request({
          from: '2026-11-22T00:00:00Z',
          to: '2026-11-22T01:00:00Z',
          columns: ['eventId', 'amount'],
        }),
        alice,
      );
      const ndjson = await stack.service.create(
        request({ format: 'ndjson', to: new Date(START + HOUR).toISOString() }),
        alice,
      );
      const xlsx = await stack.service.create(
        request({
          format: 'xlsx',
          to: new Date(START + 20 * 60_000).toISOString(),
          columns: ['eventId', 'amount', 'note'],
        }),
        alice,
      );
      expect(await stack.runner.runQueued()).toBe(3);
      const idOf = (c: typeof empty) =>
        c.delivery === 'job' ? c.report.id : '';

      expect(await downloadText(stack.service, idOf(empty))).toBe(
        'eventId,amount\r\n',
      );

      const lines = (await downloadText(stack.service, idOf(ndjson)))
        .trim()
        .split('\n');
      const hour = expectedEvents(objects, {
        fromMs: START,
        toMs: START + HOUR,
      });
      // As stored: the very lines Firehose wrote.
      expect(lines.map(l => JSON.parse(l))).toEqual(hour);

      const file = await stack.service.download(idOf(xlsx), alice);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(
        (await readBody(file.body)) as unknown as ArrayBuffer,
      );
      const sheet = workbook.worksheets[0];
      const twenty = expectedEvents(objects, {
        fromMs: START,
        toMs: START + 20 * 60_000,
      });
      expect(sheet.rowCount).toBe(twenty.length + 1);
      expect(sheet.getRow(2).getCell(1).value).toBe(twenty[0].eventId);
      expect(sheet.getRow(2).getCell(2).value).toBe(twenty[0].amount);
    });

    it('runs a summary job: one row per bucket, counts as in S3, group-by columns', async () => {
      const stack = await setup();
      const created = await stack.service.create(
        request({
          kind: 'summary',
          bucket: '1h',
          groupBy: 'currency',
          top: 2,
        }),
        alice,
      );
      await stack.runner.runQueued();
      const id = created.delivery === 'job' ? created.report.id : '';
      const rows = parseCsv(await downloadText(stack.service, id));
      expect(rows[0].slice(0, 6)).toEqual([
        'bucketStart',
        'count',
        'devices',
        'customers',
        'amount.count',
        'amount.sum',
      ]);
      expect(rows[0].filter(c => c.startsWith('currency='))).toHaveLength(3);
      expect(rows).toHaveLength(4);
      for (let h = 0; h < 3; h++) {
        const inHour = expectedEvents(objects, {
          fromMs: START + h * HOUR,
          toMs: START + (h + 1) * HOUR,
        });
        expect(rows[h + 1][0]).toBe(new Date(START + h * HOUR).toISOString());
        expect(Number(rows[h + 1][1])).toBe(inHour.length);
        const groups = rows[0]
          .map((c, i) =>
            c.startsWith('currency=') ? Number(rows[h + 1][i]) : 0,
          )
          .reduce((a, b) => a + b, 0);
        expect(groups).toBe(inHour.length);
      }
    });

    it('shows progress while a job runs, and cancels it leaving no file', async () => {
      const delay = { value: 150 };
      const stack = await setup({ wrapStore: s => slowStore(s, delay) });
      const created = await stack.service.create(request(), alice);
      const id = created.delivery === 'job' ? created.report.id : '';
      const running = stack.runner.runQueued();

      let seen = await stack.service.get(id, alice);
      for (let i = 0; i < 200 && !(seen.progress.bytesScanned > 0); i++) {
        await new Promise(r => setTimeout(r, 25));
        seen = await stack.service.get(id, alice);
      }
      expect(seen.status).toBe('running');
      expect(seen.progress.bytesScanned).toBeGreaterThan(0);
      expect(seen.progress.bytesScanned).toBeLessThan(
        seen.progress.bytesEstimated,
      );
      expect(seen.progress.fraction).toBeGreaterThan(0);
      expect(seen.progress.fraction).toBeLessThan(1);
      expect(seen.progress.eventsEstimated).toBeGreaterThan(
        seen.progress.eventsScanned,
      );

      const cancelling = await stack.service.cancel(id, alice);
      expect(cancelling.cancelRequested).toBe(true);
      await running;
      const cancelled = await stack.service.get(id, alice);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.progress.fraction).toBeLessThan(1);
      expect(await s3.listKeys(REPORTS_BUCKET, `reports/${id}/`)).toEqual([]);
      await expect(stack.service.download(id, alice)).rejects.toThrow(
        /cancelled, not finished/,
      );

      // A queued job is cancelled at once.
      const queued = await stack.service.create(request(), alice);
      const queuedId = queued.delivery === 'job' ? queued.report.id : '';
      expect((await stack.service.cancel(queuedId, alice)).status).toBe(
        'cancelled',
      );
      expect(await stack.runner.runQueued()).toBe(0);
    });

    it('retries a failing job, marks it failed after its attempts, and runs it again on request', async () => {
      const stack = await setup();
      // A bucket that does not exist: every upload fails (NoSuchBucket).
      stack.settings.set('reports.s3.bucket', 'rti-no-such-bucket');
      const created = await stack.service.create(
        request({ to: new Date(START + HOUR).toISOString() }),
        alice,
      );
      const id = created.delivery === 'job' ? created.report.id : '';
      await stack.runner.runQueued();
      // The first failure queues it again (retryDelaySeconds 0 in the test),
      // and the same run picks it up: both attempts are used.
      let job = await stack.service.get(id, alice);
      expect(job.status).toBe('failed');
      expect(job.attempts).toBe(2);
      expect(job.error).toMatch(/bucket/i);
      expect(job.finishedAt).toBeDefined();

      await expect(stack.service.retry(id, bob)).rejects.toThrow(/No report/);
      stack.settings.set('reports.s3.bucket', REPORTS_BUCKET);
      job = await stack.service.retry(id, alice);
      expect(job.status).toBe('queued');
      expect(job.attempts).toBe(0);
      expect(job.error).toBeUndefined();
      await stack.runner.runQueued();
      job = await stack.service.get(id, alice);
      expect(job.status).toBe('succeeded');
      expect(job.attempts).toBe(1);
      const rows = parseCsv(await downloadText(stack.service, id));
      expect(rows.length - 1).toBe(
        expectedEvents(objects, { fromMs: START, toMs: START + HOUR }).length,
      );
      await expect(stack.service.retry(id, alice)).rejects.toThrow(
        /only failed or cancelled/,
      );
    });

    it('checks the stream again on every retry, download and share, and runs no job of a stream turned off', async () => {
      const stack = await setup();
      const id = await (async () => {
        const created = await stack.service.create(
          request({ delivery: 'job' }),
          alice,
        );
        return created.delivery === 'job' ? created.report.id : '';
      })();
      await stack.runner.runQueued();
      expect((await stack.service.get(id, alice)).status).toBe('succeeded');

      // Alice leaves the team that owns the stream: her report stays
      // listed, but its data is the stream's, and she may no longer read it.
      stack.decisions.readers = [admin.principal.userEntityRef];
      await expect(stack.service.download(id, alice)).rejects.toThrow(
        NotFoundError,
      );
      await expect(stack.service.share(id, alice, 1)).rejects.toThrow(
        NotFoundError,
      );
      stack.decisions.readers = undefined;
      expect(await stack.service.download(id, alice)).toBeDefined();

      // A failed job, retried after access was lost: refused.
      stack.settings.set('reports.s3.bucket', 'rti-no-such-bucket');
      const failing = await stack.service.create(
        request({ delivery: 'job' }),
        alice,
      );
      const failedId = failing.delivery === 'job' ? failing.report.id : '';
      await stack.runner.runQueued();
      stack.settings.set('reports.s3.bucket', REPORTS_BUCKET);
      stack.decisions.readers = [admin.principal.userEntityRef];
      await expect(stack.service.retry(failedId, alice)).rejects.toThrow(
        NotFoundError,
      );
      stack.decisions.readers = undefined;
      stack.decisions.create = false;
      await expect(stack.service.retry(failedId, alice)).rejects.toThrow(
        NotAllowedError,
      );
      stack.decisions.create = true;

      // An admin turns the stream off: a queued job fails, saying why.
      await stack.service.retry(failedId, alice);
      stack.decisions.streamEnabled = false;
      await stack.runner.runQueued();
      const off = await stack.service.get(failedId, alice);
      expect(off.status).toBe('failed');
      expect(off.error).toMatch(/turned off/);
    });

    it('keeps a job’s range from reaching past the time it was made', async () => {
      const stack = await setup();
      const created = await stack.service.create(
        request({
          delivery: 'job',
          from: new Date(NOW - HOUR).toISOString(),
          to: new Date(NOW + 5 * HOUR).toISOString(),
        }),
        alice,
      );
      expect(created.delivery).toBe('job');
      const job = created.delivery === 'job' ? created.report : undefined;
      expect(job?.to).toBe(new Date(NOW).toISOString());
      await expect(
        stack.service.create(
          request({
            delivery: 'job',
            from: new Date(NOW + HOUR).toISOString(),
            to: new Date(NOW + 2 * HOUR).toISOString(),
          }),
          alice,
        ),
      ).rejects.toThrow(/'from': a report's range must start before now/);
    });

    it('waits its retry delay before running a failed job again', async () => {
      const stack = await setup({
        config: {
          reports: {
            s3: { bucket: 'rti-no-such-bucket' },
            jobs: { retryDelaySeconds: 60, maxAttempts: 3 },
          },
        },
      });
      const created = await stack.service.create(
        request({ to: new Date(START + HOUR).toISOString() }),
        alice,
      );
      const id = created.delivery === 'job' ? created.report.id : '';
      expect(await stack.runner.runQueued()).toBe(1);
      let job = await stack.service.get(id, alice);
      expect(job.status).toBe('queued');
      expect(job.attempts).toBe(1);
      expect(job.error).toMatch(/bucket/i);
      expect(await stack.runner.runQueued()).toBe(0); // not due yet
      stack.clock.now += 61_000;
      expect(await stack.runner.runQueued()).toBe(1);
      job = await stack.service.get(id, alice);
      expect(job.attempts).toBe(2);
    });

    it('never runs one job twice across replicas, and takes over a dead replica’s job', async () => {
      const knex = await databases.init(databaseId);
      const a = await createReportStack({ knex, s3, cache, replicaId: 'a' });
      const b = await createReportStack({ knex, s3, cache, replicaId: 'b' });
      const jobIds: string[] = [];
      for (let i = 0; i < 4; i++) {
        const created = await a.service.create(
          request({
            to: new Date(START + (i + 1) * 20 * 60_000).toISOString(),
          }),
          alice,
        );
        if (created.delivery === 'job') jobIds.push(created.report.id);
      }
      const [ranA, ranB] = await Promise.all([
        a.runner.runQueued(),
        b.runner.runQueued(),
      ]);
      expect(ranA + ranB).toBe(4);
      for (const id of jobIds) {
        const job = await a.service.get(id, alice);
        expect(job.status).toBe('succeeded');
        expect(job.attempts).toBe(1);
        expect(
          await s3.listKeys(REPORTS_BUCKET, `reports/${id}/`),
        ).toHaveLength(1);
      }

      // A replica claimed a job and died: no progress for minutes.
      const created = await a.service.create(
        request({ to: new Date(START + HOUR).toISOString() }),
        alice,
      );
      const id = created.delivery === 'job' ? created.report.id : '';
      const [claimed] = await a.reportStore.claim({
        claim: () => 'ghost:1',
        now: a.clock.now,
        limit: 1,
      });
      expect(claimed.id).toBe(id);
      expect(await b.runner.runQueued()).toBe(0); // still fresh
      b.clock.now += 5 * 60_000;
      expect(await b.runner.runQueued()).toBe(1);
      const job = await b.service.get(id, alice);
      expect(job.status).toBe('succeeded');
      expect(job.attempts).toBe(2);
      // The ghost's late progress is refused: the job is no longer its.
      expect(
        await a.reportStore.progress(
          id,
          'ghost:1',
          { bytesScanned: 1 },
          b.clock.now,
        ),
      ).toEqual({ owned: false, cancelRequested: false });
    });

    it('shows users their own reports, admins everyone’s', async () => {
      const stack = await setup();
      const mine = await stack.service.create(request(), alice);
      await stack.service.create(request(), bob);
      const mineId = mine.delivery === 'job' ? mine.report.id : '';
      expect((await stack.service.list(alice)).map(j => j.id)).toEqual([
        mineId,
      ]);
      await expect(stack.service.get(mineId, bob)).rejects.toThrow(/No report/);
      await expect(stack.service.cancel(mineId, bob)).rejects.toThrow(
        /No report/,
      );
      await expect(stack.service.list(bob, { all: true })).rejects.toThrow(
        /admins/,
      );
      expect(await stack.service.list(admin, { all: true })).toHaveLength(2);
      expect((await stack.service.get(mineId, admin)).createdBy).toBe(
        'user:default/alice',
      );
    });

    it('shares a finished report through a signed link that expires', async () => {
      const stack = await setup();
      const created = await stack.service.create(
        request({ to: new Date(START + HOUR).toISOString() }),
        alice,
      );
      const other = await stack.service.create(
        request({ to: new Date(START + HOUR).toISOString(), format: 'ndjson' }),
        alice,
      );
      const id = created.delivery === 'job' ? created.report.id : '';
      const otherId = other.delivery === 'job' ? other.report.id : '';
      await expect(stack.service.share(id, alice, 1)).rejects.toThrow(
        /queued, not finished/,
      );
      await stack.runner.runQueued();

      const share = await stack.service.share(id, alice, 2);
      expect(Date.parse(share.expiresAt)).toBe(stack.clock.now + 2 * HOUR);
      const link = new URL(share.path, 'http://backend.test');
      const params = {
        expires: link.searchParams.get('expires') ?? undefined,
        signature: link.searchParams.get('signature') ?? undefined,
      };
      const shareId = link.pathname.split('/').pop()!;
      const file = await stack.service.downloadShared(shareId, params);
      expect(file.job.id).toBe(id);
      expect(file.delivery).toBe('proxy');
      expect(
        file.delivery === 'proxy' && (await readBody(file.body)).toString(),
      ).toBe(await downloadText(stack.service, id));

      // Only that report, only with its signature and expiry.
      const otherShare = await stack.service.share(otherId, alice, 1);
      const otherLink = new URL(otherShare.path, 'http://backend.test');
      await expect(
        stack.service.downloadShared(shareId, {
          ...params,
          signature: otherLink.searchParams.get('signature')!,
        }),
      ).rejects.toThrow(/not valid/);
      await expect(
        stack.service.downloadShared(shareId, {
          ...params,
          expires: String(stack.clock.now + 1000 * HOUR),
        }),
      ).rejects.toThrow(/not valid/);
      await expect(
        stack.service.downloadShared(
          '00000000-0000-4000-8000-000000000000',
          params,
        ),
      ).rejects.toThrow(/does not exist/);

      stack.clock.now += 2 * HOUR;
      await expect(
        stack.service.downloadShared(shareId, params),
      ).rejects.toThrow(/expired at .*ask its sender/);

      // Limits from the settings.
      await expect(stack.service.share(id, alice, 169)).rejects.toThrow(
        /at most 168 hours/,
      );
      stack.decisions.share = false;
      await expect(stack.service.share(id, alice, 1)).rejects.toThrow(
        /may not share/,
      );
      stack.decisions.share = true;
      stack.settings.set('reports.sharing.enabled', false);
      await expect(stack.service.share(id, alice, 1)).rejects.toThrow(
        /turned off/,
      );
    });

    it('lists a report’s shared links and revokes one: the link stops working, revoking again changes nothing', async () => {
      const stack = await setup();
      const created = await stack.service.create(
        request({ to: new Date(START + HOUR).toISOString() }),
        alice,
      );
      const id = created.delivery === 'job' ? created.report.id : '';
      await stack.runner.runQueued();
      const linkOf = (path: string) => {
        const url = new URL(path, 'http://backend.test');
        return {
          shareId: url.pathname.split('/').pop()!,
          params: {
            expires: url.searchParams.get('expires') ?? undefined,
            signature: url.searchParams.get('signature') ?? undefined,
          },
        };
      };
      const first = await stack.service.share(id, alice, 1);
      stack.clock.now += 1000;
      const second = await stack.service.share(id, alice, 24);
      expect(
        (await stack.service.listShares(id, alice)).map(s => [s.id, s.status]),
      ).toEqual([
        [second.id, 'active'],
        [first.id, 'active'],
      ]);
      await expect(stack.service.listShares(id, bob)).rejects.toThrow(
        /No report/,
      );

      const revoked = await stack.service.revokeShare(id, first.id, alice);
      expect(revoked.revokedNow).toBe(true);
      expect(revoked.share).toEqual({
        id: first.id,
        reportId: id,
        createdBy: 'user:default/alice',
        createdAt: new Date(stack.clock.now - 1000).toISOString(),
        expiresAt: first.expiresAt,
        revokedAt: new Date(stack.clock.now).toISOString(),
        status: 'revoked',
      });
      const { shareId, params } = linkOf(first.path);
      await expect(
        stack.service.downloadShared(shareId, params),
      ).rejects.toThrow(
        'This shared link was revoked; ask its sender for a new one',
      );
      // The other link still works.
      const other = linkOf(second.path);
      expect(
        (await stack.service.downloadShared(other.shareId, other.params)).job
          .id,
      ).toBe(id);

      // Idempotent: the first revocation's time stays.
      stack.clock.now += 5000;
      const again = await stack.service.revokeShare(id, first.id, alice);
      expect(again.revokedNow).toBe(false);
      expect(again.share.revokedAt).toBe(revoked.share.revokedAt);

      // An hour later the first has expired too, but stays `revoked`.
      stack.clock.now += HOUR;
      expect(
        (await stack.service.listShares(id, alice)).map(s => s.status),
      ).toEqual(['active', 'revoked']);
      expect(
        (await stack.service.listShares(id, alice, { status: 'active' })).map(
          s => s.id,
        ),
      ).toEqual([second.id]);

      // Owner without `report.share`: 403; admins may revoke anyone's.
      stack.decisions.share = false;
      await expect(
        stack.service.revokeShare(id, second.id, alice),
      ).rejects.toThrow(/may not revoke/);
      expect(
        (await stack.service.revokeShare(id, second.id, admin)).share.status,
      ).toBe('revoked');
      // Other users' reports, unknown shares, another report's share: 404.
      stack.decisions.share = true;
      await expect(
        stack.service.revokeShare(id, second.id, bob),
      ).rejects.toThrow(/No report/);
      await expect(
        stack.service.revokeShare(
          id,
          '00000000-0000-4000-8000-000000000000',
          alice,
        ),
      ).rejects.toThrow(/has no shared link/);
      const elsewhere = await stack.service.create(
        request({ to: new Date(START + HOUR).toISOString() }),
        alice,
      );
      const elsewhereId =
        elsewhere.delivery === 'job' ? elsewhere.report.id : '';
      await expect(
        stack.service.revokeShare(elsewhereId, second.id, alice),
      ).rejects.toThrow(/has no shared link/);
    });

    it('answers a shared link with a short-lived S3 pre-signed URL in presigned mode, never past the link’s expiry', async () => {
      const stack = await setup({
        config: {
          reports: {
            s3: { bucket: REPORTS_BUCKET },
            sharing: {
              download: { type: 'presigned', urlLifetimeSeconds: 120 },
            },
          },
        },
      });
      const created = await stack.service.create(
        request({ to: new Date(START + HOUR).toISOString() }),
        alice,
      );
      const id = created.delivery === 'job' ? created.report.id : '';
      await stack.runner.runQueued();
      const share = await stack.service.share(id, alice, 1);
      const link = new URL(share.path, 'http://backend.test');
      const shareId = link.pathname.split('/').pop()!;
      const params = {
        expires: link.searchParams.get('expires') ?? undefined,
        signature: link.searchParams.get('signature') ?? undefined,
      };

      const answer = await stack.service.downloadShared(shareId, params);
      expect(answer.delivery).toBe('presigned');
      const url = answer.delivery === 'presigned' ? answer.url : '';
      expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('120');
      expect(answer.delivery === 'presigned' && answer.urlExpiresAt).toBe(
        stack.clock.now + 120_000,
      );
      // The URL alone reads the file from S3 (no backend, no token).
      const fetched = await fetch(url);
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('content-disposition')).toBe(
        `attachment; filename="${share.job.fileName}"`,
      );
      expect(Buffer.from(await fetched.arrayBuffer()).toString()).toBe(
        await downloadText(stack.service, id),
      );

      // 30 s before the link expires, the URL lives 30 s.
      stack.clock.now = Date.parse(share.expiresAt) - 30_000;
      const late = await stack.service.downloadShared(shareId, params);
      expect(
        late.delivery === 'presigned' &&
          new URL(late.url).searchParams.get('X-Amz-Expires'),
      ).toBe('30');
      stack.clock.now = Date.parse(share.expiresAt) - 500;
      await expect(
        stack.service.downloadShared(shareId, params),
      ).rejects.toThrow(/expired at/);
    });

    it('shows a summary job’s progress in objects summarised while it runs', async () => {
      // A cold cache of its own: every object is read and summarised.
      const stack = await setup({
        cache: new MemorySummaryCache(10_000),
        wrapStore: gated,
      });
      const created = await stack.service.create(
        request({ kind: 'summary', bucket: '1h' }),
        alice,
      );
      const id = created.delivery === 'job' ? created.report.id : '';
      const written: Array<{ done?: number; total?: number }> = [];
      const seenRunning: ReportJob[] = [];
      const record = stack.reportStore.progress.bind(stack.reportStore);
      jest
        .spyOn(stack.reportStore, 'progress')
        .mockImplementation(async (jobId, claim, progress, now) => {
          const answer = await record(jobId, claim, progress, now);
          written.push({
            done: progress.objectsDone,
            total: progress.objectsTotal,
          });
          if ((progress.objectsDone ?? 0) > 0 && !gate.opened) {
            // Recorded while the other objects wait: what the API shows.
            seenRunning.push(await stack.service.get(id, alice));
            gate.open();
          }
          return answer;
        });
      await stack.runner.runQueued();

      const done = await stack.service.get(id, alice);
      expect(done.status).toBe('succeeded');
      const total = done.progress.objectsTotal;
      expect(total).toBe(objects.length);
      expect(done.progress.objectsDone).toBe(total);
      expect(done.progress.fraction).toBe(1);

      const [running] = seenRunning;
      expect(running.status).toBe('running');
      expect(running.progress.objectsTotal).toBe(total);
      expect(running.progress.objectsDone).toBeGreaterThan(0);
      expect(running.progress.objectsDone).toBeLessThan(total);
      expect(running.progress.fraction).toBe(
        running.progress.objectsDone / total,
      );

      const counts = written.map(w => w.done ?? 0);
      expect(counts[0]).toBe(0);
      expect(counts.at(-1)).toBe(total);
      for (let i = 1; i < counts.length; i++) {
        expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]);
      }
      expect(written.every(w => w.total === total)).toBe(true);
    });

    it('cancels a summary job part-way: objects not yet read are never read', async () => {
      let opens = 0;
      const stack = await setup({
        cache: new MemorySummaryCache(10_000),
        wrapStore: store => {
          const inner = gated(store);
          return {
            list: inner.list,
            open: (bucket, key) => {
              opens++;
              return inner.open(bucket, key);
            },
          };
        },
      });
      const created = await stack.service.create(
        request({ kind: 'summary', bucket: '1h' }),
        alice,
      );
      const id = created.delivery === 'job' ? created.report.id : '';
      const record = stack.reportStore.progress.bind(stack.reportStore);
      jest
        .spyOn(stack.reportStore, 'progress')
        .mockImplementation(async (jobId, claim, progress, now) => {
          if ((progress.objectsDone ?? 0) > 0 && !gate.opened) {
            // One object read, the others held: cancel, then let them go.
            await stack.service.cancel(id, alice);
            const answer = await record(jobId, claim, progress, now);
            gate.open();
            return answer;
          }
          return record(jobId, claim, progress, now);
        });
      await stack.runner.runQueued();

      const cancelled = await stack.service.get(id, alice);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.progress.objectsDone).toBeLessThan(objects.length);
      // Reads already waiting at the gate finish; no later one starts.
      expect(opens).toBeGreaterThan(0);
      expect(opens).toBeLessThan(objects.length);
      expect(await s3.listKeys(REPORTS_BUCKET, `reports/${id}/`)).toEqual([]);
    });

    it('streams a direct download without a job, and refuses one over the size limit', async () => {
      const stack = await setup();
      const direct = await stack.service.create(
        { ...request(), delivery: 'auto' },
        alice,
      );
      expect(direct.delivery).toBe('direct');
      const prepared = await stack.service.prepareExport(
        { ...request(), delivery: 'auto' },
        alice,
      );
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _e, cb) {
          chunks.push(chunk);
          cb();
        },
      });
      await stack.service.writeExport(prepared, sink);
      const rows = parseCsv(Buffer.concat(chunks).toString());
      expect(rows.length - 1).toBe(
        expectedEvents(objects, { fromMs: START, toMs: START + 3 * HOUR })
          .length,
      );

      stack.settings.set('reports.directMaxBytes', 1000);
      const large = await stack.service.create(
        { ...request(), delivery: 'auto' },
        alice,
      );
      expect(large.delivery).toBe('job');
      await expect(
        stack.service.prepareExport({ ...request(), delivery: 'auto' }, alice),
      ).rejects.toThrow(/create it as a job/);
    });
  });
});
