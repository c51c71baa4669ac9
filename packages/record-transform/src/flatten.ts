import { createHash } from 'node:crypto';
import {
  DataClass,
  DeviceRecord,
  FlatEvent,
  dataClassOfSchema,
  deviceRecordSchema,
} from '@internal/plugin-realtime-insights-common';

/** Outcome of transforming one device record. */
export type FlattenResult =
  | { ok: true; dataClass: DataClass; events: FlatEvent[] }
  | { ok: false; reason: string };

// Devices mostly send UTC already in the canonical form (what
// `toISOString` returns); only other forms need the round trip.
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const toUtc = (iso: string) =>
  CANONICAL_UTC.test(iso) ? iso : new Date(iso).toISOString();

/**
 * Deterministic event id: the same device event (device, class, record send
 * time, position) gets the same id however often Firehose re-delivers it, so
 * downstream readers can de-duplicate.
 */
export function eventIdOf(
  record: Pick<DeviceRecord, 'schema' | 'deviceId' | 'sentAt'>,
  index: number,
): string {
  return eventIdsOf(record)(index);
}

/**
 * {@link eventIdOf} for every event of one record: the hash state of the
 * shared prefix is computed once and copied per event.
 */
function eventIdsOf(
  record: Pick<DeviceRecord, 'schema' | 'deviceId' | 'sentAt'>,
): (index: number) => string {
  const prefix = createHash('sha256').update(
    `${record.schema}\u0000${record.deviceId}\u0000${toUtc(
      record.sentAt,
    )}\u0000`,
  );
  return index =>
    prefix.copy().update(String(index)).digest('hex').slice(0, 32);
}

/**
 * Copies an event's fields (all but `at`) onto its flat event, normalising
 * units on the way; written into the target to spare intermediate objects.
 */
function copyFields(
  dataClass: DataClass,
  event: Record<string, unknown>,
  target: Record<string, unknown>,
): void {
  for (const key of Object.keys(event)) {
    if (key !== 'at') target[key] = event[key];
  }
  if (dataClass === 'sensor-readings') {
    const unit = String(event.unit).trim();
    // Temperatures are stored in °C whatever the device sent.
    if (/^(°?f|fahrenheit)$/i.test(unit)) {
      target.value =
        Math.round(((((event.value as number) - 32) * 5) / 9) * 100) / 100;
      target.unit = 'c';
    } else {
      target.unit = unit.replace(/^°/, '').toLowerCase();
    }
  }
}

/**
 * Validates one raw device record (JSON bytes) and flattens it into one event
 * per line. Invalid input never throws: it yields a reason naming the field.
 */
export function flattenRecord(
  raw: Buffer | string,
  arrivedAt: Date,
  expectedClass?: DataClass,
): FlattenResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      reason: `record is not valid JSON: ${(error as Error).message}`,
    };
  }
  const parsed = deviceRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? issue.path.join('.') : 'record';
    return { ok: false, reason: `${field}: ${issue.message}` };
  }
  const record = parsed.data;
  const dataClass = dataClassOfSchema(record.schema)!;
  if (expectedClass && dataClass !== expectedClass) {
    return {
      ok: false,
      reason: `schema: ${record.schema} records do not belong on the ${expectedClass} stream`,
    };
  }
  const arrived = arrivedAt.toISOString();
  const eventId = eventIdsOf(record);
  const events = (record.events as Record<string, unknown>[]).map(
    (event, index): FlatEvent => {
      const flat: Record<string, unknown> = {
        eventId: eventId(index),
        class: dataClass,
        deviceId: record.deviceId,
        customerId: record.customerId,
        ts: toUtc(event.at as string),
        arrivedAt: arrived,
      };
      copyFields(dataClass, event, flat);
      return flat as FlatEvent;
    },
  );
  return { ok: true, dataClass, events };
}

/** NDJSON bytes of flattened events, newline-terminated. */
export function toNdjson(events: FlatEvent[]): Buffer {
  return Buffer.from(
    events.map(e => `${JSON.stringify(e)}\n`).join(''),
    'utf8',
  );
}
