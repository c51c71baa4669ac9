import { once } from 'node:events';
import { Writable } from 'node:stream';
import { EventLine, FieldTable, ValueKind } from '../events/EventLine';

/** Bytes collected before they are handed to the sink. */
const FLUSH_BYTES = 256 * 1024;

/** Formatted rows at least this long go to the sink as they are, not copied. */
const PASS_THROUGH_BYTES = 16 * 1024;

/**
 * Writes rows of a report into a sink (an HTTP response, an upload) in one
 * format. Rows are taken synchronously; when `full` turns true the caller
 * awaits `flush()`, which waits for the sink to drain, so memory stays flat
 * however large the report is.
 */
export interface ReportWriter {
  /** The header row: call once, first (raw NDJSON as stored: never). */
  header(columns: readonly string[]): void;
  /** One row, values in the order of the header. */
  row(values: readonly unknown[]): void;
  /** One record as a JSON object (NDJSON); a row of its values otherwise. */
  record(value: Record<string, unknown>): void;
  /**
   * Whole rows already formatted (on a worker thread) by an
   * `ObjectRowsReader` of this format's `rowFormatOf`: `rows[start, end)`.
   * The writer may hand these bytes to the sink as they are: the caller
   * must not change them afterwards.
   */
  formatted(rows: Buffer, start: number, end: number): void;
  /** True when the caller should await `flush()` before more rows. */
  readonly full: boolean;
  flush(): Promise<void>;
  /** Finishes the file and waits until the sink has taken all of it. */
  end(): Promise<void>;
  /** Bytes handed to the sink so far. */
  readonly bytesWritten: number;
}

/** Text a value takes in a cell: objects as JSON, nothing for null/undefined. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const isFormulaStart = (c: number) =>
  c === 61 /* = */ ||
  c === 43 /* + */ ||
  c === 45 /* - */ ||
  c === 64 /* @ */ ||
  c === 9 /* tab */ ||
  c === 13 /* CR */ ||
  // Full-width ＝ ＋ － ＠, which spreadsheets read as their ASCII forms.
  c === 0xff1d ||
  c === 0xff0b ||
  c === 0xff0d ||
  c === 0xff20;

/** A separator some spreadsheet locale splits cells at: `,` or `;` or tab. */
const isSeparator = (c: number) => c === 44 || c === 59 || c === 9;

/** The same test on UTF-8 bytes at `i` (full-width forms are EF BC xx). */
function isFormulaStartAt(bytes: Uint8Array, i: number, to: number): boolean {
  if (i >= to) return false;
  const c = bytes[i];
  if (c !== 0xef) return isFormulaStart(c);
  if (i + 2 >= to || bytes[i + 1] !== 0xbc) return false;
  const last = bytes[i + 2];
  return last === 0x9d || last === 0x8b || last === 0x8d || last === 0xa0;
}

/**
 * One CSV field (RFC 4180), hardened as OWASP's CSV injection guidance
 * asks. Text a spreadsheet would run as a formula, at its start or after a
 * separator of any locale (`,` `;` tab), gets a leading `'`; formula
 * characters count in their full-width forms too. A field holding a quote,
 * a separator or a line break is quoted, so no locale splits it. JSON
 * numbers and booleans are written as they are.
 */
export function csvField(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  const text = typeof value === 'string' ? value : cellText(value);
  if (text.length === 0) return text;
  // A loop over char codes: cheaper than a regular expression on the short
  // values of events (measured with bench/report.ts).
  let quote = false;
  let neutralise = isFormulaStart(text.charCodeAt(0));
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */ || c === 10 || c === 13) quote = true;
    else if (isSeparator(c)) {
      quote = true;
      if (i + 1 < text.length && isFormulaStart(text.charCodeAt(i + 1))) {
        neutralise = true;
      }
    }
  }
  const safe = neutralise ? `'${text}` : text;
  return quote ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export async function waitForDrain(
  stream: Writable,
  sink: Writable,
): Promise<void> {
  await Promise.race([
    once(stream, 'drain'),
    once(sink, 'close').then(() => {
      throw new Error('The report output was closed');
    }),
  ]);
}

/** Ends a sink and waits until it has taken everything. */
export async function endSink(sink: Writable): Promise<void> {
  if (sink.writableFinished) return;
  const finished = once(sink, 'finish');
  sink.end();
  await finished;
}

