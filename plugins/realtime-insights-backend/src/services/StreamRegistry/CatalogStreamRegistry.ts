import {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  STREAM_ENTITY_KIND,
  STREAM_ENTITY_TYPE,
  StreamDefinition,
  parseStreamEntity,
  realtimeInsightsStreamReadPermission,
} from '@internal/plugin-realtime-insights-common';
import { InvalidStream, StreamRegistry, StreamRegistryListing } from './types';

/** @public */
export type CatalogStreamRegistryOptions = {
  catalog: CatalogService;
  permissions: PermissionsService;
  auth: AuthService;
  logger: LoggerService;
  /** How long a catalog listing is reused; default 30 s. */
  cacheTtlMs?: number;
  /**
   * Buckets stream entities may name. Without it any bucket the backend can
   * read may be registered by any team that can register an entity, and the
   * permission check (on the entity) then guards someone else's data.
   */
  allowedBuckets?: string[];
  /**
   * S3 endpoints stream entities may name (`realtime-insights.io/endpoint`).
   * Default none: the backend signs requests with its AWS credentials, so an
   * endpoint from an entity is honoured only when an admin listed it.
   */
  allowedEndpoints?: string[];
  /** Clock for the cache; tests replace it. */
  now?: () => number;
  /**
   * False for streams an admin disabled: they are left out of
   * `listReadable` and not found by `getReadable`, as if unregistered.
   * `listAll` (for admins) still lists them. Asked per call.
   */
  isEnabled?: (stream: StreamDefinition) => boolean;
};

type Snapshot = StreamRegistryListing & {
  byName: Map<string, StreamDefinition>;
  loadedAt: number;
};

const DEFAULT_TTL_MS = 30_000;

/**
 * Streams registered as catalog entities (`kind: Resource`, `spec.type:
 * data-stream`), validated, cached briefly, and filtered per caller by
 * `realtime-insights.stream.read` on the entity.
 *
 * @public
 */
export class CatalogStreamRegistry implements StreamRegistry {
  static create(options: CatalogStreamRegistryOptions): CatalogStreamRegistry {
    return new CatalogStreamRegistry(options);
  }

  readonly #options: CatalogStreamRegistryOptions;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #snapshot?: Snapshot;
  #loading?: Promise<Snapshot>;
  /**
   * entityRef → its last logged errors and since when they are seen, so
   * each problem is logged once.
   */
  readonly #loggedInvalid = new Map<
    string,
    { message: string; since: number }
  >();

  private constructor(options: CatalogStreamRegistryOptions) {
    this.#options = options;
    this.#ttlMs = options.cacheTtlMs ?? DEFAULT_TTL_MS;
    this.#now = options.now ?? Date.now;
    if (!options.allowedBuckets) {
      options.logger.warn(
        'Stream entities may name any bucket: set allowed buckets so a team cannot register a stream over data it does not own',
      );
    }
  }

  async listAll(): Promise<StreamRegistryListing> {
    const { streams, invalid } = await this.#load();
    return { streams, invalid };
  }

  async listReadable(
    credentials: BackstageCredentials,
  ): Promise<StreamDefinition[]> {
    const { isEnabled = () => true } = this.#options;
    const streams = (await this.#load()).streams.filter(isEnabled);
    if (streams.length === 0) {
      return [];
    }
    const decisions = await this.#options.permissions.authorize(
      streams.map(stream => ({
        permission: realtimeInsightsStreamReadPermission,
        resourceRef: stream.entityRef,
      })),
      { credentials },
    );
    return streams.filter(
      (_, i) => decisions[i]?.result === AuthorizeResult.ALLOW,
    );
  }

  async getReadable(
    name: string,
    credentials: BackstageCredentials,
  ): Promise<StreamDefinition> {
    const stream = (await this.#load()).byName.get(name);
    // The same error whether the stream is missing or hidden from the caller.
    const notFound = new NotFoundError(`No stream named '${name}'`);
    if (!stream || this.#options.isEnabled?.(stream) === false) {
      throw notFound;
    }
    const [decision] = await this.#options.permissions.authorize(
      [
        {
          permission: realtimeInsightsStreamReadPermission,
          resourceRef: stream.entityRef,
        },
      ],
      { credentials },
    );
    if (decision?.result !== AuthorizeResult.ALLOW) {
      throw notFound;
    }
    return stream;
  }

