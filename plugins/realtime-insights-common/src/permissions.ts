import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read a stream's insights, records and reports. A resource permission on the
 * stream's catalog entity, so policies can decide per stream with the catalog's
 * rules (owner, annotations, …). Checked with the entity ref as `resourceRef`.
 *
 * @public
 */
export const realtimeInsightsStreamReadPermission = createPermission({
  name: 'realtime-insights.stream.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Administer Real-time Insights: the settings page, cache controls and the
 * health of every registered stream. A basic permission, like
 * `devtools.administer`.
 *
 * @public
 */
export const realtimeInsightsAdminPermission = createPermission({
  name: 'realtime-insights.admin',
  attributes: {},
});

/**
 * Create a report (export) of a stream. The stream's read permission is
 * checked as well when the report is created.
 *
 * @public
 */
export const realtimeInsightsReportCreatePermission = createPermission({
  name: 'realtime-insights.report.create',
  attributes: { action: 'create' },
});

/**
 * Share a finished report with people outside the portal through an expiring,
 * signed link. Every share is audited.
 *
 * @public
 */
export const realtimeInsightsReportSharePermission = createPermission({
  name: 'realtime-insights.report.share',
  attributes: {},
});

/**
 * Every permission of Real-time Insights, for `permissionsRegistry.addPermissions`.
 *
 * @public
 */
export const realtimeInsightsPermissions = [
  realtimeInsightsStreamReadPermission,
  realtimeInsightsAdminPermission,
  realtimeInsightsReportCreatePermission,
  realtimeInsightsReportSharePermission,
];
