/**
 * A fast path for the bodies of PutRecord and PutRecordBatch as the AWS
 * SDKs send them: the stream name and every record's base64, decoded from
 * the request's bytes straight into Buffers. `JSON.parse` would first make
 * a string of the whole body and then one of each record's base64, and
 * those strings were a third of everything the API's event loop allocated
 * (and of its garbage collection) under load.
 *
 * Anything else — escapes, other fields, other value types, repeated
 * fields, invalid JSON or base64 — gives `undefined`, and the caller parses
 * the body with `JSON.parse` as before, so its validation and error
 * messages stay the reference.
 */

export type RecordsBody = {
  deliveryStreamName: string;
  records: Buffer[];
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The value of each base64 character, -1 for any other byte. */
const BASE64_VALUES = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  BASE64_VALUES[
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(
      i,
    )
  ] = i;
}

const key = (name: string) => Buffer.from(name, 'latin1');
const DELIVERY_STREAM_NAME = key('DeliveryStreamName');
const RECORDS = key('Records');
const RECORD = key('Record');
const DATA = key('Data');

/**
 * Strict, padded standard base64 (the service's rule, as `isBase64`
 * checks it) decoded from `bytes[start, end)`; undefined if it is not.
 */
export function decodeBase64(
  bytes: Uint8Array,
  start: number,
  end: number,
): Buffer | undefined {
  const length = end - start;
  if (length % 4 !== 0) return undefined;
  let padding = 0;
  if (length > 0 && bytes[end - 1] === 0x3d) {
    padding = bytes[end - 2] === 0x3d ? 2 : 1;
  }
  const out = Buffer.allocUnsafe((length / 4) * 3 - padding);
  const values = BASE64_VALUES;
  const whole = padding ? end - 4 : end;
  let o = 0;
  for (let i = start; i < whole; i += 4) {
    // A byte outside the alphabet is -1, which makes the whole value negative.
    const n =
      (values[bytes[i]] << 18) |
      (values[bytes[i + 1]] << 12) |
      (values[bytes[i + 2]] << 6) |
      values[bytes[i + 3]];
    if (n < 0) return undefined;
    out[o] = n >> 16;
    out[o + 1] = (n >> 8) & 0xff;
    out[o + 2] = n & 0xff;
    o += 3;
  }
  if (padding) {
    const a = values[bytes[whole]];
    const b = values[bytes[whole + 1]];
    const c = padding === 1 ? values[bytes[whole + 2]] : 0;
    if ((a | b | c) < 0) return undefined;
    // As Buffer.from(…, 'base64'): bits past the last whole byte are ignored.
    out[o] = (a << 2) | (b >> 4);
    if (padding === 1) out[o + 1] = ((b & 0x0f) << 4) | (c >> 2);
  }
  return out;
}

/** Reads JSON tokens from bytes; -1 from any method means "not this shape". */
class Scanner {
  pos = 0;
  constructor(readonly bytes: Buffer) {}

  /** The next byte after whitespace, consumed when it is `byte`. */
  take(byte: number): boolean {
    this.skipWhitespace();
    if (this.bytes[this.pos] !== byte) return false;
    this.pos++;
    return true;
  }

  skipWhitespace() {
    const bytes = this.bytes;
    let pos = this.pos;
    while (
      pos < bytes.length &&
      (bytes[pos] === 0x20 ||
        bytes[pos] === 0x0a ||
        bytes[pos] === 0x0d ||
        bytes[pos] === 0x09)
    ) {
      pos++;
    }
    this.pos = pos;
  }

  /** A string without escapes or control characters; its byte range. */
  string(): [number, number] | undefined {
    if (!this.take(QUOTE)) return undefined;
    const start = this.pos;
    const end = this.bytes.indexOf(QUOTE, start);
    if (end < 0) return undefined;
    const backslash = this.bytes.indexOf(BACKSLASH, start);
    if (backslash >= 0 && backslash < end) return undefined;
    this.pos = end + 1;
    return [start, end];
  }

  is([start, end]: [number, number], name: Buffer) {
    return (
      end - start === name.length &&
      this.bytes.compare(name, 0, name.length, start, end) === 0
    );
  }

  /** Only whitespace left. */
  atEnd() {
    this.skipWhitespace();
    return this.pos === this.bytes.length;
  }
}

/** `{"Data":"<base64>"}` */
function record(scanner: Scanner): Buffer | undefined {
  if (!scanner.take(0x7b)) return undefined;
  const name = scanner.string();
  if (!name || !scanner.is(name, DATA) || !scanner.take(0x3a)) return undefined;
  const value = scanner.string();
  if (!value || !scanner.take(0x7d)) return undefined;
  return decodeBase64(scanner.bytes, value[0], value[1]);
}

/** `[record, …]` */
function records(scanner: Scanner): Buffer[] | undefined {
  if (!scanner.take(0x5b)) return undefined;
  const list: Buffer[] = [];
  if (scanner.take(0x5d)) return list;
  do {
    const data = record(scanner);
    if (!data) return undefined;
    list.push(data);
  } while (scanner.take(0x2c));
  return scanner.take(0x5d) ? list : undefined;
}

/** The stream name and decoded records, or undefined (use JSON.parse). */
export function parseRecordsBody(
  body: Buffer,
  operation: 'PutRecord' | 'PutRecordBatch',
): RecordsBody | undefined {
  const scanner = new Scanner(body);
  if (!scanner.take(0x7b)) return undefined;
  let deliveryStreamName: string | undefined;
  let data: Buffer[] | undefined;
  do {
    const name = scanner.string();
    if (!name || !scanner.take(0x3a)) return undefined;
    if (scanner.is(name, DELIVERY_STREAM_NAME)) {
      const value = scanner.string();
      if (!value || deliveryStreamName !== undefined) return undefined;
      deliveryStreamName = body.toString('utf8', value[0], value[1]);
      // Control characters need escapes in JSON: not this fast path's job.
      for (let i = value[0]; i < value[1]; i++) {
        if (body[i] < 0x20) return undefined;
      }
    } else if (operation === 'PutRecordBatch' && scanner.is(name, RECORDS)) {
      if (data) return undefined;
      data = records(scanner);
      if (!data) return undefined;
    } else if (operation === 'PutRecord' && scanner.is(name, RECORD)) {
      if (data) return undefined;
      const one = record(scanner);
      if (!one) return undefined;
      data = [one];
    } else {
      return undefined;
    }
  } while (scanner.take(0x2c));
  if (!scanner.take(0x7d) || !scanner.atEnd()) return undefined;
  if (deliveryStreamName === undefined || !data) return undefined;
  return { deliveryStreamName, records: data };
}
