import { StreamEvent } from '@internal/plugin-realtime-insights-common';
import { hashBytes64, hashString64 } from '../sketches/hashString64';
import { IsoTimeParser } from './isoTime';

/** How a field's value was found in a line. */
export const enum ValueKind {
  Missing = 0,
  /** A JSON string without escapes: its bytes between the quotes. */
  String = 1,
  /** A number, `true` or `false`: its JSON text. */
  Literal = 2,
  Null = 3,
}

/**
 * The fields a report needs from each event (columns, time, id, filters),
 * found by the bytes of their JSON keys.
 */
export class FieldTable {
  readonly names: readonly string[];
  private readonly keys: Buffer[];
  /** Field indexes by the byte length of their key. */
  private readonly byLength: number[][] = [];

  constructor(names: Iterable<string>) {
    this.names = [...new Set(names)];
    this.keys = this.names.map(name => Buffer.from(name, 'utf8'));
    this.keys.forEach((key, index) => {
      (this.byLength[key.length] ??= []).push(index);
    });
  }

  indexOf(name: string): number {
    return this.names.indexOf(name);
  }

  /** The field whose key is `bytes[from, to)`, or -1. */
  lookup(bytes: Uint8Array, from: number, to: number): number {
    const candidates = this.byLength[to - from];
    if (!candidates) return -1;
    for (const index of candidates) {
      const key = this.keys[index];
      let i = 0;
      while (i < key.length && key[i] === bytes[from + i]) i++;
      if (i === key.length) return index;
    }
    return -1;
  }
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 10;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** The kind of a JSON number/literal in `b[from, to)`, or -1 when invalid. */
function literalKind(b: Uint8Array, from: number, to: number): number {
  const length = to - from;
  const c = b[from];
  if (c === 116 /* t */) {
    return length === 4 &&
      b[from + 1] === 114 &&
      b[from + 2] === 117 &&
      b[from + 3] === 101
      ? ValueKind.Literal
      : -1;
  }
  if (c === 102 /* f */) {
    return length === 5 &&
      b[from + 1] === 97 &&
      b[from + 2] === 108 &&
      b[from + 3] === 115 &&
      b[from + 4] === 101
      ? ValueKind.Literal
      : -1;
  }
  if (c === 110 /* n */) {
    return length === 4 &&
      b[from + 1] === 117 &&
      b[from + 2] === 108 &&
      b[from + 3] === 108
      ? ValueKind.Null
      : -1;
  }
  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  let p = from;
  if (b[p] === 45 /* - */) p++;
  if (p >= to || !isDigit(b[p])) return -1;
  if (b[p] === 48 /* 0 */) p++;
  else while (p < to && isDigit(b[p])) p++;
  if (p < to && b[p] === 46 /* . */) {
    p++;
    if (p >= to || !isDigit(b[p])) return -1;
    while (p < to && isDigit(b[p])) p++;
  }
  if (p < to && (b[p] === 101 || b[p] === 69) /* e E */) {
    p++;
    if (p < to && (b[p] === 43 || b[p] === 45)) p++;
    if (p >= to || !isDigit(b[p])) return -1;
    while (p < to && isDigit(b[p])) p++;
  }
  return p === to ? ValueKind.Literal : -1;
}

/** Bytes that may stand in a string as they are: not `"`, `\\` or a control. */
const PLAIN = new Uint8Array(256).fill(1);
PLAIN.fill(0, 0, 32);
PLAIN[34] = 0;
PLAIN[92] = 0;

/**
 * The index of the quote closing the string whose characters start at
 * `from`, or -1 when it holds anything but plain characters (escapes and
 * control characters are for `JSON.parse` to judge) or is not closed
 * before `last`. One table look-up a byte; the scan stops at the latest
 * at the line's newline (a control character) or the end of the buffer.
 */
function stringEnd(b: Uint8Array, from: number, last: number): number {
  let p = from;
  while (PLAIN[b[p]] === 1) p++;
  return p < last && b[p] === 34 ? p : -1;
}

/** Bytes that end a number or literal: comma, whitespace, closing brace. */
const LITERAL_END = new Uint8Array(256);
for (const c of [44, 32, 9, 13, 10, 125]) LITERAL_END[c] = 1;

/** Exact powers of ten (every one up to 1e22 is a double). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The value of the valid JSON number `b[from, to)`, as `JSON.parse` gives
 * it. Up to 15 significant digits without an exponent (what events carry)
 * it is computed here: an integer below 2^53 divided by an exact power of
 * ten is the correctly rounded double, as the parser's. Anything longer
 * goes through `Number`.
 */
function jsonNumber(b: Uint8Array, from: number, to: number): number {
  let p = from;
  const negative = b[p] === 45; /* - */
  if (negative) p++;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; p < to; p++) {
    const c = b[p];
    if (c === 46 /* . */) {
      decimals = 0;
      continue;
    }
    if (c < 48 || c > 57) {
      digits = 99; // an exponent: leave it to Number
      break;
    }
    mantissa = mantissa * 10 + (c - 48);
    if (mantissa > 0) digits++;
    if (decimals >= 0) decimals++;
  }
  if (digits > 15 || decimals > 22) {
    return Number(
      Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('latin1'),
    );
  }
  const value = decimals > 0 ? mantissa / POW10[decimals] : mantissa;
  return negative ? -value : value;
}

