import { HyperLogLog, QuantileSketch, checksumHolds } from '../sketches';

/** Distinct values kept per dimension and minute; the rest count as `(other)`. */
export const MAX_DIMENSION_VALUES = 200;
export const OTHER_VALUE = '(other)';

/** What one minute of one object holds, in mergeable form. */
export type MinuteSummary = {
  count: number;
  devices: HyperLogLog;
  customers: HyperLogLog;
  measures: Map<string, QuantileSketch>;
  /** Per dimension: events per value. */
  dims: Map<string, Map<string, number>>;
};

/**
 * The summary of one immutable object: per minute (of event time) counts
 * and sketches, plus what could not be read. Valid for as long as the
 * object, so it is cached under the object's bucket/key/ETag.
 */
export type ObjectSummary = {
  minutes: Map<number, MinuteSummary>;
  /**
   * Rollups of a closed hour only: the same events merged per event hour
   * (keyed by the hour's start in epoch seconds), so hour-wide buckets merge
   * one summary per hour instead of sixty.
   */
  hours?: Map<number, MinuteSummary>;
  /** Rollups only: what the merged objects held. */
  rollup?: {
    objects: number;
    corruptObjects: number;
    duplicateObjects: number;
    /**
     * The merged objects' fingerprints (duplicates left out), each as its
     * 64-bit `hashString64`, high and low word side by side: 8 bytes an
     * object, by which a query drops their copies in other hours.
     */
    fingerprints: Uint32Array;
  };
  events: number;
  badLines: number;
  duplicateEvents: number;
  corrupt: boolean;
  maxTsMs: number | null;
  maxArrivalMs: number | null;
  /**
   * Order-independent fingerprint of the object's event ids: two objects
   * with the same one hold the same events (a re-delivery), and only one
   * is counted. Empty when the object holds no events.
   */
  fingerprint: string;
};

export function emptyMinute(): MinuteSummary {
  return {
    count: 0,
    devices: new HyperLogLog(),
    customers: new HyperLogLog(),
    measures: new Map(),
    dims: new Map(),
  };
}

export function emptySummary(): ObjectSummary {
  return {
    minutes: new Map(),
    events: 0,
    badLines: 0,
    duplicateEvents: 0,
    corrupt: false,
    maxTsMs: null,
    maxArrivalMs: null,
    fingerprint: '',
  };
}

/** The summary of an object that could not be read: counted, holding nothing. */
export function corruptSummary(): ObjectSummary {
  return { ...emptySummary(), corrupt: true };
}

/** Adds `value` to a dimension's counts, keeping at most MAX_DIMENSION_VALUES. */
export function countValue(counts: Map<string, number>, value: string, n = 1) {
  const current = counts.get(value);
  if (current !== undefined) counts.set(value, current + n);
  else if (counts.size < MAX_DIMENSION_VALUES || value === OTHER_VALUE)
    counts.set(value, n);
  else counts.set(OTHER_VALUE, (counts.get(OTHER_VALUE) ?? 0) + n);
}

/** Merges `from` into `into` (sketches merge; counts add). */
export function mergeMinute(into: MinuteSummary, from: MinuteSummary) {
  into.count += from.count;
  into.devices.merge(from.devices);
  into.customers.merge(from.customers);
  for (const [name, sketch] of from.measures) {
    const target = into.measures.get(name);
    if (target) target.merge(sketch);
    else {
      const copy = new QuantileSketch();
      copy.merge(sketch);
      into.measures.set(name, copy);
    }
  }
  for (const [name, counts] of from.dims) {
    let target = into.dims.get(name);
    if (!target) {
      target = new Map();
      into.dims.set(name, target);
    }
    for (const [value, n] of counts) countValue(target, value, n);
  }
}

