import { z } from 'zod';

// Types and schemas of the admin API (`/admin/*`, permission
// `realtime-insights.admin`) and of the unauthenticated `/health` probe.

/** A value an admin can set. @public */
export type SettingValue = number | boolean | string;

/**
 * One setting the admin page can change. The backend derives the list from
 * its config schema, so new config keys in an editable section appear here
 * without code in the frontend.
 *
 * @public
 */
export type SettingField = {
  /** Dotted path in the `realtimeInsights` config, e.g. `cache.ttlSeconds`. */
  path: string;
  /** First part of the path: `cache`, `query`, `live`, `reports`, … */
  section: string;
  label: string;
  description?: string;
  type: 'integer' | 'number' | 'boolean' | 'enum' | 'string';
  min?: number;
  max?: number;
  /** The allowed values of an `enum`. */
  options?: string[];
  /** What app-config gives. */
  defaultValue: SettingValue;
  /** What is in effect: the override, or the default. */
  value: SettingValue;
  overridden: boolean;
};

/** `GET /admin/settings`. @public */
export type AdminSettingsResponse = {
  /** Changes whenever any admin saves; send it back to detect conflicts. */
  revision: number;
  updatedAt: string | null;
  updatedBy: string | null;
  fields: SettingField[];
};

const SETTING_PATH = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/;

/**
 * Body of `PATCH /admin/settings`: the changed settings by path, `null`
 * to go back to the app-config default. `revision` is the one the form was
 * loaded with; a save over someone else's newer change is refused (409).
 *
 * @public
 */
export const settingsUpdateSchema = z
  .object({
    revision: z.number().int().min(0).optional(),
    changes: z
      .record(
        z
          .string()
          .regex(
            SETTING_PATH,
            "must be a setting path like 'cache.ttlSeconds'",
          ),
        z.union([
          z.number().finite(),
          z.boolean(),
          z.string().max(1000),
          z.null(),
        ]),
      )
      .refine(changes => Object.keys(changes).length > 0, {
        message: 'must name at least one setting',
      }),
  })
  .strict();

/** @public */
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

/**
 * Checks a value against a field's type and bounds: the form checks as the
 * admin types, the backend checks the same way before saving. `undefined`
 * when the value is fine, else a message to show next to the field.
 *
 * @public
 */
export function settingValueProblem(
  field: Pick<SettingField, 'type' | 'min' | 'max' | 'options'>,
  value: unknown,
): string | undefined {
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'enum':
      return typeof value === 'string' && (field.options ?? []).includes(value)
        ? undefined
        : `must be one of ${(field.options ?? []).join(', ')}`;
    case 'string':
      return typeof value === 'string' ? undefined : 'must be text';
    default: {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return 'must be a number';
      }
      if (field.type === 'integer' && !Number.isInteger(value)) {
        return 'must be a whole number';
      }
      if (field.min !== undefined && value < field.min) {
        return `must be at least ${field.min}`;
      }
      if (field.max !== undefined && value > field.max) {
        return `must be at most ${field.max}`;
      }
      return undefined;
    }
  }
}

/** A registered stream (or an entity that failed validation), for admins. @public */
export type AdminStream = {
  entityRef: string;
  /** The stream's id in insights URLs; absent for an invalid entity. */
  name?: string;
  title?: string;
  owner?: string;
  bucket?: string;
  prefix?: string;
  /** False: hidden from insights, reports and following. */
  enabled: boolean;
  /** False: read from S3 on every query, nothing cached for it. */
  cacheEnabled: boolean;
  valid: boolean;
  /** Why the entity cannot be used (empty when valid). */
  errors: string[];
  /** Since when the current errors are seen (ISO-8601), when invalid. */
  invalidSince?: string;
  updatedAt?: string;
  updatedBy?: string;
};

/** `GET /admin/streams`. @public */
export type AdminStreamsResponse = { items: AdminStream[] };

/** Body of `PATCH /admin/streams/:entityRef`. @public */
export const streamSettingsUpdateSchema = z
  .object({
    enabled: z.boolean().optional(),
    cacheEnabled: z.boolean().optional(),
  })
  .strict()
  .refine(v => v.enabled !== undefined || v.cacheEnabled !== undefined, {
    message: "must set 'enabled' or 'cacheEnabled'",
  });

