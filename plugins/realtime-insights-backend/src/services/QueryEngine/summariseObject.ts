import { Readable } from 'node:stream';
import { QuantileSketch } from '../sketches';
import { hashString64 } from '../sketches/hashString64';
import { IsoTimeParser } from './isoTime';
import { ndjsonLines } from './ndjsonLines';
import {
  ObjectSummary,
  countValue,
  emptyMinute,
  emptySummary,
} from './summary';

/** What of an event goes into a summary: the stream's declared schema. */
export type SummaryShape = {
  timestampField: string;
  measures: string[];
  dimensions: string[];
  /** Only events it accepts are summarised (filtered queries). */
  accept: (event: Record<string, unknown>) => boolean;
};

/**
 * Streams one object (gunzip → NDJSON) once into its summary. Duplicate
 * event ids within the object count once; lines that are not JSON or have
 * no valid timestamp are counted as bad; a corrupt object yields an empty
 * summary marked corrupt. Never throws for bad data.
 */
export async function summariseObject(
  body: Readable,
  shape: SummaryShape,
): Promise<ObjectSummary> {
  const summary = emptySummary();
  const seen = new Set<string>();
  const idHash = new Uint32Array(2);
  let xor1 = 0;
  let xor2 = 0;
  let sum1 = 0;
  const times = new IsoTimeParser();
  let arrivedText = '';
  let arrivedMs = NaN;
  try {
    for await (const line of ndjsonLines(body)) {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line);
      } catch {
        summary.badLines++;
        continue;
      }
      const ts = event[shape.timestampField];
      const tsMs = typeof ts === 'string' ? times.parse(ts) : NaN;
      if (Number.isNaN(tsMs) || typeof event !== 'object' || event === null) {
        summary.badLines++;
        continue;
      }
      const eventId =
        typeof event.eventId === 'string' ? event.eventId : undefined;
      if (eventId !== undefined) {
        if (seen.has(eventId)) {
          summary.duplicateEvents++;
          continue;
        }
        seen.add(eventId);
        hashString64(eventId, idHash);
        xor1 = (xor1 ^ idHash[0]) >>> 0;
        xor2 = (xor2 ^ idHash[1]) >>> 0;
        sum1 = (sum1 + idHash[0]) >>> 0;
      }
      if (!shape.accept(event)) continue;

      const minuteSec = Math.floor(tsMs / 60_000) * 60;
      let minute = summary.minutes.get(minuteSec);
      if (!minute) {
        minute = emptyMinute();
        summary.minutes.set(minuteSec, minute);
      }
      minute.count++;
      summary.events++;
      if (event.deviceId !== undefined)
        minute.devices.add(String(event.deviceId));
      if (event.customerId !== undefined)
        minute.customers.add(String(event.customerId));
      for (const name of shape.measures) {
        const value = event[name];
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        let sketch = minute.measures.get(name);
        if (!sketch) {
          sketch = new QuantileSketch();
          minute.measures.set(name, sketch);
        }
        sketch.add(value);
      }
      for (const name of shape.dimensions) {
        const value = event[name];
        if (value === undefined || value === null) continue;
        let counts = minute.dims.get(name);
        if (!counts) {
          counts = new Map();
          minute.dims.set(name, counts);
        }
        countValue(counts, String(value));
      }
      if (summary.maxTsMs === null || tsMs > summary.maxTsMs)
        summary.maxTsMs = tsMs;
      // An object's events mostly share one arrival time: parsed once.
      const { arrivedAt } = event;
      if (typeof arrivedAt === 'string') {
        if (arrivedAt !== arrivedText) {
          arrivedText = arrivedAt;
          arrivedMs = Date.parse(arrivedAt);
        }
        if (
          !Number.isNaN(arrivedMs) &&
          (summary.maxArrivalMs === null || arrivedMs > summary.maxArrivalMs)
        ) {
          summary.maxArrivalMs = arrivedMs;
        }
      }
    }
  } catch {
    // Truncated or corrupt compressed data: counted, never a failed query.
    return { ...emptySummary(), corrupt: true };
  }
  summary.fingerprint = seen.size
    ? `${seen.size}:${xor1.toString(16)}:${xor2.toString(16)}:${sum1.toString(
        16,
      )}`
    : '';
  return summary;
}