const TEXT_CACHE_MASK = 255;

/** Recently seen string values of one field, for `EventLine.cachedText`. */
export class TextCache {
  readonly keys: Array<Buffer | undefined> = new Array(TEXT_CACHE_MASK + 1);
  readonly texts: string[] = new Array(TEXT_CACHE_MASK + 1);
}

/**
 * One NDJSON line of an event, read in place from the decompressed bytes.
 * Events are flat JSON objects (the record transform writes them so): for
 * those, the values of the table's fields are located without decoding or
 * parsing, and reports copy their bytes straight into the output. Any other
 * line — nested values, escapes, control characters, anything unusual — is
 * left to `JSON.parse` (`event()`), which also decides whether it is valid.
 */
export class EventLine {
  bytes: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  /** True when the line is a flat object and the spans below are valid. */
  flat = false;
  readonly kind: Uint8Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
  private parsed: StreamEvent | null | undefined;
  private readonly times = new IsoTimeParser();

  constructor(readonly fields: FieldTable) {
    const n = fields.names.length;
    this.kind = new Uint8Array(n);
    this.from = new Int32Array(n);
    this.to = new Int32Array(n);
  }

  /** Reads the line `bytes[start, end)` (without its newline). */
  read(bytes: Buffer, start: number, end: number): void {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    this.parsed = undefined;
    this.kind.fill(ValueKind.Missing);
    this.flat = this.scan();
  }

  /** The line as a parsed event; null when it is not valid JSON. */
  event(): StreamEvent | null {
    if (this.parsed === undefined) {
      try {
        const value = JSON.parse(
          this.bytes.toString('utf8', this.start, this.end),
        );
        this.parsed =
          value && typeof value === 'object' && !Array.isArray(value)
            ? (value as StreamEvent)
            : null;
      } catch {
        this.parsed = null;
      }
    }
    return this.parsed;
  }

  /**
   * A string field as epoch ms, NaN when it is no time: the engine's
   * `IsoTimeParser`, reading the bytes in place.
   */
  time(field: number): number {
    if (this.kind[field] !== ValueKind.String) return NaN;
    return this.times.parseBytes(this.bytes, this.from[field], this.to[field]);
  }

  /**
   * A field's value if it is a JSON number, exactly as `JSON.parse` reads
   * it; NaN for anything else (strings, booleans, null, missing).
   */
  number(field: number): number {
    if (this.kind[field] !== ValueKind.Literal) return NaN;
    const first = this.bytes[this.from[field]];
    if (first === 116 /* t */ || first === 102 /* f */) return NaN;
    return jsonNumber(this.bytes, this.from[field], this.to[field]);
  }

