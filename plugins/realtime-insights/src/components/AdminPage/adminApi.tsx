import {
  createApiFactory,
  discoveryApiRef as legacyDiscoveryApiRef,
  fetchApiRef as legacyFetchApiRef,
} from '@backstage/core-plugin-api';
import {
  ApiBlueprint,
  createApiRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { AdminClient } from '@internal/plugin-realtime-insights-common';

/** What the admin page needs of the backend; `AdminClient` implements it. @public */
export type RealtimeInsightsAdminApi = Pick<
  AdminClient,
  | 'getSettings'
  | 'updateSettings'
  | 'listStreams'
  | 'updateStream'
  | 'getCacheStats'
  | 'flushCache'
  | 'getHealth'
>;

/** @public */
export const realtimeInsightsAdminApiRef =
  createApiRef<RealtimeInsightsAdminApi>({
    id: 'plugin.realtime-insights.admin',
  });

/** The admin API for the new frontend system. */
export const adminApiExtension = ApiBlueprint.make({
  name: 'admin',
  params: defineParams =>
    defineParams({
      api: realtimeInsightsAdminApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      // fetchApi attaches the signed-in user's token to every call.
      factory: ({ discoveryApi, fetchApi }) =>
        new AdminClient({ discoveryApi, fetchApi }),
    }),
});

/** The admin API for `createPlugin({ apis })` of the legacy frontend system. */
export const adminApiFactory = createApiFactory({
  api: realtimeInsightsAdminApiRef,
  deps: { discoveryApi: legacyDiscoveryApiRef, fetchApi: legacyFetchApiRef },
  factory: ({ discoveryApi, fetchApi }) =>
    new AdminClient({ discoveryApi, fetchApi }),
});
