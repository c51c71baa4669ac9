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
import { ReportsClient } from '@internal/plugin-realtime-insights-common';

/**
 * What the report components need of the backend; `ReportsClient` from
 * `-common` implements it.
 *
 * @public
 */
export type RealtimeInsightsReportsApi = Pick<
  ReportsClient,
  | 'createReport'
  | 'listReports'
  | 'getReport'
  | 'cancelReport'
  | 'retryReport'
  | 'deleteReport'
  | 'shareReport'
  | 'downloadUrl'
  | 'urlOf'
  | 'issueCookie'
>;

/** @public */
export const realtimeInsightsReportsApiRef =
  createApiRef<RealtimeInsightsReportsApi>({
    id: 'plugin.realtime-insights.reports',
  });

/**
 * The reports API for the new frontend system (`api:realtime-insights/reports`).
 * `fetchApi` carries the signed-in user's token; downloads use the
 * portal's user cookie, which the client asks the backend for.
 *
 * @public
 */
export const reportsApiExtension = ApiBlueprint.make({
  name: 'reports',
  params: defineParams =>
    defineParams({
      api: realtimeInsightsReportsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ReportsClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The same API for the legacy frontend system: add it to the legacy
 * plugin's `apis`.
 *
 * @public
 */
export const reportsApiFactory = createApiFactory({
  api: realtimeInsightsReportsApiRef,
  deps: { discoveryApi: legacyDiscoveryApiRef, fetchApi: legacyFetchApiRef },
  factory: ({ discoveryApi, fetchApi }) =>
    new ReportsClient({ discoveryApi, fetchApi }),
});
