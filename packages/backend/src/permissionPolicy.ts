/*
 * The demo portal's permission policy. A real company replaces this module
 * with its own policy (or RBAC plugin); only the two realtime-insights rules
 * below need carrying over.
 */

import {
  BackstageCredentials,
  BackstageUserInfo,
  UserInfoService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  PolicyDecision,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  realtimeInsightsAdminPermission,
  realtimeInsightsReportSharePermission,
  realtimeInsightsStreamReadPermission,
} from '@internal/plugin-realtime-insights-common';

/** Members see every stream and may administer Real-time Insights. */
export const REALTIME_INSIGHTS_ADMINS_GROUP = 'group:default/rti-admins';

/**
 * - `realtime-insights.stream.read`: admins always; others for streams they
 *   own, directly or through a group (decided by the catalog, which knows the
 *   entities' owners).
 * - `realtime-insights.admin` and `realtime-insights.report.share` (links
 *   for people outside the portal): admins only.
 * - `realtime-insights.report.create`: everybody signed in; the stream's read
 *   permission is checked as well when a report is created.
 * - Everything else (catalog, user settings, signals, …): allowed, as the
 *   allow-all policy this replaces did.
 */
export class RealtimeInsightsPermissionPolicy implements PermissionPolicy {
  readonly #userInfo: UserInfoService;
  readonly #adminsGroup: string;
  /** One user-info lookup per evaluated batch (the batch shares credentials). */
  readonly #infoByCredentials = new WeakMap<
    BackstageCredentials,
    Promise<BackstageUserInfo>
  >();

  constructor(options: { userInfo: UserInfoService; adminsGroup?: string }) {
    this.#userInfo = options.userInfo;
    this.#adminsGroup = (
      options.adminsGroup ?? REALTIME_INSIGHTS_ADMINS_GROUP
    ).toLocaleLowerCase('en-US');
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;

    if (isPermission(permission, realtimeInsightsStreamReadPermission)) {
      if (!user) {
        return { result: AuthorizeResult.DENY };
      }
      const claims = await this.#ownershipOf(user);
      if (this.#isAdmin(claims)) {
        return { result: AuthorizeResult.ALLOW };
      }
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }

    if (
      isPermission(permission, realtimeInsightsAdminPermission) ||
      isPermission(permission, realtimeInsightsReportSharePermission)
    ) {
      const isAdmin =
        user !== undefined && this.#isAdmin(await this.#ownershipOf(user));
      return { result: isAdmin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }

    return { result: AuthorizeResult.ALLOW };
  }

  // Entity refs compare case-insensitively, as in the catalog.
  #isAdmin(claims: string[]): boolean {
    return claims.some(
      ref => ref.toLocaleLowerCase('en-US') === this.#adminsGroup,
    );
  }

  async #ownershipOf(user: PolicyQueryUser): Promise<string[]> {
    let info = this.#infoByCredentials.get(user.credentials);
    if (!info) {
      info = this.#userInfo.getUserInfo(user.credentials);
      this.#infoByCredentials.set(user.credentials, info);
    }
    return (await info).ownershipEntityRefs;
  }
}

/** Installs {@link RealtimeInsightsPermissionPolicy} in the permission backend. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'realtime-insights-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, userInfo }) {
        policy.setPolicy(new RealtimeInsightsPermissionPolicy({ userInfo }));
      },
    });
  },
});
