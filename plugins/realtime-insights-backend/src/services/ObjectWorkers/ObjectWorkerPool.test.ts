import { mockServices } from '@backstage/backend-test-utils';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { gunzipSync, gzipSync } from 'node:zlib';
import { rng } from '../../__testUtils__/random';
import { InProcessSummarisers } from '../QueryEngine/ObjectSummarisers';
import { rollUp } from '../QueryEngine/rollup';
import { SummaryShape } from '../QueryEngine/summariseObject';
import { decodeSummary, encodeSummary } from '../QueryEngine/summary';
import {
  ObjectRowsReader,
  RowsRequest,
  rowsOfObject,
} from '../Reports/objectRows';
import { scanFields } from '../Reports/scanEvents';
import { ObjectWorkerPool } from './ObjectWorkerPool';
import { dyingWorker } from './__testUtils__/dyingWorker';

const shape: SummaryShape = {
  timestampField: 'ts',
  measures: ['amount'],
  dimensions: ['status'],
  filters: [{ field: 'status', values: ['approved', 'declined'] }],
};

/** A gzip NDJSON object of random events, some duplicates and bad lines. */
function object(seed: number, events = 2000): Buffer {
  const random = rng(seed);
  const lines = [];
  for (let i = 0; i < events; i++) {
    lines.push(
      JSON.stringify({
        eventId: `evt-${seed}-${Math.floor(random() * events * 0.95)}`,
        ts: new Date(
          Date.parse('2026-11-20T10:00:00Z') + Math.floor(random() * 36e5),
        ).toISOString(),
        deviceId: `device-${Math.floor(random() * 300)}`,
        customerId: `customer-${Math.floor(random() * 100)}`,
        amount: Math.round(random() * 1e4) / 100,
        status: ['approved', 'declined', 'pending'][Math.floor(random() * 3)],
      }),
    );
  }
  lines.push('not json');
  return gzipSync(`${lines.join('\n')}\n`);
}

const inProcess = new InProcessSummarisers();

async function expected(body: Buffer) {
  const { summary } = await inProcess.summarise(
    Readable.from([body]),
    body.length,
    shape,
  );
  return encodeSummary(summary);
}

/** Summarises through the pool; true when the summary is the in-process one. */
async function summarisedAsInProcess(pool: ObjectWorkerPool, body: Buffer) {
  const result = await pool.summarise(
    Readable.from([body]),
    body.length,
    shape,
  );
  return encodeSummary(result.summary).equals(await expected(body));
}

const COLUMNS = ['ts', 'deviceId', 'amount', 'status'];
const rowsRequest = (rowFormat: 'csv' | 'ndjson'): RowsRequest => ({
  rowFormat,
  fields: [...scanFields(COLUMNS, 'ts', shape.filters).names],
  columns: COLUMNS,
  timestampField: 'ts',
  fromMs: Date.parse('2026-11-20T10:10:00Z'),
  toMs: Date.parse('2026-11-20T10:50:00Z'),
  filters: shape.filters,
});

type PoolOptions = ConstructorParameters<typeof ObjectWorkerPool>[0];

/**
 * Runs `use` on a new pool (one thread and a mock logger unless `options`
 * say otherwise) and closes the pool, whatever `use` does; gives the
 * closed pool.
 */
async function withPool(
  options: Partial<PoolOptions>,
  use: (
    pool: ObjectWorkerPool,
    logger: ReturnType<typeof mockServices.logger.mock>,
  ) => Promise<void>,
): Promise<ObjectWorkerPool> {
  const logger = mockServices.logger.mock();
  const pool = new ObjectWorkerPool({ threads: 1, logger, ...options });
  try {
    await use(pool, logger);
  } finally {
    await pool.close();
  }
  return pool;
}

