import { LoggerService } from '@backstage/backend-plugin-api';
import { DimensionFilter } from '@internal/plugin-realtime-insights-common';
import { Readable } from 'node:stream';
import { ObjectRef, ObjectStore } from '../ObjectStore';
import { Range } from '../QueryEngine';
import { eventFilter, lineFilter } from '../QueryEngine/eventFilter';
import { IsoTimeParser } from '../events/isoTime';
import { decompressedChunks } from '../events/decompressedChunks';
import { EventLine, FieldTable, ValueKind } from '../events/EventLine';
import { LineSplitter } from '../events/LineSplitter';
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

export type ScanOptions = {
  store: ObjectStore;
  bucket: string;
  /** In the order events are to be written (key order: arrival time). */
  objects: ObjectRef[];
  /**
   * The fields located in each event (`EventLine`): the caller's columns
   * plus the time, `eventId` and filtered fields (see `scanFields`).
   */
  fields: FieldTable;
  timestampField: string;
  range: Range;
  filters: DimensionFilter[];
  /**
   * Duplicates (Firehose re-deliveries, device retries) arriving within
   * this much of each other count once. Ids are kept for this window only,
   * so memory does not grow with the size of the export.
   */
  dedupeWindowMs: number;
  /** Compressed bytes fetched ahead of the object being parsed. */
  prefetchBytes?: number;
  maxConcurrency?: number;
  /**
   * Called with each event in the range that passed the filters (valid
   * until the call returns). A returned promise is awaited before the scan
   * goes on (output back-pressure).
   */
  onEvent: (line: EventLine) => void | Promise<void>;
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

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/**
 * Streams the events of a range from a stream's objects, in object order:
 * objects are fetched a few ahead (bounded in bytes), each is gunzipped and
 * read line by line as it streams, filtered to the range and filters and
 * de-duplicated by `eventId`. Flat events are read in place (`EventLine`),
 * others through `JSON.parse`; unreadable lines and objects are skipped and
 * counted, as the query engine does.
 */
export async function scanEvents(options: ScanOptions): Promise<ScanProgress> {
  const {
    store,
    bucket,
    objects,
    timestampField,
    range,
    filters,
    signal,
    logger,
  } = options;
  const prefetchBytes = options.prefetchBytes ?? 32 * 1024 * 1024;
  const maxConcurrency = options.maxConcurrency ?? 4;
  const fields = options.fields;
  const line = new EventLine(fields);
  const timeField = fields.indexOf(timestampField);
  const idField = fields.indexOf('eventId');
  const acceptLine = lineFilter(filters, fields);
  const accept = eventFilter(filters);
  const seen = new RecentEventIds(options.dedupeWindowMs);
  const times = new IsoTimeParser();
  const progress: ScanProgress = {
    objectsScanned: 0,
    bytesScanned: 0,
    eventsScanned: 0,
    eventsMatched: 0,
    duplicateEvents: 0,
    badLines: 0,
    unreadableObjects: 0,
  };

  /** Whether the line read into `line` is to be written (range, filters, once). */
  const wanted = (): boolean => {
    progress.eventsScanned++;
    if (line.flat) {
      const ts = line.time(timeField);
      if (!(ts >= range.fromMs && ts < range.toMs)) return false;
      if (!acceptLine(line)) return false;
      if (
        line.kind[idField] === ValueKind.String &&
        !seen.addBytes(line.bytes, line.from[idField], line.to[idField])
      ) {
        progress.duplicateEvents++;
        return false;
      }
      return true;
    }
    const event = line.event();
    if (!event) {
      progress.badLines++;
      return false;
    }
    const tsText = event[timestampField];
    const ts = typeof tsText === 'string' ? times.parse(tsText) : NaN;
    if (!(ts >= range.fromMs && ts < range.toMs) || !accept(event)) {
      return false;
    }
    if (typeof event.eventId === 'string' && !seen.add(event.eventId)) {
      progress.duplicateEvents++;
      return false;
    }
    return true;
  };

  /** Hands the line over; a promise only when the output is full. */
  const emit = (): Promise<void> | undefined => {
    progress.eventsMatched++;
    let wait: void | Promise<void>;
    try {
      wait = options.onEvent(line);
    } catch (error) {
      throw new OutputFailure(error);
    }
    return wait
      ? wait.catch(error => {
          throw new OutputFailure(error);
        })
      : undefined;
  };

  // Objects small enough are fetched whole, ahead of time; a large one is
  // streamed when its turn comes.
  const bufferLimit = prefetchBytes / 4;
  const fetches = new Map<number, Promise<Buffer>>();
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
      const fetched = store.open(bucket, object.key).then(readAll);
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
      const body = fetched
        ? await fetched
        : await store.open(bucket, object.key);
      const lines = new LineSplitter();
      const readLines = async () => {
        while (lines.next()) {
          line.read(lines.bytes, lines.start, lines.end);
          if (wanted()) {
            const wait = emit();
            if (wait) await wait;
          }
        }
      };
      for await (const chunk of decompressedChunks(body)) {
        lines.push(chunk);
        await readLines();
      }
      lines.finish();
      await readLines();
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