  /**
   * What `String(value)` gives for the field's parsed value (`'null'` for
   * null), undefined when the field is missing.
   */
  text(field: number): string | undefined {
    const kind = this.kind[field];
    if (kind === ValueKind.Missing) return undefined;
    if (kind === ValueKind.Null) return 'null';
    const b = this.bytes;
    const from = this.from[field];
    const to = this.to[field];
    if (kind === ValueKind.Literal && b[from] !== 116 && b[from] !== 102) {
      return String(jsonNumber(b, from, to));
    }
    for (let i = from; i < to; i++) {
      if (b[i] >= 0x80) return b.toString('utf8', from, to);
    }
    return b.toString('latin1', from, to);
  }

  /**
   * `text(field)` through a cache of recent values by their bytes: a
   * low-cardinality field (a dimension) decodes each value once, and the
   * same string is handed out for the same bytes.
   */
  cachedText(field: number, cache: TextCache): string | undefined {
    if (this.kind[field] !== ValueKind.String) return this.text(field);
    const b = this.bytes;
    const from = this.from[field];
    const to = this.to[field];
    const length = to - from;
    const slot =
      length === 0
        ? 0
        : (length * 7 +
            b[from] * 31 +
            b[to - 1] * 17 +
            b[from + (length >> 1)]) &
          TEXT_CACHE_MASK;
    const key = cache.keys[slot];
    if (key !== undefined && key.length === length) {
      let i = 0;
      while (i < length && key[i] === b[from + i]) i++;
      if (i === length) return cache.texts[slot];
    }
    const text = this.text(field)!;
    cache.keys[slot] = Buffer.from(b.subarray(from, to));
    cache.texts[slot] = text;
    return text;
  }

  /**
   * Hashes `text(field)` with `hashString64` into `out`, from the bytes
   * where they are its UTF-8 (strings, booleans, null); false when the
   * field is missing.
   */
  hashText(field: number, out: Uint32Array): boolean {
    const kind = this.kind[field];
    if (kind === ValueKind.Missing) return false;
    const b = this.bytes;
    const from = this.from[field];
    if (kind === ValueKind.Literal && b[from] !== 116 && b[from] !== 102) {
      hashString64(String(jsonNumber(b, from, this.to[field])), out);
    } else {
      hashBytes64(b, from, this.to[field], out);
    }
    return true;
  }

  private scan(): boolean {
    const b = this.bytes;
    let p = this.start;
    let e = this.end;
    while (e > p && isSpace(b[e - 1])) e--;
    while (p < e && isSpace(b[p])) p++;
    if (e - p < 2 || b[p] !== 123 /* { */ || b[e - 1] !== 125 /* } */) {
      return false;
    }
    const last = e - 1; // the closing brace
    p++;
    while (p < last && isSpace(b[p])) p++;
    if (p === last) return true;
    for (;;) {
      // "key"
      if (b[p] !== 34) return false;
      const keyFrom = ++p;
      p = stringEnd(b, p, last);
      if (p < 0) return false;
      const field = this.fields.lookup(b, keyFrom, p);
      p++;
      while (p < last && isSpace(b[p])) p++;
      if (b[p] !== 58 /* : */) return false;
      p++;
      while (p < last && isSpace(b[p])) p++;
      // value
      const first = b[p];
      if (first === 34) {
        const valueFrom = ++p;
        p = stringEnd(b, p, last);
        if (p < 0) return false;
        if (field >= 0) {
          this.kind[field] = ValueKind.String;
          this.from[field] = valueFrom;
          this.to[field] = p;
        }
        p++;
      } else {
        const valueFrom = p;
        while (LITERAL_END[b[p]] === 0) p++;
        const kind = literalKind(b, valueFrom, p);
        if (kind < 0) return false; // nested, or not JSON: the parser decides
        if (field >= 0) {
          this.kind[field] = kind;
          this.from[field] = valueFrom;
          this.to[field] = p;
        }
      }
      while (p < last && isSpace(b[p])) p++;
      if (p === last) return true;
      if (b[p] !== 44 /* , */) return false;
      p++;
      while (p < last && isSpace(b[p])) p++;
    }
  }
}
