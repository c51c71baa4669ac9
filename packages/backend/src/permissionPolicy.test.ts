import {
  BackstageCredentials,
  PermissionsService,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  parseStreamEntity,
  realtimeInsightsAdminPermission,
  realtimeInsightsReportCreatePermission,
  realtimeInsightsReportSharePermission,
  realtimeInsightsStreamReadPermission,
} from '@internal/plugin-realtime-insights-common';
import { resolve as resolvePath } from 'node:path';
import policyModule, {
  REALTIME_INSIGHTS_ADMINS_GROUP,
  RealtimeInsightsPermissionPolicy,
} from './permissionPolicy';

const STREAMS = [
  'resource:default/interactions',
  'resource:default/sensor-readings',
  'resource:default/transaction-logs',
];

/** Ownership claims per user, as the sign-in resolver would issue them. */
const CLAIMS: Record<string, string[]> = {
  'user:default/mo': ['user:default/mo', 'group:default/mobile-analytics'],
  'user:default/pat': ['user:default/pat', 'group:default/payments'],
  'user:default/ada': ['user:default/ada', REALTIME_INSIGHTS_ADMINS_GROUP],
  'user:default/nobody': ['user:default/nobody'],
};

const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const { userEntityRef } = credentials.principal as {
        userEntityRef: string;
      };
      return { userEntityRef, ownershipEntityRefs: CLAIMS[userEntityRef] };
    },
  }),
});

/**
 * The mock auth service, except that on-behalf-of tokens keep the calling
 * plugin as the actor, as real plugin tokens do. Without it the catalog
 * refuses the permission backend's apply-conditions call (it only takes user
 * credentials that come through a plugin), which mock tokens (as of
 * backend-test-utils 1.11) do not express.
 */
const authFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory: ({ plugin }) => {
    const pluginId = plugin.getId();
    const auth = mockServices.auth({ pluginId });
    return Object.assign(Object.create(auth), {
      getPluginRequestToken: async (
        options: Parameters<typeof auth.getPluginRequestToken>[0],
      ) => {
        const { onBehalfOf } = options;
        if (!auth.isPrincipal(onBehalfOf, 'user')) {
          return auth.getPluginRequestToken(options);
        }
        return {
          token: mockCredentials.user.token(
            onBehalfOf.principal.userEntityRef,
            {
              actor: { subject: `plugin:${pluginId}` },
            },
          ),
        };
      },
    }) as typeof auth;
  },
});

