import {
  DimensionFilter,
  StreamEvent,
} from '@internal/plugin-realtime-insights-common';
import { Readable } from 'node:stream';
import {
  decompressedWhole,
  isTooLargeWhole,
  releaseNow,
} from '../events/decompressedChunks';
import {
  EventLine,
  FieldTable,
  TextCache,
  ValueKind,
} from '../events/EventLine';
import { HashSet64 } from '../events/HashSet64';
import { IsoTimeParser } from '../events/isoTime';
import { LineSplitter, readLinesOf } from '../events/LineSplitter';
import { QuantileSketch } from '../sketches';
import { hashString64 } from '../sketches/hashString64';
import { eventFilter, lineFilter } from './eventFilter';
import {
  MinuteSummary,
  ObjectSummary,
  countValue,
  emptyMinute,
  corruptSummary,
  emptySummary,
} from './summary';

/** What of an event goes into a summary: the stream's declared schema. */
export type SummaryShape = {
  timestampField: string;
  measures: string[];
  dimensions: string[];
  /** Only events matching every filter are summarised (filtered queries). */
  filters: DimensionFilter[];
};

/** The fields a summary reads from each event. */
export function summaryFields(shape: SummaryShape): FieldTable {
  return new FieldTable([
    shape.timestampField,
    'eventId',
    'deviceId',
    'customerId',
    'arrivedAt',
    ...shape.measures,
    ...shape.dimensions,
    ...shape.filters.map(f => f.field),
  ]);
}

/** Event ids remembered per object at most: 2^26 slots, 32 M ids. */
const MAX_ID_SLOTS_LOG2 = 26;

/**
 * The summary of one object, a line at a time. Flat events — what the
 * record transform writes — are read in place from the bytes (`EventLine`):
 * no text decoding, no parsed objects. Any other line goes through
 * `JSON.parse`. Both paths give the same summary for the same event: the
 * same time parser, the same hashes of the same UTF-8 bytes, the same
 * numbers and the same `String(value)` texts.
 */
class ObjectSummariser {
  private readonly summary = emptySummary();
  private readonly line: EventLine;
  private readonly timeField: number;
  private readonly idField: number;
  private readonly deviceField: number;
  private readonly customerField: number;
  private readonly arrivedField: number;
  private readonly measureFields: number[];
  private readonly dimensionFields: number[];
  private readonly dimensionTexts: TextCache[];
  private readonly acceptLine: (line: EventLine) => boolean;
  private readonly accept: (event: Record<string, unknown>) => boolean;
  private readonly times = new IsoTimeParser();
  private readonly seen = new HashSet64(10, MAX_ID_SLOTS_LOG2);
  private readonly hash = new Uint32Array(2);
  private xor1 = 0;
  private xor2 = 0;
  private sum1 = 0;
  /** The minute of the last event: consecutive events mostly share it. */
  private minuteSec = NaN;
  private minute: MinuteSummary | undefined;
  /** The last arrival time seen, as bytes/text, and its value. */
  private arrivedBytes = Buffer.alloc(32);
  private arrivedLength = -1;
  private arrivedText = '';
  private arrivedMs = NaN;

  constructor(private readonly shape: SummaryShape) {
    const fields = summaryFields(shape);
    this.line = new EventLine(fields);
    this.timeField = fields.indexOf(shape.timestampField);
    this.idField = fields.indexOf('eventId');
    this.deviceField = fields.indexOf('deviceId');
    this.customerField = fields.indexOf('customerId');
    this.arrivedField = fields.indexOf('arrivedAt');
    this.measureFields = shape.measures.map(name => fields.indexOf(name));
    this.dimensionFields = shape.dimensions.map(name => fields.indexOf(name));
    this.dimensionTexts = shape.dimensions.map(() => new TextCache());
    this.acceptLine = lineFilter(shape.filters, fields);
    this.accept = eventFilter(shape.filters);
  }

