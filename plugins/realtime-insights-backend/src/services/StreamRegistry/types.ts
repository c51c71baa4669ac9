import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { StreamDefinition } from '@internal/plugin-realtime-insights-common';

/** A stream entity that cannot be used, and why. @public */
export type InvalidStream = {
  entityRef: string;
  /** Messages a team can act on: annotation, problem, example. */
  errors: string[];
  /** `spec.owner` as the entity states it, when it does. */
  owner?: string;
  title?: string;
  /** When these errors were first seen (epoch ms), on this replica. */
  since?: number;
};

/** @public */
export type StreamRegistryListing = {
  streams: StreamDefinition[];
  invalid: InvalidStream[];
};

/**
 * The registered streams. Buckets, prefixes and Firehose names come only from
 * here, never from a request.
 *
 * @public
 */
export interface StreamRegistry {
  /** Streams the caller may read (`realtime-insights.stream.read`). */
  listReadable(credentials: BackstageCredentials): Promise<StreamDefinition[]>;
  /**
   * One stream by its name. `NotFoundError` when it does not exist or the
   * caller may not read it, so hidden streams do not leak their existence.
   */
  getReadable(
    name: string,
    credentials: BackstageCredentials,
  ): Promise<StreamDefinition>;
  /**
   * Every registered stream and the invalid entities with their errors, for
   * admin and health views. Not permission filtered: callers check
   * `realtime-insights.admin` first.
   */
  listAll(): Promise<StreamRegistryListing>;
}