describe('RealtimeInsightsPermissionPolicy', () => {
  const userInfo = mockServices.userInfo();
  const policy = new RealtimeInsightsPermissionPolicy({
    userInfo: {
      getUserInfo: async credentials =>
        userInfo.getUserInfo(credentials).then(info => ({
          ...info,
          ownershipEntityRefs: CLAIMS[info.userEntityRef],
        })),
    },
  });
  const user = (ref: string) => {
    const credentials = mockCredentials.user(ref);
    return {
      credentials,
      info: { userEntityRef: ref, ownershipEntityRefs: [] },
    };
  };

  it('lets owners read their streams, decided by the catalog', async () => {
    await expect(
      policy.handle(
        { permission: realtimeInsightsStreamReadPermission },
        user('user:default/pat'),
      ),
    ).resolves.toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: ['user:default/pat', 'group:default/payments'] },
      },
    });
  });

  it('lets admins read every stream, administer and share reports', async () => {
    const ada = user('user:default/ada');
    for (const permission of [
      realtimeInsightsStreamReadPermission,
      realtimeInsightsAdminPermission,
      realtimeInsightsReportSharePermission,
    ]) {
      await expect(policy.handle({ permission }, ada)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('denies administration and sharing to others and everything of ours to no user', async () => {
    for (const permission of [
      realtimeInsightsAdminPermission,
      realtimeInsightsReportSharePermission,
    ]) {
      await expect(
        policy.handle({ permission }, user('user:default/pat')),
      ).resolves.toEqual({ result: AuthorizeResult.DENY });
    }
    await expect(
      policy.handle(
        { permission: realtimeInsightsReportCreatePermission },
        user('user:default/pat'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    for (const permission of [
      realtimeInsightsStreamReadPermission,
      realtimeInsightsAdminPermission,
      realtimeInsightsReportSharePermission,
    ]) {
      await expect(policy.handle({ permission })).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  it('allows every other permission, as the allow-all policy did', async () => {
    await expect(
      policy.handle(
        { permission: catalogEntityReadPermission },
        user('user:default/nobody'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });
});

describe('permission policy module with the real catalog', () => {
  let permissions: PermissionsService;
  let catalog: CatalogService;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  // Stands in for the realtime-insights backend: asks as its router does.
  const probe = createBackendPlugin({
    pluginId: 'probe',
    register(env) {
      env.registerInit({
        deps: {
          permissions: coreServices.permissions,
          catalog: catalogServiceRef,
        },
        async init(deps) {
          permissions = deps.permissions;
          catalog = deps.catalog;
        },
      });
    },
  });

  beforeAll(async () => {
    const examples = resolvePath(__dirname, '../../../examples');
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        permissionPlugin,
        policyModule,
        probe,
        userInfoFactory,
        authFactory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['Resource', 'User', 'Group'] }],
              locations: [
                { type: 'file', target: resolvePath(examples, 'org.yaml') },
                { type: 'file', target: resolvePath(examples, 'streams.yaml') },
              ],
            },
          },
        }),
      ],
    });

    // The catalog ingests its locations asynchronously.
    const credentials = mockCredentials.service();
    for (let attempt = 0; ; attempt++) {
      const { items } = await catalog.getEntitiesByRefs(
        { entityRefs: STREAMS, fields: ['relations'] },
        { credentials },
      );
      if (items.every(e => e?.relations?.some(r => r.type === 'ownedBy'))) {
        break;
      }
      if (attempt > 150) {
        throw new Error('catalog did not ingest the example entities');
      }
      await new Promise(r => setTimeout(r, 200));
    }
  }, 60_000);

  afterAll(async () => {
    await backend?.stop();
  });

  async function readable(userRef: string): Promise<string[]> {
    const decisions = await permissions.authorize(
      STREAMS.map(resourceRef => ({
        permission: realtimeInsightsStreamReadPermission,
        resourceRef,
      })),
      { credentials: mockCredentials.user(userRef) },
    );
    return STREAMS.filter(
      (_, i) => decisions[i].result === AuthorizeResult.ALLOW,
    );
  }

  it('shows owners their streams and nothing else', async () => {
    await expect(readable('user:default/mo')).resolves.toEqual([
      'resource:default/interactions',
      'resource:default/sensor-readings',
    ]);
    await expect(readable('user:default/pat')).resolves.toEqual([
      'resource:default/transaction-logs',
    ]);
    await expect(readable('user:default/nobody')).resolves.toEqual([]);
  });

  it('shows admins every stream', async () => {
    await expect(readable('user:default/ada')).resolves.toEqual(STREAMS);
  });

  it('lets only admins administer', async () => {
    const decide = async (userRef: string) =>
      (
        await permissions.authorize(
          [{ permission: realtimeInsightsAdminPermission }],
          { credentials: mockCredentials.user(userRef) },
        )
      )[0].result;
    await expect(decide('user:default/ada')).resolves.toBe(
      AuthorizeResult.ALLOW,
    );
    await expect(decide('user:default/mo')).resolves.toBe(AuthorizeResult.DENY);
  });

  it('keeps the catalog readable for everyone', async () => {
    const { items } = await catalog.getEntities(
      { filter: { kind: 'Resource' } },
      { credentials: mockCredentials.user('user:default/nobody') },
    );
    expect(items.map(e => e.metadata.name).sort()).toEqual([
      'interactions',
      'sensor-readings',
      'transaction-logs',
    ]);
  });

  it('ingests the example streams as valid stream entities', async () => {
    const { items } = await catalog.getEntities(
      { filter: { kind: 'Resource', 'spec.type': 'data-stream' } },
      { credentials: mockCredentials.service() },
    );
    const parsed = items
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map(parseStreamEntity);
    expect(parsed).toEqual([
      {
        stream: expect.objectContaining({
          name: 'interactions',
          owner: 'group:default/mobile-analytics',
          measures: ['durationMs'],
          dimensions: ['type', 'screen', 'element'],
        }),
      },
      {
        stream: expect.objectContaining({
          name: 'sensor-readings',
          owner: 'group:default/mobile-analytics',
          measures: ['value'],
          dimensions: ['sensor', 'unit'],
        }),
      },
      {
        stream: expect.objectContaining({
          name: 'transaction-logs',
          owner: 'group:default/payments',
          firehoseStream: 'rti-transaction-logs',
          bucket: 'rti-transaction-logs',
          prefix: 'events/',
          timestampField: 'ts',
          measures: ['amount', 'latencyMs'],
          dimensions: [
            'status',
            'currency',
            'merchantCategory',
            'declineReason',
          ],
        }),
      },
    ]);
  });
});
