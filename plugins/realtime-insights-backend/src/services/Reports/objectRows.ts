import {
  DimensionFilter,
  ReportFormat,
} from '@internal/plugin-realtime-insights-common';
import { eventFilter, lineFilter } from '../QueryEngine/eventFilter';
import { decompressedWhole, releaseNow } from '../events/decompressedChunks';
import { EventLine, FieldTable, ValueKind } from '../events/EventLine';
import { IsoTimeParser } from '../events/isoTime';
import { LineSplitter } from '../events/LineSplitter';
import { hashBytes64, hashString64 } from '../sketches/hashString64';
import { CsvWriter, NdjsonWriter } from './textWriters';

/**
 * How rows of a report format are made from events: CSV rows for CSV,
 * NDJSON for NDJSON and for XLSX (whose writer takes values, not bytes).
 */
export function rowFormatOf(format: ReportFormat): 'csv' | 'ndjson' {
  return format === 'csv' ? 'csv' : 'ndjson';
}

/** What picks and formats the rows of an object (plain data: it crosses to worker threads). */
export type RowsRequest = {
  rowFormat: 'csv' | 'ndjson';
  /** The names of the `FieldTable` (see `scanFields`). */
  fields: string[];
  /** The columns written; none for NDJSON as stored. */
  columns: string[];
  timestampField: string;
  fromMs: number;
  toMs: number;
  filters: DimensionFilter[];
};

/**
 * The rows of one object (or part of one), in order: the events of the
 * range that pass the filters, formatted, with each event's id hash for
 * de-duplication across objects (done by the caller, in object order).
 */
export type ObjectRows = {
  /** Row i is `rows[ends[i - 1] ?? 0, ends[i])`. */
  rows: Buffer;
  ends: Uint32Array;
  /** The 64-bit `hashString64` of each row's `eventId`: two words a row. */
  ids: Uint32Array;
  /** 1 where the event has a string `eventId` (else never a duplicate). */
  hasId: Uint8Array;
  /** Lines read, and of those not JSON (or not an object). */
  eventsScanned: number;
  badLines: number;
};

/**
 * Reads lines into `ObjectRows`: flat events in place (`EventLine`), others
 * through `JSON.parse`, as the query engine does. `take()` hands over what
 * was read so far.
 */
export class ObjectRowsReader {
  private readonly line: EventLine;
  private readonly formatter: CsvWriter | NdjsonWriter;
  private readonly timeField: number;
  private readonly idField: number;
  private readonly acceptLine: (line: EventLine) => boolean;
  private readonly accept: (event: Record<string, unknown>) => boolean;
  private readonly times = new IsoTimeParser();
  private readonly hash = new Uint32Array(2);
  private ends: number[] = [];
  private ids: number[] = [];
  private hasId: number[] = [];
  private eventsScanned = 0;
  private badLines = 0;

  constructor(private readonly request: RowsRequest) {
    const fields = new FieldTable(request.fields);
    this.line = new EventLine(fields);
    this.formatter =
      request.rowFormat === 'csv'
        ? new CsvWriter(undefined, fields)
        : new NdjsonWriter(undefined, fields);
    this.formatter.setColumns(request.columns);
    this.timeField = fields.indexOf(request.timestampField);
    this.idField = fields.indexOf('eventId');
    this.acceptLine = lineFilter(request.filters, fields);
    this.accept = eventFilter(request.filters);
  }

  /** Reads the line `bytes[start, end)`. */
  read(bytes: Buffer, start: number, end: number): void {
    const { line, request, hash } = this;
    this.eventsScanned++;
    line.read(bytes, start, end);
    let hasId = false;
    if (line.flat) {
      const ts = line.time(this.timeField);
      if (!(ts >= request.fromMs && ts < request.toMs)) return;
      if (!this.acceptLine(line)) return;
      if (line.kind[this.idField] === ValueKind.String) {
        hashBytes64(
          bytes,
          line.from[this.idField],
          line.to[this.idField],
          hash,
        );
        hasId = true;
      }
    } else {
      const event = line.event();
      const tsText = event?.[request.timestampField];
      const ts = typeof tsText === 'string' ? this.times.parse(tsText) : NaN;
      if (!event) {
        this.badLines++;
        return;
      }
      if (!(ts >= request.fromMs && ts < request.toMs) || !this.accept(event)) {
        return;
      }
      if (typeof event.eventId === 'string') {
        hashString64(event.eventId, hash);
        hasId = true;
      }
    }
    this.formatter.event(line);
    this.ends.push(this.formatter.size);
    this.ids.push(hasId ? hash[0] : 0, hasId ? hash[1] : 0);
    this.hasId.push(hasId ? 1 : 0);
  }

  /** The rows read since the last take. */
  take(): ObjectRows {
    const rows: ObjectRows = {
      rows: this.formatter.take(),
      ends: Uint32Array.from(this.ends),
      ids: Uint32Array.from(this.ids),
      hasId: Uint8Array.from(this.hasId),
      eventsScanned: this.eventsScanned,
      badLines: this.badLines,
    };
    this.ends = [];
    this.ids = [];
    this.hasId = [];
    this.eventsScanned = 0;
    this.badLines = 0;
    return rows;
  }
}

/**
 * The rows of a whole object from its stored bytes (gunzipped when they
 * start with the gzip magic). Throws when the object is corrupt, truncated
 * or larger than 256 MiB uncompressed (those are streamed instead). A
 * `reader` of the same request may be passed in, to be used again (its
 * buffers are kept, not allocated anew for each object).
 */
export function rowsOfObject(
  body: Buffer,
  request: RowsRequest,
  reader = new ObjectRowsReader(request),
): ObjectRows {
  reader.take(); // anything left from an object that failed
  const bytes = decompressedWhole(body);
  LineSplitter.forEachLine(bytes, (b, start, end) =>
    reader.read(b, start, end),
  );
  if (bytes !== body) releaseNow(bytes.buffer);
  return reader.take();
}