/**
 * Text formats, written as bytes: strings are encoded once into a buffer,
 * and flat events are copied byte for byte from the input.
 */
abstract class ByteWriter implements ReportWriter {
  protected out: Buffer;
  protected pos = 0;
  /** Chunks for the sink ahead of `out`, and their bytes. */
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  bytesWritten = 0;
  protected columns: readonly string[] = [];
  /** The table index of each column. */
  protected columnFields: number[] = [];

  /**
   * Without a sink, rows are kept until `take()` (an `ObjectRowsReader`),
   * in a buffer that starts small and grows as needed.
   */
  constructor(
    protected readonly sink: Writable | undefined,
    protected readonly fields?: FieldTable,
  ) {
    this.out = Buffer.allocUnsafe(this.startBytes);
  }

  private get startBytes() {
    return this.sink ? FLUSH_BYTES + 64 * 1024 : 64 * 1024;
  }

  header(columns: readonly string[]) {
    this.setColumns(columns);
  }

  /** The columns of `event` rows, without writing a header row. */
  setColumns(columns: readonly string[]) {
    this.columns = columns;
    this.columnFields = columns.map(c => this.fields?.indexOf(c) ?? -1);
  }

  /** Bytes of rows in the writer's own buffer (not yet flushed or taken). */
  get size(): number {
    return this.pos;
  }

  /**
   * The rows written since the last take, as a buffer of exactly their
   * size (nothing else shares its memory: it can be transferred or freed).
   * The writer's own buffer is kept for the next rows.
   */
  take(): Buffer {
    const rows = Buffer.allocUnsafeSlow(this.pos);
    this.out.copy(rows, 0, 0, this.pos);
    this.pos = 0;
    return rows;
  }

  formatted(rows: Buffer, start: number, end: number) {
    if (this.sink && end - start >= PASS_THROUGH_BYTES) {
      // Most of an export: an object's rows, made on a worker thread, go
      // on without being copied (or allocated) again on this thread.
      if (this.pos > 0) this.queue(this.take());
      this.queue(rows.subarray(start, end));
      return;
    }
    this.reserve(end - start);
    this.copy(rows, start, end);
  }

  private queue(chunk: Buffer) {
    this.queued.push(chunk);
    this.queuedBytes += chunk.length;
  }

  abstract row(values: readonly unknown[]): void;
  abstract record(value: Record<string, unknown>): void;
  abstract event(line: EventLine): void;

  /** Room for `n` more bytes. */
  protected reserve(n: number) {
    if (this.pos + n <= this.out.length) return;
    const next = Buffer.allocUnsafe(
      Math.max(this.out.length * 2, this.pos + n),
    );
    this.out.copy(next, 0, 0, this.pos);
    this.out = next;
  }

  protected text(value: string) {
    this.reserve(value.length * 3);
    this.pos += this.out.write(value, this.pos, 'utf8');
  }

  protected copy(from: Buffer, start: number, end: number) {
    const out = this.out;
    let pos = this.pos;
    if (end - start > 32) {
      pos += from.copy(out, pos, start, end);
    } else {
      for (let i = start; i < end; i++) out[pos++] = from[i];
    }
    this.pos = pos;
  }

  /** The event's values in column order, through `JSON.parse`. */
  protected parsedValues(line: EventLine): unknown[] {
    const event: Record<string, unknown> = line.event() ?? {};
    return this.columns.map(c => event[c]);
  }

  get full(): boolean {
    return this.pos + this.queuedBytes >= FLUSH_BYTES;
  }

  async flush(): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    if (this.pos > 0) this.queue(this.take());
    if (this.queued.length === 0) return;
    const chunks = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    let drained = true;
    for (const chunk of chunks) {
      this.bytesWritten += chunk.length;
      if (sink.destroyed) throw new Error('The report output was closed');
      drained = sink.write(chunk) && drained;
    }
    if (!drained) await waitForDrain(sink, sink);
  }

  async end(): Promise<void> {
    await this.flush();
    if (this.sink) await endSink(this.sink);
  }
}

/** RFC 4180: CRLF line ends, quoted fields where needed, a header row. */
export class CsvWriter extends ByteWriter {
  header(columns: readonly string[]) {
    super.header(columns);
    this.row(columns);
  }

