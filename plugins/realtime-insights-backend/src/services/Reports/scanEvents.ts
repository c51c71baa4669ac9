import { LoggerService } from '@backstage/backend-plugin-api';
import { DimensionFilter } from '@internal/plugin-realtime-insights-common';
import { Readable } from 'node:stream';
import { ObjectRef, ObjectStore } from '../ObjectStore';
import { readAll, releaseViews } from '../events/decompressedChunks';
import { FieldTable } from '../events/EventLine';
import { readLinesOf } from '../events/LineSplitter';
import {
  ObjectRows,
  ObjectRowsReader,
  RowsRequest,
  rowsOfObject,
} from './objectRows';
import { RecentEventIds } from './RecentEventIds';

/** How far the scan has come. */
export type ScanProgress = {
  objectsScanned: number;
  /** Bytes of objects (as stored) read. */
  bytesScanned: number;
  /** Lines read. */
  eventsScanned: number;
  /** Events in the range that passed the filters, once each. */
  eventsMatched: number;
  duplicateEvents: number;
  badLines: number;
  unreadableObjects: number;
};

/** Where whole objects' rows are made off this thread (worker threads). */
export interface ObjectRowsSource {
  /**
   * The rows of a whole object; undefined when no thread could make them
   * (none configured, or it failed): the object is then streamed here
   * from `body`. Once rows are made, `body` is freed (left empty).
   */
  rows(body: Buffer, request: RowsRequest): Promise<ObjectRows | undefined>;
}

export type ScanOptions = {
  store: ObjectStore;
  bucket: string;
  /** In the order events are to be written (key order: arrival time). */
  objects: ObjectRef[];
  /** Which events, and the rows they become. */
  request: RowsRequest;
  /**
   * Duplicates (Firehose re-deliveries, device retries) arriving within
   * this much of each other count once. Ids are kept for this window only,
   * so memory does not grow with the size of the export.
   */
  dedupeWindowMs: number;
  /** Compressed bytes fetched ahead of the object being written. */
  prefetchBytes?: number;
  maxConcurrency?: number;
  /** Where objects fetched whole become rows; default: streamed here. */
  rowsSource?: ObjectRowsSource;
  /**
   * Called with rows to write: `count` whole rows, back to back, in
   * `rows[start, end)`. The bytes never change afterwards: they may be
   * kept (written on as they are). A returned promise is awaited before
   * the scan goes on (output back-pressure).
   */
  onRows: (
    rows: Buffer,
    start: number,
    end: number,
    count: number,
  ) => void | Promise<void>;
  /** After each object; may throw to stop the scan (cancel). */
  onObject?: (progress: ScanProgress) => void | Promise<void>;
  signal?: AbortSignal;
  logger?: LoggerService;
};