  read(bytes: Buffer, start: number, end: number): void {
    const line = this.line;
    line.read(bytes, start, end);
    if (line.flat) this.flatLine(line);
    else this.parsedLine(line.event());
  }

  finish(): ObjectSummary {
    const { summary, seen } = this;
    summary.fingerprint = seen.size
      ? `${seen.size}:${this.xor1.toString(16)}:${this.xor2.toString(
          16,
        )}:${this.sum1.toString(16)}`
      : '';
    return summary;
  }

  private flatLine(line: EventLine) {
    const summary = this.summary;
    const tsMs = line.time(this.timeField);
    if (Number.isNaN(tsMs)) {
      summary.badLines++;
      return;
    }
    const idField = this.idField;
    if (line.kind[idField] === ValueKind.String) {
      line.hashText(idField, this.hash);
      if (!this.firstSeen()) return;
    }
    if (!this.acceptLine(line)) return;
    const minute = this.minuteOf(tsMs);
    const hash = this.hash;
    if (line.hashText(this.deviceField, hash)) minute.devices.addHash(hash);
    if (line.hashText(this.customerField, hash)) {
      minute.customers.addHash(hash);
    }
    const { measures, dimensions } = this.shape;
    for (let i = 0; i < measures.length; i++) {
      const value = line.number(this.measureFields[i]);
      if (Number.isFinite(value)) this.measure(minute, measures[i], value);
    }
    for (let i = 0; i < dimensions.length; i++) {
      const field = this.dimensionFields[i];
      if (line.kind[field] === ValueKind.Null) continue;
      const value = line.cachedText(field, this.dimensionTexts[i]);
      if (value !== undefined) this.dimension(minute, dimensions[i], value);
    }
    if (line.kind[this.arrivedField] === ValueKind.String) {
      this.arrival(line);
    }
  }

  private parsedLine(event: StreamEvent | null) {
    const summary = this.summary;
    const ts = event?.[this.shape.timestampField];
    const tsMs = typeof ts === 'string' ? this.times.parse(ts) : NaN;
    if (!event || Number.isNaN(tsMs)) {
      summary.badLines++;
      return;
    }
    if (typeof event.eventId === 'string') {
      hashString64(event.eventId, this.hash);
      if (!this.firstSeen()) return;
    }
    if (!this.accept(event)) return;
    const minute = this.minuteOf(tsMs);
    if (event.deviceId !== undefined) {
      minute.devices.add(String(event.deviceId));
    }
    if (event.customerId !== undefined) {
      minute.customers.add(String(event.customerId));
    }
    for (const name of this.shape.measures) {
      const value = event[name];
      if (typeof value === 'number' && Number.isFinite(value)) {
        this.measure(minute, name, value);
      }
    }
    for (const name of this.shape.dimensions) {
      const value = event[name];
      if (value !== undefined && value !== null) {
        this.dimension(minute, name, String(value));
      }
    }
    const { arrivedAt } = event;
    if (typeof arrivedAt === 'string') {
      if (arrivedAt !== this.arrivedText) {
        this.arrivedText = arrivedAt;
        this.arrivedLength = -1;
        this.arrivedMs = Date.parse(arrivedAt);
      }
      this.arrivedAt(this.arrivedMs);
    }
  }

  /** Counts the event id hashed into `hash`; false for a duplicate. */
  private firstSeen(): boolean {
    const hash = this.hash;
    if (!this.seen.add(hash[0], hash[1])) {
      this.summary.duplicateEvents++;
      return false;
    }
    this.xor1 = (this.xor1 ^ hash[0]) >>> 0;
    this.xor2 = (this.xor2 ^ hash[1]) >>> 0;
    this.sum1 = (this.sum1 + hash[0]) >>> 0;
    return true;
  }

