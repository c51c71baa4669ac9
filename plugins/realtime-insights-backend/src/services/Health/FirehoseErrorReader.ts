import { LoggerService } from '@backstage/backend-plugin-api';
import { ErrorReason } from '@internal/plugin-realtime-insights-common';
import { ObjectRef, ObjectStore } from '../ObjectStore';
import { hourPrefix, ndjsonLines } from '../QueryEngine';

const HOUR_MS = 3_600_000;

/**
 * The `!{firehose:error-output-type}` values Firehose writes to an S3
 * destination: transform failures, records it could not deliver, and
 * records format conversion refused.
 */
export const ERROR_OUTPUT_TYPES = [
  'processing-failed',
  's3-failed',
  'format-conversion-failed',
] as const;

/** Error objects read per stream and check; the newest first. */
const MAX_OBJECTS_READ = 20;
/** Reasons are grouped by code and the start of the message. */
const MESSAGE_CHARS = 200;
const MEMO_ENTRIES = 500;

/**
 * Where a stream's failed records land: `errors/` next to its `events/`
 * prefix (`events/` → `errors/`, `team/events/` → `team/errors/`), or
 * `errors/` under any other prefix. It mirrors the layout of our delivery
 * streams: `errors/<error-output-type>/year=…/month=…/day=…/hour=…/`.
 */
export function errorPrefixOf(prefix: string): string {
  return prefix.endsWith('events/')
    ? `${prefix.slice(0, -'events/'.length)}errors/`
    : `${prefix}errors/`;
}

export type ErrorReport = {
  objects: number;
  /** Failed records in the objects read (at most the newest 20). */
  records: number;
  objectsRead: number;
  topReasons: ErrorReason[];
};

type ObjectReasons = { records: number; reasons: Map<string, ErrorReason> };

/**
 * Reads the error documents Firehose wrote in the last hour (one JSON line
 * per failed record with `errorCode` and `errorMessage`) and counts the
 * reasons. Error objects are immutable, so each is read once.
 */
export class FirehoseErrorReader {
  private readonly memo = new Map<string, ObjectReasons>();

  constructor(private readonly logger: LoggerService) {}

  async lastHour(
    store: ObjectStore,
    stream: { bucket: string; prefix: string },
    now: number,
  ): Promise<ErrorReport> {
    const base = errorPrefixOf(stream.prefix);
    const hours = [Math.floor((now - HOUR_MS) / HOUR_MS) * HOUR_MS];
    hours.push(hours[0] + HOUR_MS);
    const listings = await Promise.all(
      ERROR_OUTPUT_TYPES.flatMap(type =>
        hours.map(hour =>
          store.list(stream.bucket, hourPrefix(`${base}${type}/`, hour)),
        ),
      ),
    );
    const objects = listings
      .flat()
      .filter(o => o.lastModified >= now - HOUR_MS)
      .sort((a, b) => b.lastModified - a.lastModified);

    const reasons = new Map<string, ErrorReason>();
    let records = 0;
    const read = objects.slice(0, MAX_OBJECTS_READ);
    for (const object of read) {
      const found = await this.reasonsOf(store, stream.bucket, object);
      records += found.records;
      for (const [id, reason] of found.reasons) {
        const known = reasons.get(id);
        if (known) known.count += reason.count;
        else reasons.set(id, { ...reason });
      }
    }
    return {
      objects: objects.length,
      records,
      objectsRead: read.length,
      topReasons: [...reasons.values()]
        .sort((a, b) => b.count - a.count)
        .slice(0, 5),
    };
  }

  private async reasonsOf(
    store: ObjectStore,
    bucket: string,
    object: ObjectRef,
  ): Promise<ObjectReasons> {
    const id = `${bucket}/${object.key}:${object.etag}`;
    const known = this.memo.get(id);
    if (known) return known;
    const found: ObjectReasons = { records: 0, reasons: new Map() };
    try {
      for await (const line of ndjsonLines(
        await store.open(bucket, object.key),
      )) {
        let document: { errorCode?: unknown; errorMessage?: unknown };
        try {
          document = JSON.parse(line);
        } catch {
          continue;
        }
        found.records++;
        const errorCode = String(document.errorCode ?? 'Unknown');
        const errorMessage = String(document.errorMessage ?? '').slice(
          0,
          MESSAGE_CHARS,
        );
        const reasonId = `${errorCode}\u0000${errorMessage}`;
        const reason = found.reasons.get(reasonId);
        if (reason) reason.count++;
        else found.reasons.set(reasonId, { errorCode, errorMessage, count: 1 });
      }
    } catch (error) {
      this.logger.warn(
        `Could not read error object s3://${bucket}/${object.key}: ${error}`,
      );
      return found; // not remembered: the next check tries again
    }
    this.memo.set(id, found);
    if (this.memo.size > MEMO_ENTRIES) {
      this.memo.delete(this.memo.keys().next().value as string);
    }
    return found;
  }
}