describe('ObjectWorkerPool', () => {
  it.each(['csv', 'ndjson'] as const)(
    'makes report rows (%s) on worker threads exactly as in process',
    async rowFormat => {
      await withPool({ threads: 2 }, async (pool, logger) => {
        const request = rowsRequest(rowFormat);
        const bodies = [41, 42, 43].map(seed => object(seed));
        const wanted = bodies.map(body => rowsOfObject(body, request));
        const results = await Promise.all(
          bodies.map(body => pool.rows(body, request)),
        );
        expect(pool.size).toBe(2);
        // Once the rows are made, the pool frees the body it was handed.
        expect(bodies.every(body => body.length === 0)).toBe(true);
        for (const [i, made] of results.entries()) {
          const want = wanted[i];
          const result = made!;
          // Some rows are out of range or filtered out; the rest are kept.
          expect(result.ends.length).toBeGreaterThan(500);
          expect(result.ends.length).toBeLessThan(result.eventsScanned / 2);
          expect(result.rows.equals(want.rows)).toBe(true);
          expect([...result.ends]).toEqual([...want.ends]);
          expect([...result.ids]).toEqual([...want.ids]);
          expect([...result.hasId]).toEqual([...want.hasId]);
          expect(result.badLines).toBe(1);
        }
        expect(logger.error).not.toHaveBeenCalled();
      });
    },
    60_000,
  );

  it('leaves a corrupt object to the caller, which reads it in process', async () => {
    await withPool({}, async pool => {
      const truncated = object(44).subarray(0, 500);
      expect(await pool.rows(truncated, rowsRequest('csv'))).toBeUndefined();
      expect(() => rowsOfObject(truncated, rowsRequest('csv'))).toThrow(
        /unexpected end of file/,
      );
      expect(pool.size).toBe(1); // the worker lives on
    });
  }, 60_000);

  it('makes rows of each object alone with a reader used again (as workers do)', () => {
    const request = rowsRequest('csv');
    const reader = new ObjectRowsReader(request);
    // A row left in the reader by an object that failed half-way.
    const left = Buffer.from(
      JSON.stringify({
        eventId: 'left-over',
        ts: '2026-11-20T10:20:00.000Z',
        deviceId: 'device-x',
        status: 'approved',
      }),
    );
    reader.read(left, 0, left.length);
    for (const seed of [7, 8]) {
      const reused = rowsOfObject(object(seed), request, reader);
      const fresh = rowsOfObject(object(seed), request);
      expect(reused.rows.toString()).toBe(fresh.rows.toString());
      expect([...reused.ends]).toEqual([...fresh.ends]);
      expect([...reused.ids]).toEqual([...fresh.ids]);
      expect(reused.eventsScanned).toBe(fresh.eventsScanned);
    }
  });

  it('summarises on worker threads exactly as in process, and encodes for the cache', async () => {
    const closed = await withPool({ threads: 2 }, async (pool, logger) => {
      const bodies = [1, 2, 3, 4, 5].map(seed => object(seed));
      const results = await Promise.all(
        bodies.map(body =>
          pool.summarise(Readable.from([body]), body.length, shape),
        ),
      );
      expect(pool.size).toBe(2);
      for (const [i, result] of results.entries()) {
        const want = await expected(bodies[i]);
        expect(result.summary.events).toBeGreaterThan(500);
        expect(result.summary.badLines).toBe(1);
        expect(result.encoded?.equals(want)).toBe(true);
        expect(encodeSummary(result.summary).equals(want)).toBe(true);
      }
      expect(logger.error).not.toHaveBeenCalled();
    });
    expect(closed.size).toBe(0);
  }, 60_000);

  it.each([true, false])(
    'summarises unfiltered objects natively where it may (native: %s), the same bytes as in process',
    async native => {
      const unfiltered = { ...shape, filters: [] };
      await withPool({ native }, async (pool, logger) => {
        // Without its bad line, an object is one the native code reads.
        const bodies = [6, 7].map(seed =>
          gzipSync(
            gunzipSync(object(seed)).toString().replace('not json\n', ''),
          ),
        );
        for (const body of bodies) {
          const result = await pool.summarise(body, body.length, unfiltered);
          const { summary } = await inProcess.summarise(
            Readable.from([body]),
            body.length,
            unfiltered,
          );
          expect(result.encoded?.equals(encodeSummary(summary))).toBe(true);
        }
        expect(pool.made).toEqual(
          native ? { native: 2, typescript: 0 } : { native: 0, typescript: 2 },
        );
        expect(logger.info).toHaveBeenCalledWith(
          native
            ? 'Object workers summarise with the native summariser'
            : 'Object workers summarise in TypeScript (workers.native: false)',
        );
      });
    },
    60_000,
  );

  it.each([true, false])(
    'rolls up encoded object summaries natively on a worker, the bytes rollUp gives here (native: %s)',
    async native => {
      const unfiltered = { ...shape, filters: [] };
      await withPool({ native }, async pool => {
        const summaries: Buffer[] = [];
        for (const seed of [11, 12, 13]) {
          const body = object(seed, 500);
          summaries.push(
            (await pool.summarise(body, body.length, unfiltered)).encoded!,
          );
        }
        summaries.push(summaries[1]); // a re-delivery
        const rolled = await pool.rollUp(summaries);
        // Without the native code, rollups are left to the caller.
        expect(rolled === undefined).toBe(!native);
        expect(pool.rolledUp).toEqual({
          native: native ? 1 : 0,
          typescript: 0,
        });
        if (!rolled) return;
        const here = encodeSummary(
          rollUp(summaries.map(summary => decodeSummary(summary)!)),
        );
        expect(rolled.equals(here)).toBe(true);
        expect(decodeSummary(rolled)!.rollup!.duplicateObjects).toBe(1);
      });
    },
    60_000,
  );

  it('rolls up on a worker in TypeScript what the native code declines, and not what no code reads', async () => {
    const unfiltered = { ...shape, filters: [] };
    await withPool({}, async pool => {
      await pool.warmUp();
      // A dimension value of digits: the native rollup declines it.
      const body = gzipSync(
        `${JSON.stringify({
          eventId: 'e',
          ts: '2026-11-20T10:00:00.000Z',
          status: '404',
        })}\n`,
      );
      const summary = (await pool.summarise(body, body.length, unfiltered))
        .encoded!;
      const rolled = await pool.rollUp([summary]);
      expect(
        rolled?.equals(encodeSummary(rollUp([decodeSummary(summary)!]))),
      ).toBe(true);
      expect(pool.rolledUp).toEqual({ native: 0, typescript: 1 });
      expect(await pool.rollUp([Buffer.from('not a summary')])).toBe(undefined);
    });
  }, 60_000);

  it('marks an object that is not gzip or is truncated corrupt, like in process', async () => {
    await withPool({}, async pool => {
      const truncated = object(7).subarray(0, 500);
      const result = await pool.summarise(
        Readable.from([truncated]),
        truncated.length,
        shape,
      );
      expect(result.summary.corrupt).toBe(true);
      expect(result.encoded?.equals(await expected(truncated))).toBe(true);
    });
  }, 60_000);

  it('summarises in process when workers die, and stops starting them after three deaths', async () => {
    const startWorker = jest.fn(dyingWorker);
    await withPool({ threads: 2, startWorker }, async (pool, logger) => {
      for (const seed of [11, 12, 13, 14, 15]) {
        const body = object(seed, 300);
        expect(await summarisedAsInProcess(pool, body)).toBe(true);
      }
      expect(startWorker).toHaveBeenCalledTimes(3);
      expect(logger.error).toHaveBeenCalledTimes(3);
      expect(logger.error).toHaveBeenLastCalledWith(
        expect.stringContaining('working in process from now on'),
      );
    });
  }, 60_000);

  it('summarises in process when a worker cannot start', async () => {
    const startWorker = () =>
      new Worker(`require('./no-such-summary-worker')`, { eval: true });
    await withPool({ startWorker }, async (pool, logger) => {
      const body = object(21, 300);
      expect(await summarisedAsInProcess(pool, body)).toBe(true);
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringContaining('no-such-summary-worker'),
      );
    });
  }, 60_000);

  it('summarises in process with no threads configured', async () => {
    const startWorker = jest.fn(dyingWorker);
    const pool = new ObjectWorkerPool({
      threads: 0,
      logger: mockServices.logger.mock(),
      startWorker,
    });
    const body = object(31, 300);
    const result = await pool.summarise(
      Readable.from([body]),
      body.length,
      shape,
    );
    expect(result.summary.events).toBeGreaterThan(100);
    expect(startWorker).not.toHaveBeenCalled();
  });
});
