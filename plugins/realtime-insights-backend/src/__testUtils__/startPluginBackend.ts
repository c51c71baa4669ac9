import {
  TestBackend,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { LocalS3 } from '@internal/local-s3';
import { Knex } from 'knex';
import request from 'supertest';
import { realtimeInsightsPlugin } from '../plugin';

export { streamEntity } from './streamEntity';

/** Where the test backend mounts the plugin's routes. */
export const PLUGIN_BASE_PATH = '/api/realtime-insights';

export type StartPluginBackendOptions = {
  /** The plugin's default S3 endpoint (started by the suite, often shared). */
  s3: LocalS3;
  /**
   * Set over the `realtimeInsights` config, key by key; the rest is the S3
   * above and the in-process cache.
   */
  config?: JsonObject;
  /** The catalog's entities. */
  entities?: Entity[];
  /**
   * The plugin's database (one for several replicas), from `TestDatabases`,
   * which destroys it after the suite. Backstage's default database service
   * leaves an in-memory SQLite's pool open after the backend stops, and the
   * pool's timer keeps the Jest worker from exiting.
   */
  database: Knex;
};

/** supertest requests to a path under {@link PLUGIN_BASE_PATH}. */
export type PluginRequests = Record<
  'get' | 'post' | 'patch' | 'delete',
  (path: string) => request.Test
>;

export type PluginBackend = {
  server: TestBackend['server'];
  /** With a user's token. */
  asUser: PluginRequests;
  /** Without a token (add a cookie with `.set('Cookie', …)`). */
  anonymous: PluginRequests;
  stop(): Promise<void>;
};

/**
 * The plugin in a Backstage test backend, as it runs in a portal: every
 * permission granted, and no credentials unless a request carries a token
 * or the cookie, so that Backstage's own credentials barrier (the auth
 * policies the plugin registers) is what the tests go through.
 */
export async function startPluginBackend(
  options: StartPluginBackendOptions,
): Promise<PluginBackend> {
  const { s3, config = {}, entities = [], database } = options;
  const backend = await startTestBackend({
    features: [
      realtimeInsightsPlugin,
      mockServices.rootConfig.factory({
        data: {
          realtimeInsights: {
            s3: {
              endpoint: s3.endpoint,
              forcePathStyle: true,
              credentials: s3.credentials,
            },
            cache: { type: 'memory' },
            ...config,
          },
        },
      }),
      mockServices.database.factory({ knex: database }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      catalogServiceMock.factory({ entities }),
    ],
  });
  const requests = (authorization?: string): PluginRequests => {
    const to =
      (method: keyof PluginRequests) =>
      (path: string): request.Test => {
        const test = request(backend.server)[method](
          `${PLUGIN_BASE_PATH}${path}`,
        );
        return authorization ? test.set('Authorization', authorization) : test;
      };
    return {
      get: to('get'),
      post: to('post'),
      patch: to('patch'),
      delete: to('delete'),
    };
  };
  return {
    server: backend.server,
    asUser: requests(mockCredentials.user.header()),
    anonymous: requests(),
    stop: () => backend.stop(),
  };
}