  row(values: readonly unknown[]) {
    let line = '';
    for (let i = 0; i < this.columns.length; i++) {
      if (i > 0) line += ',';
      line += csvField(values[i]);
    }
    this.text(`${line}\r\n`);
  }

  record(value: Record<string, unknown>) {
    this.row(this.columns.map(c => value[c]));
  }

  event(line: EventLine) {
    if (!line.flat) {
      this.row(this.parsedValues(line));
      return;
    }
    // Each value's bytes, plus quotes and a `'` at most, a comma, CRLF.
    this.reserve(line.end - line.start + this.columnFields.length * 4 + 2);
    const bytes = line.bytes;
    const out = this.out;
    for (let i = 0; i < this.columnFields.length; i++) {
      if (i > 0) out[this.pos++] = 44;
      const field = this.columnFields[i];
      if (field < 0) continue;
      const kind = line.kind[field];
      const from = line.from[field];
      const to = line.to[field];
      if (kind === ValueKind.Literal) {
        this.copy(bytes, from, to);
      } else if (kind === ValueKind.String && to > from) {
        // Flat strings hold no quotes, CR, LF or tabs (those need
        // escapes in JSON, which send a line to the parser): a separator
        // needs quotes, and a formula after one or at the start a `'`,
        // as csvField does.
        let quote = false;
        let neutralise = isFormulaStartAt(bytes, from, to);
        for (let p = from; p < to; p++) {
          const c = bytes[p];
          if (c === 44 || c === 59) {
            quote = true;
            if (!neutralise && isFormulaStartAt(bytes, p + 1, to)) {
              neutralise = true;
            }
          }
        }
        let pos = this.pos;
        if (quote) out[pos++] = 34; /* " */
        if (neutralise) out[pos++] = 39; /* ' */
        out.set(bytes.subarray(from, to), pos);
        pos += to - from;
        if (quote) out[pos++] = 34;
        this.pos = pos;
      }
    }
    out[this.pos++] = 13;
    out[this.pos++] = 10;
  }
}

/** One JSON object per line; rows become objects keyed by the header. */
export class NdjsonWriter extends ByteWriter {
  /** `"column":` of each column, encoded once. */
  private keys: Buffer[] = [];

  setColumns(columns: readonly string[]) {
    super.setColumns(columns);
    this.keys = columns.map(c => Buffer.from(`${JSON.stringify(c)}:`));
  }

  row(values: readonly unknown[]) {
    // Column names come from data: `__proto__` must be a key like any other.
    const object: Record<string, unknown> = Object.create(null);
    for (let i = 0; i < this.columns.length; i++) {
      object[this.columns[i]] = values[i] ?? null;
    }
    this.text(`${JSON.stringify(object)}\n`);
  }

  record(value: Record<string, unknown>) {
    this.text(`${JSON.stringify(value)}\n`);
  }

  event(line: EventLine) {
    if (this.columns.length === 0) {
      // As stored: the line's own bytes.
      this.reserve(line.end - line.start + 1);
      this.copy(line.bytes, line.start, line.end);
      this.out[this.pos++] = 10;
      return;
    }
    if (!line.flat) {
      this.row(this.parsedValues(line));
      return;
    }
    let room = line.end - line.start + 2;
    for (const key of this.keys) room += key.length + 8;
    this.reserve(room);
    const out = this.out;
    out[this.pos++] = 123; /* { */
    for (let i = 0; i < this.columnFields.length; i++) {
      if (i > 0) out[this.pos++] = 44;
      this.copy(this.keys[i], 0, this.keys[i].length);
      const field = this.columnFields[i];
      const kind = field < 0 ? ValueKind.Missing : line.kind[field];
      if (kind === ValueKind.String) {
        out[this.pos++] = 34;
        this.copy(line.bytes, line.from[field], line.to[field]);
        out[this.pos++] = 34;
      } else if (kind === ValueKind.Literal) {
        this.copy(line.bytes, line.from[field], line.to[field]);
      } else {
        this.pos += out.write('null', this.pos, 'latin1');
      }
    }
    out[this.pos++] = 125; /* } */
    out[this.pos++] = 10;
  }
}