// ---------------------------------------------------------------- encoding
//
// u32 header length | header JSON | blobs, each u32 length | bytes.
// The header holds counts and dimension maps; the sketches are binary blobs
// referenced by position, so a summary costs a few hundred bytes per minute.
// A rollup's last blob holds its objects' fingerprint hashes (u32 LE).
//
// Version 2 added those fingerprints; object summaries did not change and
// are still written and read as version 1, so neither a deploy nor old
// replicas during one re-read every object. A version 1 rollup (no
// fingerprints) reads as a miss and is rebuilt.

/** Rollups' encoding version: part of their cache keys. */
export const ROLLUP_FORMAT = 2;

type MinuteHeader = [
  sec: number,
  count: number,
  measures: string[],
  dims: Record<string, Record<string, number>>,
];
type Header = {
  v: 1 | typeof ROLLUP_FORMAT;
  e: number;
  b: number;
  d: number;
  c: 0 | 1;
  t: number | null;
  a: number | null;
  f: string;
  m: MinuteHeader[];
  /** Event-hour totals, rollups only. */
  h?: MinuteHeader[];
  /** Rollup counts: objects, corrupt, duplicate. */
  r?: [number, number, number];
};

function encodeMinutes(
  minutes: Map<number, MinuteSummary>,
  blobs: Buffer[],
): MinuteHeader[] {
  const headers: MinuteHeader[] = [];
  for (const [sec, minute] of minutes) {
    blobs.push(minute.devices.toBuffer(), minute.customers.toBuffer());
    const measures = [...minute.measures.keys()];
    for (const name of measures) {
      blobs.push(minute.measures.get(name)!.toBuffer());
    }
    const dims: Record<string, Record<string, number>> = {};
    for (const [name, counts] of minute.dims) {
      dims[name] = Object.fromEntries(counts);
    }
    headers.push([sec, minute.count, measures, dims]);
  }
  return headers;
}