  /** The minute an accepted event at `tsMs` counts in (counted). */
  private minuteOf(tsMs: number): MinuteSummary {
    const summary = this.summary;
    const minuteSec = Math.floor(tsMs / 60_000) * 60;
    let minute = this.minute;
    if (minuteSec !== this.minuteSec || !minute) {
      minute = summary.minutes.get(minuteSec);
      if (!minute) {
        minute = emptyMinute();
        summary.minutes.set(minuteSec, minute);
      }
      this.minute = minute;
      this.minuteSec = minuteSec;
    }
    minute.count++;
    summary.events++;
    if (summary.maxTsMs === null || tsMs > summary.maxTsMs) {
      summary.maxTsMs = tsMs;
    }
    return minute;
  }

  private measure(minute: MinuteSummary, name: string, value: number) {
    let sketch = minute.measures.get(name);
    if (!sketch) {
      sketch = new QuantileSketch();
      minute.measures.set(name, sketch);
    }
    sketch.add(value);
  }

  private dimension(minute: MinuteSummary, name: string, value: string) {
    let counts = minute.dims.get(name);
    if (!counts) {
      counts = new Map();
      minute.dims.set(name, counts);
    }
    countValue(counts, value);
  }

  /** An object's events mostly share one arrival time: parsed once. */
  private arrival(line: EventLine) {
    const field = this.arrivedField;
    const from = line.from[field];
    const length = line.to[field] - from;
    const bytes = line.bytes;
    let same = length === this.arrivedLength;
    for (let i = 0; same && i < length; i++) {
      same = this.arrivedBytes[i] === bytes[from + i];
    }
    if (!same) {
      if (this.arrivedBytes.length < length) {
        this.arrivedBytes = Buffer.alloc(length);
      }
      bytes.copy(this.arrivedBytes, 0, from, from + length);
      this.arrivedLength = length;
      this.arrivedText = line.text(field)!;
      this.arrivedMs = Date.parse(this.arrivedText);
    }
    this.arrivedAt(this.arrivedMs);
  }

  private arrivedAt(ms: number) {
    const summary = this.summary;
    if (
      !Number.isNaN(ms) &&
      (summary.maxArrivalMs === null || ms > summary.maxArrivalMs)
    ) {
      summary.maxArrivalMs = ms;
    }
  }
}

/**
 * Streams one object (gunzip → NDJSON) once into its summary. Duplicate
 * event ids within the object count once; lines that are not JSON or have
 * no valid timestamp are counted as bad; a corrupt object yields an empty
 * summary marked corrupt. Never throws for bad data.
 */
export async function summariseObject(
  body: Readable | Buffer,
  shape: SummaryShape,
): Promise<ObjectSummary> {
  const summariser = new ObjectSummariser(shape);
  try {
    const lines = readLinesOf(body, (bytes, start, end) =>
      summariser.read(bytes, start, end),
    );
    for await (const _ of lines) {
      // Each chunk's lines are read as it arrives: nothing to hand over.
    }
  } catch {
    // Truncated or corrupt compressed data: counted, never a failed query.
    return corruptSummary();
  }
  return summariser.finish();
}

/**
 * `summariseObject` of bytes already in memory, on the calling thread
 * throughout — for worker threads, where a synchronous gunzip is cheaper
 * than the hops to libuv's pool. The same summary as `summariseObject`;
 * throws for an object of more than 256 MiB uncompressed (stream those).
 */
export function summariseBytes(
  body: Buffer,
  shape: SummaryShape,
): ObjectSummary {
  let bytes: Buffer;
  try {
    bytes = decompressedWhole(body);
  } catch (error) {
    if (isTooLargeWhole(error)) throw error;
    return corruptSummary();
  }
  const summariser = new ObjectSummariser(shape);
  LineSplitter.forEachLine(bytes, (b, start, end) =>
    summariser.read(b, start, end),
  );
  if (bytes !== body) releaseNow(bytes.buffer);
  return summariser.finish();
}
