import { ObjectRef, ObjectStore } from '../ObjectStore';
import { CACHE_KEY_PREFIX, SummaryCache } from '../SummaryCache';

const HOUR_MS = 3_600_000;
/** How long a listing of an open hour is reused. */
const OPEN_LISTING_REUSE_MS = 2_000;
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

/** Every hour from the one holding `fromMs` to the one holding `toMs`. */
export function hoursCovering(fromMs: number, toMs: number): number[] {
  const hours: number[] = [];
  for (let h = hourStart(fromMs); h <= toMs; h += HOUR_MS) hours.push(h);
  return hours;
}

/**
 * Every hour whose prefix may hold events of [fromMs, toMs]. Firehose
 * partitions by arrival: an object sits in the hour its oldest record
 * arrived and holds records that arrived up to the buffering interval
 * later, so events of the range start in objects up to `bufferIntervalMs`
 * before it; late events (up to `latenessMs` after their time, and not
 * after `now`) end in later hours.
 */
export function hoursHolding(
  range: { fromMs: number; toMs: number },
  options: { bufferIntervalMs: number; latenessMs: number; now: number },
): number[] {
  const lastArrival = Math.min(range.toMs + options.latenessMs, options.now);
  return hoursCovering(
    range.fromMs - options.bufferIntervalMs,
    Math.max(range.fromMs, lastArrival),
  );
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
  /** S3 endpoint, when not the configured default. */
  endpoint?: string;
};

/**
 * Where a stream's objects live, as cache keys name it: the bucket, after
 * the endpoint's host when the stream names one. Two stores may hold
 * buckets of the same name; their summaries and listings must not meet.
 */
export function sourceOf(stream: { bucket: string; endpoint?: string }) {
  if (!stream.endpoint) return stream.bucket;
  let host = stream.endpoint;
  try {
    host = new URL(stream.endpoint).host;
  } catch {
    // the catalog admits only URLs; keep it as it is otherwise
  }
  return `${host}/${stream.bucket}`;
}

/**
 * Lists an hour's objects. A closed hour (ended more than
 * `settleMinutes` ago) cannot change: its listing is cached. An open hour
 * is re-listed with `StartAfter`: object names start with the arrival
 * time of their oldest record, so names older than the settle window are
 * taken as complete and only newer ones are listed again.
 */
export class ObjectListing {
  /** Closed hours' listings, in memory too (they never change). */
  private readonly closed = new Map<string, ObjectRef[]>();

  private rememberClosed(id: string, objects: ObjectRef[]) {
    this.closed.set(id, objects);
    if (this.closed.size > 2000)
      this.closed.delete(this.closed.keys().next().value as string);
  }

  private readonly open = new Map<
    string,
    { listing: Promise<ObjectRef[]>; settledKey: string; listedAt: number }
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

  /** Forgets what is held in memory of a stream's objects. */
  forget(stream: ListedStream): void {
    const start = `${sourceOf(stream)}:${stream.prefix}`;
    for (const map of [this.closed, this.open]) {
      for (const id of [...map.keys()]) {
        if (id.startsWith(start)) map.delete(id);
      }
    }
  }

  /**
   * The hour's objects. With `useCache` false (an admin turned the
   * stream's cache off) closed hours are listed from the store every time.
   */
  async hour(
    stream: ListedStream,
    hourStartMs: number,
    now: number,
    useCache = true,
  ): Promise<ObjectRef[]> {
    const prefix = hourPrefix(stream.prefix, hourStartMs);
    const id = `${sourceOf(stream)}:${prefix}`;
    const settleMs = this.options.settleMinutes * 60_000;
    if (this.isClosed(hourStartMs, now) && !useCache) {
      this.open.delete(id);
      return this.store.list(stream.bucket, prefix);
    }
    if (this.isClosed(hourStartMs, now)) {
      this.open.delete(id);
      const known = this.closed.get(id);
      if (known) return known;
      const cacheKey = `${CACHE_KEY_PREFIX}list:${id}`;
      const [cached] = await this.cache.getMany([cacheKey]);
      if (cached) {
        const objects = JSON.parse(cached.toString('utf8')) as ObjectRef[];
        this.rememberClosed(id, objects);
        return objects;
      }
      const objects = await this.store.list(stream.bucket, prefix);
      this.rememberClosed(id, objects);
      this.cache.setMany(
        [[cacheKey, Buffer.from(JSON.stringify(objects))]],
        this.options.ttlSeconds(),
      );
      return objects;
    }

    // Concurrent and back-to-back queries share one listing of an open
    // hour for a moment: live charts ask every few seconds, not every ms.
    const recent = this.open.get(id);
    if (recent && now - recent.listedAt < OPEN_LISTING_REUSE_MS) {
      return recent.listing;
    }
    const settledKey = `${prefix}${stream.firehoseStream}-1-${nameTimestamp(
      now - settleMs,
    )}`;
    const listing = (async () => {
      const known = recent
        ? { objects: await recent.listing, settledKey: recent.settledKey }
        : undefined;
      if (!known) return this.store.list(stream.bucket, prefix);
      const fresh = await this.store.list(
        stream.bucket,
        prefix,
        known.settledKey,
      );
      return [
        ...known.objects.filter(o => o.key <= known.settledKey),
        ...fresh,
      ];
    })();
    this.open.set(id, { listing, settledKey, listedAt: now });
    listing.catch(() => this.open.delete(id));
    return listing;
  }
}