const NAME_TIME = /(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[^/]*$/;

/**
 * When an object was written: Firehose names carry the arrival time of
 * their oldest record; otherwise the time it was stored.
 */
export function objectTime(object: ObjectRef): number {
  const m = NAME_TIME.exec(object.key);
  if (!m) return object.lastModified;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/**
 * The fields a scan locates: the columns to write (first, in order), then
 * what the scan itself reads — the time, `eventId`, filtered fields.
 */
export function scanFields(
  columns: readonly string[],
  timestampField: string,
  filters: DimensionFilter[],
): FieldTable {
  return new FieldTable([
    ...columns,
    timestampField,
    'eventId',
    ...filters.map(f => f.field),
  ]);
}

/** An error of the output, not of the object being read: it ends the scan. */
class OutputFailure extends Error {
  constructor(readonly failure: unknown) {
    super(String(failure));
  }
}

/**
 * Objects up to this size (as stored) that no worker made rows of are read
 * whole here, in one go: far cheaper than streaming them through zlib's
 * thread pool, and short enough (a few ms) not to hold up other requests.
 */
const MAX_WHOLE_HERE_BYTES = 256 * 1024;

/**
 * The rows of a whole object read here; undefined when it is corrupt (it
 * is streamed then, for the rows before the damage).
 */
function wholeRows(body: Buffer, request: RowsRequest): ObjectRows | undefined {
  try {
    return rowsOfObject(body, request);
  } catch {
    return undefined;
  }
}

/** An object's rows a chunk at a time, for objects too large to hold whole. */
async function* streamedRows(
  body: Readable | Buffer,
  request: RowsRequest,
): AsyncGenerator<ObjectRows> {
  const reader = new ObjectRowsReader(request);
  for await (const _ of readLinesOf(body, (bytes, start, end) =>
    reader.read(bytes, start, end),
  )) {
    yield reader.take();
  }
}

/**
 * Streams the events of a range from a stream's objects, in object order,
 * as rows of the report's format. Objects are fetched a few ahead (bounded
 * in bytes) and made into rows — filtered to the range and filters — on
 * worker threads when a `rowsSource` has them, while this thread writes
 * the rows of the object before, de-duplicated by `eventId` in object
 * order. An object too large to hold is streamed here. Unreadable lines
 * and objects are skipped and counted, as the query engine does.
 */
export async function scanEvents(options: ScanOptions): Promise<ScanProgress> {
  const { store, bucket, objects, request, signal, logger } = options;
  const prefetchBytes = options.prefetchBytes ?? 32 * 1024 * 1024;
  const maxConcurrency = options.maxConcurrency ?? 4;
  const rowsSource = options.rowsSource;
  const seen = new RecentEventIds(options.dedupeWindowMs);
  const progress: ScanProgress = {
    objectsScanned: 0,
    bytesScanned: 0,
    eventsScanned: 0,
    eventsMatched: 0,
    duplicateEvents: 0,
    badLines: 0,
    unreadableObjects: 0,
  };

  /** Hands rows `[from, to)` of a batch over, as one span of bytes. */
  const emit = async (batch: ObjectRows, from: number, to: number) => {
    if (to <= from) return;
    progress.eventsMatched += to - from;
    const { rows, ends } = batch;
    try {
      const wait = options.onRows(
        rows,
        from > 0 ? ends[from - 1] : 0,
        ends[to - 1],
        to - from,
      );
      if (wait) await wait;
    } catch (error) {
      throw new OutputFailure(error);
    }
  };

  /** Writes the rows that are not duplicates, in order. */
  const write = async (batch: ObjectRows) => {
    progress.eventsScanned += batch.eventsScanned;
    progress.badLines += batch.badLines;
    const { ends, ids, hasId } = batch;
    // Runs of rows between duplicates (mostly the whole batch) go as one.
    let run = 0;
    for (let i = 0; i < ends.length; i++) {
      if (hasId[i] && !seen.addHash(ids[2 * i], ids[2 * i + 1])) {
        progress.duplicateEvents++;
        await emit(batch, run, i);
        run = i + 1;
      }
    }
    await emit(batch, run, ends.length);
  };

  /**
   * A fetched object's rows, made on a worker thread or (a small object)
   * here; the body itself when neither could, to be streamed in its turn.
   */
  const rowsOf = async (body: Buffer): Promise<ObjectRows | Buffer> => {
    const made = await rowsSource?.rows(body, request);
    if (made) return made;
    const whole =
      body.length <= MAX_WHOLE_HERE_BYTES
        ? wholeRows(body, request)
        : undefined;
    if (!whole) return body;
    releaseViews(body);
    return whole;
  };

  // Objects small enough are fetched whole and made into rows ahead of
  // time; a large one is streamed when its turn comes.
  const bufferLimit = prefetchBytes / 4;
  const fetches = new Map<number, Promise<ObjectRows | Buffer>>();
  let nextFetch = 0;
  let inFlightBytes = 0;
  const fetchAhead = (from: number) => {
    if (nextFetch < from) nextFetch = from;
    while (
      nextFetch < objects.length &&
      fetches.size < maxConcurrency &&
      (fetches.size === 0 ||
        inFlightBytes + objects[nextFetch].size <= prefetchBytes)
    ) {
      const object = objects[nextFetch];
      if (object.size > bufferLimit) break;
      inFlightBytes += object.size;
      const fetched = store.open(bucket, object.key).then(readAll).then(rowsOf);
      fetched.catch(() => {}); // read (and reported) in its turn
      fetches.set(nextFetch, fetched);
      nextFetch++;
    }
  };

  for (let index = 0; index < objects.length; index++) {
    signal?.throwIfAborted();
    const object = objects[index];
    fetchAhead(index);
    const fetched = fetches.get(index);
    seen.advance(objectTime(object));
    try {
      const made = fetched
        ? await fetched
        : await store.open(bucket, object.key);
      if (made instanceof Readable || Buffer.isBuffer(made)) {
        for await (const batch of streamedRows(made, request)) {
          await write(batch);
        }
      } else {
        await write(made);
        // Made ahead and read: the rows may have gone on to the output as
        // they are, but nothing holds the rest.
        releaseViews(made.ends, made.ids, made.hasId);
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof OutputFailure) throw error.failure;
      progress.unreadableObjects++;
      logger?.warn(
        `Report skips unreadable object s3://${bucket}/${object.key}: ${error}`,
      );
    } finally {
      if (fetched) {
        fetches.delete(index);
        inFlightBytes -= object.size;
      }
    }
    progress.objectsScanned++;
    progress.bytesScanned += object.size;
    if (options.onObject) await options.onObject(progress);
  }
  return progress;
}
