import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  AdminSettingsResponse,
  SettingValue,
} from '@internal/plugin-realtime-insights-common';
import { Knex } from 'knex';
import { z } from 'zod';
import {
  RealtimeInsightsConfig,
  realtimeInsightsConfigSchema,
} from '../../config';
import {
  SettingsOverrides,
  applyOverrides,
  checkChanges,
  describeSettings,
} from './settingFields';
import {
  DEFAULT_STREAM_SETTINGS,
  SettingsService,
  StreamSettings,
} from './types';

const TABLE = 'settings';
const GLOBAL = 'global';
const STREAM = 'stream:';
const FLUSH = 'flush:';
const FLUSH_ALL = `${FLUSH}*`;

/** A stream's settings as stored, with who changed them last. */
export type StoredStreamSettings = StreamSettings & {
  updatedAt: number;
  updatedBy: string | null;
};

/** What changed, for services that act on it (on every replica). */
export type SettingsChange =
  | {
      type: 'settings';
      before: RealtimeInsightsConfig;
      after: RealtimeInsightsConfig;
    }
  | {
      type: 'stream';
      entityRef: string;
      before: StreamSettings;
      after: StreamSettings;
    }
  /** A cache flush, of one stream or (no entity ref) of everything. */
  | { type: 'flush'; entityRef?: string };

type Row = {
  scope: string;
  value: string;
  revision: number | string;
  updated_by: string | null;
  updated_at: number | string;
};

type State = {
  rows: Map<string, Row>;
  overrides: SettingsOverrides;
  config: RealtimeInsightsConfig;
  streams: Map<string, StoredStreamSettings>;
};

const overridesSchema = z.object({
  overrides: z.record(z.union([z.number(), z.boolean(), z.string()])),
});
const streamValueSchema = z.object({
  enabled: z.boolean().default(true),
  cacheEnabled: z.boolean().default(true),
});

export type DatabaseSettingsServiceOptions = {
  /** The plugin's database, migrated. */
  db: Knex;
  /** `realtimeInsights` from app-config. */
  defaults: RealtimeInsightsConfig;
  logger: LoggerService;
  /** How often other replicas' changes are looked for. Default 3 s. */
  pollIntervalMs?: number;
  /** The config schema overrides are checked with; tests replace it. */
  schema?: z.ZodTypeAny;
  now?: () => number;
};

/**
 * Settings in the plugin's database over app-config defaults. `current()`
 * answers from memory; every replica re-reads the (small) table every few
 * seconds, so a change saved on one replica is in effect on all of them
 * within the poll interval, without a restart. Writes are compare-and-swap
 * on a revision per row, so concurrent admins never overwrite each other
 * unnoticed.
 */
export class DatabaseSettingsService implements SettingsService {
  static async create(
    options: DatabaseSettingsServiceOptions,
  ): Promise<DatabaseSettingsService> {
    const service = new DatabaseSettingsService(options);
    await service.refresh();
    return service;
  }

  readonly #db: Knex;
  readonly #defaults: RealtimeInsightsConfig;
  readonly #logger: LoggerService;
  readonly #pollIntervalMs: number;
  readonly #schema: z.ZodTypeAny;
  readonly #now: () => number;
  readonly #listeners = new Set<(change: SettingsChange) => void>();
  #state: State;
  #loaded = false;
  #refreshing?: Promise<void>;
  #timer?: NodeJS.Timeout;
  #lastRejected = '';
  #lastPollError = 0;

