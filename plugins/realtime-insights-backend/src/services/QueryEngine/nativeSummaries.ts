import {
  Declined,
  RollupDeclined,
  nativeSummariser,
} from '@internal/native-summariser';
import { SummaryShape, summaryFields } from './summariseObject';

/**
 * Summarises one object's stored bytes natively: the encoded summary, byte
 * for byte `encodeSummary(summariseBytes(body, shape))`, or why the object
 * is left to the TypeScript.
 */
export type NativeSummary = (body: Uint8Array) => Buffer | Declined;

/** Object keys that JavaScript orders first, or that are no own property. */
const SPECIAL_KEY = /^(\d+|__proto__)$/;

/**
 * The native summariser for `shape`, or undefined when the addon is not
 * built here or the shape is one it leaves to the TypeScript: filters,
 * a measure or dimension named twice, or a dimension name that a
 * JavaScript object would not keep in order.
 */
export function nativeSummary(shape: SummaryShape): NativeSummary | undefined {
  const addon = nativeSummariser();
  const { measures, dimensions } = shape;
  if (
    !addon ||
    shape.filters.length > 0 ||
    new Set(measures).size !== measures.length ||
    new Set(dimensions).size !== dimensions.length ||
    dimensions.some(name => SPECIAL_KEY.test(name))
  ) {
    return undefined;
  }
  const spec = encodeSpec(shape);
  return body => addon.summarise(body, spec);
}

/**
 * The fields to read (keys as UTF-8), the indexes of the time, id, device,
 * customer and arrival fields, then each measure's and dimension's field
 * with its name as JSON: u32 LE numbers, byte strings after their length.
 */
function encodeSpec(shape: SummaryShape): Buffer {
  const fields = summaryFields(shape);
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    parts.push(b);
  };
  const text = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    u32(b.length);
    parts.push(b);
  };
  u32(fields.names.length);
  fields.names.forEach(text);
  for (const name of [
    shape.timestampField,
    'eventId',
    'deviceId',
    'customerId',
    'arrivedAt',
  ]) {
    u32(fields.indexOf(name));
  }
  for (const names of [shape.measures, shape.dimensions]) {
    u32(names.length);
    for (const name of names) {
      u32(fields.indexOf(name));
      text(JSON.stringify(name));
    }
  }
  return Buffer.concat(parts);
}

/**
 * Rolls up a closed hour natively: the encoded rollup of the hour's
 * encoded object summaries (earliest first, packed by `packSummaries`),
 * byte for byte `encodeSummary(rollUp(summaries.map(decodeSummary)))`,
 * or why the hour is left to the TypeScript.
 */
export type NativeRollUp = (packed: Uint8Array) => Buffer | RollupDeclined;

/** The native rollup, or undefined when the addon is not built here. */
export function nativeRollUp(): NativeRollUp | undefined {
  return nativeSummariser()?.rollUp;
}

/** Summaries as the addon takes them: each a u32 LE length and its bytes. */
export function packSummaries(summaries: Uint8Array[]): Buffer {
  const packed = Buffer.allocUnsafe(
    summaries.reduce((n, s) => n + 4 + s.length, 0),
  );
  let at = 0;
  for (const summary of summaries) {
    at = packed.writeUInt32LE(summary.length, at);
    packed.set(summary, at);
    at += summary.length;
  }
  return packed;
}

/** The summaries `packSummaries` packed (views of `packed`). */
export function unpackSummaries(packed: Buffer): Buffer[] {
  const summaries: Buffer[] = [];
  for (let at = 0; at < packed.length; ) {
    const length = at + 4 <= packed.length ? packed.readUInt32LE(at) : 0;
    if (at + 4 + length > packed.length) {
      throw new RangeError('Packed summaries end part way through one');
    }
    summaries.push(packed.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return summaries;
}
