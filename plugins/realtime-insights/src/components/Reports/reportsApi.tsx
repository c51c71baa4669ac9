import { createApiRef } from '@backstage/frontend-plugin-api';
import { ReportsClient } from '@internal/plugin-realtime-insights-common';
import { backendClientApis } from '../../backendClientApis';

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
  | 'listReportShares'
  | 'revokeReportShare'
  | 'downloadUrl'
  | 'urlOf'
  | 'issueCookie'
>;

/** @public */
export const realtimeInsightsReportsApiRef =
  createApiRef<RealtimeInsightsReportsApi>({
    id: 'plugin.realtime-insights.reports',
  });

const reportsApis = backendClientApis({
  name: 'reports',
  api: realtimeInsightsReportsApiRef,
  client: ReportsClient,
});

/**
 * The reports API for the new frontend system (`api:realtime-insights/reports`).
 * `fetchApi` carries the signed-in user's token; downloads use the
 * portal's user cookie, which the client asks the backend for.
 *
 * @public
 */
export const reportsApiExtension = reportsApis.extension;

/**
 * The same API for the legacy frontend system: add it to the legacy
 * plugin's `apis`.
 *
 * @public
 */
export const reportsApiFactory = reportsApis.factory;