  private constructor(options: DatabaseSettingsServiceOptions) {
    this.#db = options.db;
    this.#defaults = options.defaults;
    this.#logger = options.logger;
    this.#pollIntervalMs = options.pollIntervalMs ?? 3_000;
    this.#schema = options.schema ?? realtimeInsightsConfigSchema;
    this.#now = options.now ?? Date.now;
    this.#state = {
      rows: new Map(),
      overrides: {},
      config: options.defaults,
      streams: new Map(),
    };
  }

  current(): RealtimeInsightsConfig {
    return this.#state.config;
  }

  stream(entityRef: string): StreamSettings {
    const stored = this.#state.streams.get(entityRef);
    return stored
      ? { enabled: stored.enabled, cacheEnabled: stored.cacheEnabled }
      : DEFAULT_STREAM_SETTINGS;
  }

  /** Stream settings admins changed, by entity ref. */
  storedStreams(): ReadonlyMap<string, StoredStreamSettings> {
    return this.#state.streams;
  }

  /** The overrides in the database, by config path. */
  overrides(): SettingsOverrides {
    return { ...this.#state.overrides };
  }

  /** The editable settings with defaults, values and the revision. */
  describe(): AdminSettingsResponse {
    const row = this.#state.rows.get(GLOBAL);
    return {
      revision: row ? Number(row.revision) : 0,
      updatedAt: row ? new Date(Number(row.updated_at)).toISOString() : null,
      updatedBy: row?.updated_by ?? null,
      fields: describeSettings(
        this.#defaults,
        this.#state.config,
        this.#state.overrides,
        this.#schema,
      ),
    };
  }

  /**
   * Applies changed settings (`null`: back to the default). With
   * `revision`, refuses (`ConflictError`) when someone saved since; invalid
   * values are an `InputError` naming the setting.
   */
  async update(
    changes: Record<string, SettingValue | null>,
    options: { actor: string; revision?: number },
  ): Promise<{ before: SettingsOverrides; after: SettingsOverrides }> {
    const { before, after } = await this.#write(
      GLOBAL,
      current => {
        const overrides = current
          ? overridesSchema.parse(current).overrides
          : {};
        return {
          overrides: checkChanges(
            this.#defaults,
            overrides,
            changes,
            this.#schema,
          ),
        };
      },
      options,
    );
    await this.refresh();
    return {
      before: before ? overridesSchema.parse(before).overrides : {},
      after: overridesSchema.parse(after).overrides,
    };
  }

  /** Changes one stream's settings; untouched fields keep their values. */
  async updateStream(
    entityRef: string,
    update: Partial<StreamSettings>,
    options: { actor: string },
  ): Promise<{ before: StreamSettings; after: StreamSettings }> {
    const { before, after } = await this.#write(
      `${STREAM}${entityRef}`,
      current => ({
        ...(current
          ? streamValueSchema.parse(current)
          : DEFAULT_STREAM_SETTINGS),
        ...update,
      }),
      options,
    );
    await this.refresh();
    return {
      before: before
        ? streamValueSchema.parse(before)
        : { ...DEFAULT_STREAM_SETTINGS },
      after: streamValueSchema.parse(after),
    };
  }

  /**
   * Records a cache flush (of a stream, or of everything), so every
   * replica drops what it holds in memory too. Listeners on this replica
   * hear of it at once, the others at their next poll.
   */
  async recordFlush(
    entityRef: string | undefined,
    options: { actor: string },
  ): Promise<void> {
    await this.#write(
      entityRef ? `${FLUSH}${entityRef}` : FLUSH_ALL,
      () => ({}),
      options,
    );
    await this.refresh();
  }

  /** Hears of every change, made here or on another replica. */
  onChange(listener: (change: SettingsChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Polls the table until `stop()`. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#refreshing) return; // a slow database: do not pile up reads
      this.refresh().catch(error => {
        const now = this.#now();
        if (now - this.#lastPollError > 60_000) {
          this.#lastPollError = now;
          this.#logger.warn(
            `Could not read the settings, keeping the ones in effect: ${error}`,
          );
        }
      });
    }, this.#pollIntervalMs);
    this.#timer.unref?.();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Reads the table and applies what changed. */
  refresh(): Promise<void> {
    // A read that started before a write may miss it: chain a new one.
    const previous = this.#refreshing ?? Promise.resolve();
    const next: Promise<void> = previous
      .catch(() => {})
      .then(() => this.#load())
      .finally(() => {
        if (this.#refreshing === next) this.#refreshing = undefined;
      });
    this.#refreshing = next;
    return next;
  }

  async #load(): Promise<void> {
    const rows: Row[] = await this.#db(TABLE).select();
    const next: State = {
      rows: new Map(rows.map(r => [r.scope, r])),
      overrides: {},
      config: this.#defaults,
      streams: new Map(),
    };
    for (const row of rows) {
      if (row.scope === GLOBAL) {
        const parsed = overridesSchema.safeParse(JSON.parse(row.value));
        if (parsed.success) next.overrides = parsed.data.overrides;
      } else if (row.scope.startsWith(STREAM)) {
        const parsed = streamValueSchema.safeParse(JSON.parse(row.value));
        if (parsed.success) {
          next.streams.set(row.scope.slice(STREAM.length), {
            ...parsed.data,
            updatedAt: Number(row.updated_at),
            updatedBy: row.updated_by,
          });
        }
      }
    }
    const applied = applyOverrides(
      this.#defaults,
      next.overrides,
      this.#schema,
    );
    next.config = applied.config;
    this.#logRejected(applied.rejected);

    const previous = this.#state;
    const wasLoaded = this.#loaded;
    this.#state = next;
    this.#loaded = true;
    if (wasLoaded) this.#announce(previous, next);
  }

  #announce(previous: State, next: State) {
    const changes: SettingsChange[] = [];
    if (!sameRevision(previous, next, GLOBAL)) {
      changes.push({
        type: 'settings',
        before: previous.config,
        after: next.config,
      });
    }
    const refs = new Set([...previous.streams.keys(), ...next.streams.keys()]);
    for (const entityRef of refs) {
      const scope = `${STREAM}${entityRef}`;
      if (sameRevision(previous, next, scope)) continue;
      const settingsOf = (state: State) => {
        const s = state.streams.get(entityRef) ?? DEFAULT_STREAM_SETTINGS;
        return { enabled: s.enabled, cacheEnabled: s.cacheEnabled };
      };
      changes.push({
        type: 'stream',
        entityRef,
        before: settingsOf(previous),
        after: settingsOf(next),
      });
    }
    for (const scope of next.rows.keys()) {
      if (!scope.startsWith(FLUSH) || sameRevision(previous, next, scope)) {
        continue;
      }
      changes.push(
        scope === FLUSH_ALL
          ? { type: 'flush' }
          : { type: 'flush', entityRef: scope.slice(FLUSH.length) },
      );
    }
    for (const change of changes) {
      for (const listener of this.#listeners) {
        try {
          listener(change);
        } catch (error) {
          this.#logger.warn(`A settings listener failed: ${error}`);
        }
      }
    }
  }

  #logRejected(rejected: Array<{ path: string; message: string }>) {
    const text = rejected.map(r => `${r.path} ${r.message}`).join('; ');
    if (text && text !== this.#lastRejected) {
      this.#logger.warn(
        `Ignoring settings overrides the config schema refuses (app-config defaults apply): ${text}`,
      );
    }
    this.#lastRejected = text;
  }

  /** Compare-and-swap of one row; retried a few times under contention. */
  async #write(
    scope: string,
    mutate: (current: unknown | undefined) => unknown,
    options: { actor: string; revision?: number },
  ): Promise<{ before: unknown | undefined; after: unknown }> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const row: Row | undefined = await this.#db(TABLE)
        .where({ scope })
        .first();
      const revision = row ? Number(row.revision) : 0;
      if (options.revision !== undefined && options.revision !== revision) {
        throw new ConflictError(
          `The settings were changed${
            row?.updated_by ? ` by ${row.updated_by}` : ''
          } since you loaded them (revision ${revision}, yours ${
            options.revision
          }); reload and apply your change again`,
        );
      }
      const before = row ? JSON.parse(row.value) : undefined;
      const after = mutate(before);
      const values = {
        value: JSON.stringify(after),
        revision: revision + 1,
        updated_by: options.actor,
        updated_at: this.#now(),
      };
      if (!row) {
        try {
          await this.#db(TABLE).insert({ scope, ...values });
          return { before, after };
        } catch (error) {
          // Someone inserted the row first: read it and try again.
          lastError = error;
          continue;
        }
      }
      const updated = await this.#db(TABLE)
        .where({ scope, revision })
        .update(values);
      if (updated === 1) return { before, after };
    }
    throw new ConflictError(
      `The settings are being changed by someone else; try again${
        lastError ? ` (${lastError})` : ''
      }`,
    );
  }
}

function sameRevision(a: State, b: State, scope: string): boolean {
  return a.rows.get(scope)?.revision === b.rows.get(scope)?.revision;
}
