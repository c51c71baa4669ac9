import { ObjectRef, ObjectStore } from '../ObjectStore';
import { CACHE_KEY_PREFIX, SummaryCache } from '../SummaryCache';

const HOUR_MS = 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** Start of the UTC hour that holds `ms`. */
export const hourStart = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** The Hive-style prefix Firehose writes an hour's objects under. */
export function hourPrefix(base: string, hourStartMs: number): string {
  const d = new Date(hourStartMs);
  return (
    `${base}year=${d.getUTCFullYear()}/month=${pad(d.getUTCMonth() + 1)}` +
    `/day=${pad(d.getUTCDate())}/hour=${pad(d.getUTCHours())}/`
  );
}

/** Every hour whose prefix may hold events of [fromMs, toMs]. */
export function hoursCovering(fromMs: number, toMs: number): number[] {
  const hours: number[] = [];
  for (let h = hourStart(fromMs); h <= toMs; h += HOUR_MS) hours.push(h);
  return hours;
}

/** Firehose's object-name timestamp, `yyyy-MM-dd-HH-mm-ss`, UTC. */
function nameTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(
    d.getUTCDate(),
  )}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(
    d.getUTCSeconds(),
  )}`;
}

export type ListedStream = {
  bucket: string;
  prefix: string;
  /** Delivery stream name: object names start with it. */
  firehoseStream: string;
};

/**
 * Lists an hour's objects. A closed hour (ended more than
 * `settleMinutes` ago) cannot change: its listing is cached. An open hour
 * is re-listed with `StartAfter`: object names start with the arrival
 * time of their oldest record, so names older than the settle window are
 * taken as complete and only newer ones are listed again.
 */
export class ObjectListing {
  private readonly open = new Map<
    string,
    { objects: ObjectRef[]; settledKey: string }
  >();

  constructor(
    private readonly store: ObjectStore,
    private readonly cache: SummaryCache,
    private readonly options: {
      settleMinutes: number;
      ttlSeconds: () => number;
    },
  ) {}

  /** True when no more objects can land under the hour's prefix. */
  isClosed(hourStartMs: number, now: number): boolean {
    return hourStartMs + HOUR_MS + this.options.settleMinutes * 60_000 <= now;
  }

  async hour(
    stream: ListedStream,
    hourStartMs: number,
    now: number,
  ): Promise<ObjectRef[]> {
    const prefix = hourPrefix(stream.prefix, hourStartMs);
    const id = `${stream.bucket}:${prefix}`;
    const settleMs = this.options.settleMinutes * 60_000;
    if (this.isClosed(hourStartMs, now)) {
      this.open.delete(id);
      const cacheKey = `${CACHE_KEY_PREFIX}list:${id}`;
      const [cached] = await this.cache.getMany([cacheKey]);
      if (cached) return JSON.parse(cached.toString('utf8')) as ObjectRef[];
      const objects = await this.store.list(stream.bucket, prefix);
      this.cache.setMany(
        [[cacheKey, Buffer.from(JSON.stringify(objects))]],
        this.options.ttlSeconds(),
      );
      return objects;
    }

    const settledKey = `${prefix}${stream.firehoseStream}-1-${nameTimestamp(
      now - settleMs,
    )}`;
    const known = this.open.get(id);
    let objects: ObjectRef[];
    if (known) {
      const fresh = await this.store.list(
        stream.bucket,
        prefix,
        known.settledKey,
      );
      objects = [
        ...known.objects.filter(o => o.key <= known.settledKey),
        ...fresh,
      ];
    } else {
      objects = await this.store.list(stream.bucket, prefix);
    }
    this.open.set(id, { objects, settledKey });
    return objects;
  }
}
