import { createApiRef } from '@backstage/frontend-plugin-api';
import { AdminClient } from '@internal/plugin-realtime-insights-common';
import { backendClientApis } from '../../backendClientApis';

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

const adminApis = backendClientApis({
  name: 'admin',
  api: realtimeInsightsAdminApiRef,
  client: AdminClient,
});

/** The admin API for the new frontend system. */
export const adminApiExtension = adminApis.extension;

/** The admin API for `createPlugin({ apis })` of the legacy frontend system. */
export const adminApiFactory = adminApis.factory;