  async #load(): Promise<Snapshot> {
    const snapshot = this.#snapshot;
    if (snapshot && this.#now() - snapshot.loadedAt < this.#ttlMs) {
      return snapshot;
    }
    // One catalog request at a time, however many queries are waiting.
    this.#loading ??= this.#fetch().finally(() => {
      this.#loading = undefined;
    });
    try {
      this.#snapshot = await this.#loading;
      return this.#snapshot;
    } catch (error) {
      if (snapshot) {
        // A catalog hiccup should not take every chart down: serve the last
        // listing until the catalog answers again.
        this.#options.logger.warn(
          `Could not refresh streams from the catalog, using the listing from ${new Date(
            snapshot.loadedAt,
          ).toISOString()}: ${error}`,
        );
        return snapshot;
      }
      throw error;
    }
  }

  async #fetch(): Promise<Snapshot> {
    const { catalog, auth } = this.#options;
    const { items } = await catalog.getEntities(
      {
        filter: { kind: STREAM_ENTITY_KIND, 'spec.type': STREAM_ENTITY_TYPE },
        order: { field: 'metadata.name', order: 'asc' },
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );

    const parsed: StreamDefinition[] = [];
    const invalid: InvalidStream[] = [];
    for (const entity of items) {
      const result = parseStreamEntity(entity);
      if ('errors' in result) {
        const namespace = entity.metadata.namespace || 'default';
        const owner = entity.spec?.owner;
        invalid.push({
          entityRef: `resource:${namespace}/${entity.metadata.name}`,
          errors: result.errors,
          ...(typeof owner === 'string' ? { owner } : {}),
          ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
        });
        continue;
      }
      const errors = this.#sourceErrors(result.stream);
      if (errors.length) {
        invalid.push({
          entityRef: result.stream.entityRef,
          errors,
          owner: result.stream.owner,
          title: result.stream.title,
        });
      } else {
        parsed.push(result.stream);
      }
    }

    const conflicts = findConflicts(parsed);
    const streams = parsed.filter(s => !conflicts.has(s.entityRef));
    for (const [entityRef, errors] of conflicts) {
      const stream = parsed.find(s => s.entityRef === entityRef);
      invalid.push({
        entityRef,
        errors,
        ...(stream ? { owner: stream.owner, title: stream.title } : {}),
      });
    }

    this.#logInvalid(invalid);
    return {
      streams,
      invalid,
      byName: new Map(streams.map(s => [s.name, s])),
      loadedAt: this.#now(),
    };
  }

  /** Checks of a stream's data source against what admins allow. */
  #sourceErrors(stream: StreamDefinition): string[] {
    const { allowedBuckets, allowedEndpoints = [] } = this.#options;
    const errors: string[] = [];
    if (allowedBuckets && !allowedBuckets.includes(stream.bucket)) {
      errors.push(
        `realtime-insights.io/bucket: "${stream.bucket}" is not a bucket this portal reads; ask the Real-time Insights admins to allow it`,
      );
    }
    if (stream.endpoint && !allowedEndpoints.includes(stream.endpoint)) {
      errors.push(
        `realtime-insights.io/endpoint: "${stream.endpoint}" is not an endpoint this portal may call; remove the annotation to use the portal's S3 endpoint, or ask the Real-time Insights admins to allow it`,
      );
    }
    return errors;
  }

  #logInvalid(invalid: InvalidStream[]) {
    const current = new Set<string>();
    for (const stream of invalid) {
      const { entityRef, errors } = stream;
      current.add(entityRef);
      const message = errors.join('; ');
      const logged = this.#loggedInvalid.get(entityRef);
      if (logged?.message !== message) {
        this.#loggedInvalid.set(entityRef, { message, since: this.#now() });
        this.#options.logger.warn(
          `Ignoring invalid stream entity ${entityRef}: ${message}`,
        );
      }
      stream.since = this.#loggedInvalid.get(entityRef)!.since;
    }
    // Forget fixed entities, so a relapse is logged again.
    for (const entityRef of this.#loggedInvalid.keys()) {
      if (!current.has(entityRef)) {
        this.#loggedInvalid.delete(entityRef);
      }
    }
  }
}

/**
 * Streams whose objects overlap (same endpoint and bucket, one prefix
 * containing the other). All parties of a conflict are
 * invalid: picking a winner would let a later entity silently read — or hide —
 * another team's data.
 */
function findConflicts(streams: StreamDefinition[]): Map<string, string[]> {
  const conflicts = new Map<string, string[]>();
  const add = (stream: StreamDefinition, message: string) => {
    conflicts.set(stream.entityRef, [
      ...(conflicts.get(stream.entityRef) ?? []),
      message,
    ]);
  };
  for (let i = 0; i < streams.length; i++) {
    for (let j = i + 1; j < streams.length; j++) {
      const [a, b] = [streams[i], streams[j]];
      const sameStore =
        a.bucket === b.bucket && (a.endpoint ?? '') === (b.endpoint ?? '');
      if (
        sameStore &&
        (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix))
      ) {
        const where = (s: StreamDefinition) => `s3://${s.bucket}/${s.prefix}`;
        add(
          a,
          `realtime-insights.io/prefix: ${where(a)} overlaps ${where(b)} of ${
            b.entityRef
          }; give each stream its own bucket or prefix`,
        );
        add(
          b,
          `realtime-insights.io/prefix: ${where(b)} overlaps ${where(a)} of ${
            a.entityRef
          }; give each stream its own bucket or prefix`,
        );
      }
    }
  }
  return conflicts;
}
