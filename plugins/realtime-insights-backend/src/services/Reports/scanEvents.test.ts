import { mockServices } from '@backstage/backend-test-utils';
import { Readable } from 'node:stream';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { rng } from '../../__testUtils__/random';
import { ObjectRef, ObjectStore } from '../ObjectStore';
import { ObjectWorkerPool } from '../ObjectWorkers';
import { dyingWorker } from '../ObjectWorkers/__testUtils__/dyingWorker';
import { ObjectRowsSource, scanEvents, scanFields } from './scanEvents';
import { csvField } from './writers';

const COLUMNS = ['eventId', 'ts', 'status', 'amount'];
const FROM = Date.parse('2026-11-20T10:05:00Z');
const TO = Date.parse('2026-11-20T10:55:00Z');
const FILTERS = [{ field: 'status', values: ['approved', 'declined'] }];

type TestObject = { ref: ObjectRef; body: Buffer; lines: string[] };

/**
 * Objects a minute apart (Firehose names), with ids repeated within an
 * object and across neighbouring ones, events without an id, non-flat
 * and unreadable lines; one object is truncated, one large (streamed).
 */
function objects(seed: number): TestObject[] {
  const random = rng(seed);
  const made: TestObject[] = [];
  for (let o = 0; o < 12; o++) {
    const lines: string[] = [];
    const count = o === 7 ? 3000 : 200;
    for (let i = 0; i < count; i++) {
      const event: Record<string, unknown> = {
        eventId: `evt-${Math.floor(random() * 1500)}`,
        ts: new Date(
          Date.parse('2026-11-20T10:00:00Z') + Math.floor(random() * 36e5),
        ).toISOString(),
        status: ['approved', 'declined', 'pending'][Math.floor(random() * 3)],
        amount: Math.round(random() * 1e5) / 100,
      };
      if (random() < 0.05) delete event.eventId;
      if (random() < 0.05) event.note = { nested: ['a, "b"'] };
      if (random() < 0.05) event.status = 'a,"quoted" =x';
      lines.push(random() < 0.01 ? '{not json' : JSON.stringify(event));
    }
    const stamp = `2026-11-20-10-${String(o).padStart(2, '0')}-00`;
    const key = `events/2026/11/20/10/stream-1-${stamp}-${o}.gz`;
    let body = gzipSync(`${lines.join('\n')}\n`);
    let readable = lines;
    if (o === 4) {
      // Truncated: the complete lines before the damage are still written.
      body = body.subarray(0, body.length >> 1);
      const partial = gunzipSync(body, {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      }).toString();
      readable = partial.split('\n').slice(0, -1);
      expect(readable.length).toBeGreaterThan(10);
    }
    made.push({
      ref: { key, etag: `"${o}"`, size: body.length, lastModified: 0 },
      body,
      lines: readable,
    });
  }
  return made;
}

/** What the export should hold: every line through JSON.parse. */
function expectedCsv(made: TestObject[]): { text: string; duplicates: number } {
  const seen = new Set<string>();
  let duplicates = 0;
  const rows: string[] = [];
  for (const { lines } of made) {
    for (const line of lines) {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line);
      } catch {
        continue;
      }
      const ts = Date.parse(event.ts as string);
      if (!(ts >= FROM && ts < TO)) continue;
      if (!['approved', 'declined'].includes(event.status as string)) continue;
      if (typeof event.eventId === 'string') {
        if (seen.has(event.eventId)) {
          duplicates++;
          continue;
        }
        seen.add(event.eventId);
      }
      rows.push(`${COLUMNS.map(c => csvField(event[c])).join(',')}\r\n`);
    }
  }
  return { text: rows.join(''), duplicates };
}

async function exportCsv(made: TestObject[], rowsSource?: ObjectRowsSource) {
  const store: ObjectStore = {
    list: async () => made.map(m => m.ref),
    open: async (_bucket, key) =>
      Readable.from([made.find(m => m.ref.key === key)!.body]),
  };
  const chunks: Buffer[] = [];
  let calls = 0;
  const logger = mockServices.logger.mock();
  const progress = await scanEvents({
    store,
    bucket: 'b',
    objects: made.map(m => m.ref),
    request: {
      rowFormat: 'csv',
      fields: [...scanFields(COLUMNS, 'ts', FILTERS).names],
      columns: COLUMNS,
      timestampField: 'ts',
      fromMs: FROM,
      toMs: TO,
      filters: FILTERS,
    },
    dedupeWindowMs: 3_600_000,
    // The large object (3000 events) is streamed, the others fetched whole.
    prefetchBytes: 4 * 20_000,
    rowsSource,
    logger,
    onRows: (rows, start, end) => {
      calls++;
      chunks.push(Buffer.from(rows.subarray(start, end)));
    },
  });
  return { text: Buffer.concat(chunks).toString(), progress, calls, logger };
}

describe('scanEvents', () => {
  const made = objects(5);
  const expected = expectedCsv(made);

  it('writes each event of the range and filters once, as JSON.parse reads them, in object order', async () => {
    const result = await exportCsv(made);
    expect(made[7].body.length).toBeGreaterThan(20_000);
    expect(expected.duplicates).toBeGreaterThan(100);
    expect(result.text).toBe(expected.text);
    expect(result.progress.duplicateEvents).toBe(expected.duplicates);
    expect(result.progress.eventsMatched).toBe(
      expected.text.split('\r\n').length - 1,
    );
    expect(result.progress.unreadableObjects).toBe(1);
    expect(result.progress.badLines).toBeGreaterThan(0);
    expect(result.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('unreadable object'),
    );
    // Rows between duplicates go out together, not one call each.
    expect(result.calls).toBeLessThan(result.progress.eventsMatched / 2);
  });

  it('writes the same bytes when worker threads make the rows', async () => {
    const pool = new ObjectWorkerPool({
      threads: 2,
      logger: mockServices.logger.mock(),
    });
    try {
      const result = await exportCsv(made, pool);
      expect(pool.size).toBe(2);
      expect(result.text).toBe(expected.text);
      expect(result.progress.duplicateEvents).toBe(expected.duplicates);
      expect(result.progress.unreadableObjects).toBe(1);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('writes the same bytes when the worker threads die', async () => {
    const logger = mockServices.logger.mock();
    const pool = new ObjectWorkerPool({
      threads: 2,
      logger,
      startWorker: dyingWorker,
    });
    try {
      const result = await exportCsv(made, pool);
      expect(result.text).toBe(expected.text);
      expect(result.progress.duplicateEvents).toBe(expected.duplicates);
      expect(logger.error).toHaveBeenLastCalledWith(
        expect.stringContaining('working in process from now on'),
      );
    } finally {
      await pool.close();
    }
  }, 60_000);
});