export function encodeSummary(summary: ObjectSummary): Buffer {
  const blobs: Buffer[] = [];
  const header: Header = {
    v: summary.rollup ? ROLLUP_FORMAT : 1,
    e: summary.events,
    b: summary.badLines,
    d: summary.duplicateEvents,
    c: summary.corrupt ? 1 : 0,
    t: summary.maxTsMs,
    a: summary.maxArrivalMs,
    f: summary.fingerprint,
    m: encodeMinutes(summary.minutes, blobs),
    ...(summary.hours ? { h: encodeMinutes(summary.hours, blobs) } : {}),
    ...(summary.rollup
      ? {
          r: [
            summary.rollup.objects,
            summary.rollup.corruptObjects,
            summary.rollup.duplicateObjects,
          ] as [number, number, number],
        }
      : {}),
  };
  if (summary.rollup) {
    const { fingerprints } = summary.rollup;
    const blob = Buffer.alloc(fingerprints.length * 4);
    fingerprints.forEach((word, i) => blob.writeUInt32LE(word, i * 4));
    blobs.push(blob);
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const parts: Buffer[] = [u32(json.length), json];
  for (const blob of blobs) parts.push(u32(blob.length), blob);
  return Buffer.concat(parts);
}

/**
 * A minute (or event hour) read from an encoded summary: its count at
 * once, its sketches and dimension counts when first read. A query of
 * whole hours reads only a rollup's hour totals, never its sixty minutes.
 */
class StoredMinute implements MinuteSummary {
  private sketches?: Pick<MinuteSummary, 'devices' | 'customers' | 'measures'>;
  private dimensions?: MinuteSummary['dims'];

  constructor(
    readonly count: number,
    /** Devices, customers, then each measure's sketch. */
    private readonly blobs: Buffer[],
    private readonly measureNames: string[],
    private readonly dimensionCounts: Record<string, Record<string, number>>,
  ) {}

  get devices() {
    return this.decoded().devices;
  }

  get customers() {
    return this.decoded().customers;
  }

  get measures() {
    return this.decoded().measures;
  }

  get dims() {
    this.dimensions ??= new Map(
      Object.entries(this.dimensionCounts).map(([name, counts]) => [
        name,
        new Map(Object.entries(counts)),
      ]),
    );
    return this.dimensions;
  }

  private decoded() {
    this.sketches ??= {
      devices: HyperLogLog.fromBuffer(this.blobs[0]),
      customers: HyperLogLog.fromBuffer(this.blobs[1]),
      measures: new Map(
        this.measureNames.map((name, i) => [
          name,
          QuantileSketch.fromBuffer(this.blobs[2 + i]),
        ]),
      ),
    };
    return this.sketches;
  }
}

/**
 * Decodes a cached summary; undefined (a cache miss) when unreadable. Its
 * minutes' sketches are decoded when first read (`StoredMinute`); their
 * checksums are checked here.
 */
export function decodeSummary(buffer: Buffer): ObjectSummary | undefined {
  try {
    const headerLength = buffer.readUInt32LE(0);
    const header = JSON.parse(
      buffer.subarray(4, 4 + headerLength).toString('utf8'),
    ) as Header;
    const isRollup = header.r !== undefined;
    if (header.v !== (isRollup ? ROLLUP_FORMAT : 1)) return undefined;
    let offset = 4 + headerLength;
    const nextBlob = () => {
      const length = buffer.readUInt32LE(offset);
      const blob = buffer.subarray(offset + 4, offset + 4 + length);
      if (blob.length !== length) throw new RangeError('truncated');
      offset += 4 + length;
      return blob;
    };
    const decodeMinutes = (headers: MinuteHeader[]) => {
      const minutes = new Map<number, MinuteSummary>();
      for (const [sec, count, measureNames, dims] of headers) {
        const blobs = [nextBlob(), nextBlob(), ...measureNames.map(nextBlob)];
        // Damage shows now, as a miss, though the sketches decode later.
        if (!blobs.every(checksumHolds)) return undefined;
        minutes.set(sec, new StoredMinute(count, blobs, measureNames, dims));
      }
      return minutes;
    };
    const minutes = decodeMinutes(header.m);
    const hours = header.h ? decodeMinutes(header.h) : undefined;
    if (!minutes || (header.h && !hours)) return undefined;
    const hashes = isRollup ? nextBlob() : Buffer.alloc(0);
    if (hashes.length % 8 !== 0) return undefined;
    const fingerprints = new Uint32Array(hashes.length / 4);
    for (let i = 0; i < fingerprints.length; i++) {
      fingerprints[i] = hashes.readUInt32LE(i * 4);
    }
    return {
      minutes,
      ...(hours ? { hours } : {}),
      ...(header.r
        ? {
            rollup: {
              objects: header.r[0],
              corruptObjects: header.r[1],
              duplicateObjects: header.r[2],
              fingerprints,
            },
          }
        : {}),
      events: header.e,
      badLines: header.b,
      duplicateEvents: header.d,
      corrupt: header.c === 1,
      maxTsMs: header.t,
      maxArrivalMs: header.a,
      fingerprint: header.f,
    };
  } catch {
    return undefined;
  }
}

// The start of every header, as `encodeSummary` writes it.
const HEADER_START = /^\{"v":\d+,"e":\d+,"b":(\d+),"d":\d+,"c":([01]),/;

/**
 * Whether an encoded summary's object was corrupt, and its unreadable
 * lines, from the start of its header (nothing else decoded); undefined
 * when the header does not start as `encodeSummary` starts it.
 */
export function summaryHealth(
  buffer: Buffer,
): { corrupt: boolean; badLines: number } | undefined {
  if (buffer.length < 4) return undefined;
  const end = Math.min(buffer.length, 4 + buffer.readUInt32LE(0), 100);
  const match = HEADER_START.exec(buffer.toString('latin1', 4, end));
  return match
    ? { corrupt: match[2] === '1', badLines: Number(match[1]) }
    : undefined;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}