/** @public */
export type StreamSettingsUpdate = z.infer<typeof streamSettingsUpdateSchema>;

/**
 * Body of `POST /admin/cache/flush`: one stream's entries (by entity ref),
 * or everything with an explicit `all: true`, so an empty body never
 * flushes the whole cache.
 *
 * @public
 */
export const cacheFlushSchema = z.union([
  z.object({ stream: z.string().min(1).max(300) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);

/** @public */
export type CacheFlushRequest = z.infer<typeof cacheFlushSchema>;

/** `POST /admin/cache/flush`. @public */
export type CacheFlushResponse = {
  /** Entries removed from the shared cache. */
  deleted: number;
};

/** What the summary cache reports about itself. @public */
export type CacheStats = {
  kind: 'redis' | 'memory';
  /** Redis configured but not answering: queries read S3. */
  degraded: boolean;
  /** This replica's reads since it started. */
  hits: number;
  misses: number;
  /** hits / (hits + misses); null before the first read. */
  hitRate: number | null;
  /** Redis: used_memory; in-process: bytes of keys and values held. */
  memoryBytes: number | null;
  /** Redis: maxmemory (0 = no limit); in-process: null. */
  maxMemoryBytes: number | null;
  /** Redis: keys in its database (all users); in-process: entries. */
  keys: number | null;
  /** Redis: evicted_keys since its start; in-process: LRU evictions. */
  evictions: number | null;
  /** Redis: the server's own hit rate (every client of it). */
  serverHitRate?: number | null;
  /** Redis: the server's eviction policy. */
  evictionPolicy?: string;
};

/** One minute of S3 requests (this replica). @public */
export type ObjectStoreMinute = {
  /** Start of the minute, ISO-8601. */
  minute: string;
  requests: number;
  errors: number;
  throttled: number;
  avgLatencyMs: number | null;
};

/** S3 requests of one bucket over the last hour (this replica). @public */
export type ObjectStoreStats = {
  requests: number;
  errors: number;
  /** Attempts answered 503 SlowDown / throttling (retried by the SDK). */
  throttled: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  minutes: ObjectStoreMinute[];
};

/** @public */
export type ErrorReason = {
  errorCode: string;
  errorMessage: string;
  count: number;
};

/** Health of one stream. @public */
export type StreamHealth = {
  name: string;
  entityRef: string;
  title: string;
  owner: string;
  enabled: boolean;
  cacheEnabled: boolean;
  /** ok, warning (degraded), error (stale or unreadable), disabled. */
  status: 'ok' | 'warning' | 'error' | 'disabled';
  /** Why the status is not ok. */
  problems: string[];
  newestEventAt: string | null;
  newestArrivalAt: string | null;
  /** Seconds between now and the newest event. */
  freshnessSeconds: number | null;
  objectsLastHour: number;
  eventsLastHour: number;
  /** Events per 5 minutes over the last hour, oldest first. */
  eventsPerInterval: Array<{ start: string; count: number }>;
  /** Re-delivered events and objects Firehose sent twice (counted once). */
  duplicateEvents: number;
  duplicateObjects: number;
  corruptObjects: number;
  badLines: number;
  /** Objects under the Firehose error prefix in the last hour. */
  errorObjectsLastHour: number;
  /** Failed records in the error objects read. */
  errorRecordsLastHour: number;
  topErrors: ErrorReason[];
  objectStore: ObjectStoreStats | null;
  /** The health check of this stream itself failed. */
  checkError?: string;
};

/** `GET /admin/health`. @public */
export type AdminHealthResponse = {
  checkedAt: string;
  cache: CacheStats;
  streams: StreamHealth[];
};

/**
 * `GET /health`, for Kubernetes probes and load balancers: 503 only when
 * the object store is unreachable; a lost Redis only degrades. Reveals no
 * names, endpoints or errors.
 *
 * @public
 */
export type HealthProbeResponse = {
  status: 'ok' | 'degraded' | 'unavailable';
  checks: {
    objectStore: 'ok' | 'unreachable' | 'not-configured';
    cache: 'ok' | 'degraded' | 'in-process';
  };
};
