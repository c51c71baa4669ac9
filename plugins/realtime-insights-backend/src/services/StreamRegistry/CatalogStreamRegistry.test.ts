import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import {
  STREAM_ANNOTATIONS as A,
  realtimeInsightsStreamReadPermission,
} from '@internal/plugin-realtime-insights-common';
import { streamEntity } from '../../__testUtils__/streamEntity';
import { CatalogStreamRegistry } from './CatalogStreamRegistry';

/** A sensor-like stream of `owner` in bucket `rti-<name>`. */
const sensorStream = (
  name: string,
  owner: string,
  annotations: Record<string, string> = {},
  namespace?: string,
): Entity =>
  streamEntity({
    name,
    owner,
    bucket: `rti-${name}`,
    measures: 'value',
    dimensions: 'sensor,unit',
    annotations,
    namespace,
  });

const interactions = sensorStream('interactions', 'group:default/mobile');
const payments = sensorStream('transaction-logs', 'group:default/payments');
const otherResource: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'db', annotations: { [A.bucket]: 'x' } },
  spec: { type: 'database', owner: 'group:default/mobile' },
};
const broken = sensorStream('broken', 'group:default/mobile', {
  [A.bucket]: 'Not_A_Bucket',
});

const alice = mockCredentials.user('user:default/alice');

/** Allows only the given entity refs, recording every batch. */
function permissionsAllowing(allowed: string[]) {
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockImplementation(async requests =>
    (requests as EvaluatePermissionRequest[]).map(request => ({
      result:
        request.permission.name === realtimeInsightsStreamReadPermission.name &&
        'resourceRef' in request &&
        allowed.includes(request.resourceRef as string)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    })),
  );
  return permissions;
}

function setup(options: {
  entities: Entity[];
  allowed?: string[];
  allowedBuckets?: string[];
  allowedEndpoints?: string[];
  isEnabled?: (stream: { entityRef: string }) => boolean;
}) {
  const catalog = catalogServiceMock({ entities: options.entities });
  const getEntities = jest.spyOn(catalog, 'getEntities');
  const permissions = permissionsAllowing(options.allowed ?? []);
  const logger = mockServices.logger.mock();
  let now = 1_000_000;
  const registry = CatalogStreamRegistry.create({
    catalog,
    permissions,
    auth: mockServices.auth(),
    logger,
    cacheTtlMs: 30_000,
    allowedBuckets: options.allowedBuckets,
    allowedEndpoints: options.allowedEndpoints,
    isEnabled: options.isEnabled,
    now: () => now,
  });
  return {
    registry,
    getEntities,
    permissions,
    logger,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('CatalogStreamRegistry', () => {
  it('lists only the streams the caller may read, in one batched check', async () => {
    const { registry, permissions } = setup({
      entities: [interactions, payments, otherResource],
      allowed: ['resource:default/transaction-logs'],
    });

    const streams = await registry.listReadable(alice);

    expect(streams.map(s => s.name)).toEqual(['transaction-logs']);
    expect(permissions.authorize).toHaveBeenCalledTimes(1);
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: realtimeInsightsStreamReadPermission,
          resourceRef: 'resource:default/interactions',
        },
        {
          permission: realtimeInsightsStreamReadPermission,
          resourceRef: 'resource:default/transaction-logs',
        },
      ],
      { credentials: alice },
    );
  });

  it('does not ask for permissions when there are no streams', async () => {
    const { registry, permissions } = setup({ entities: [otherResource] });
    await expect(registry.listReadable(alice)).resolves.toEqual([]);
    expect(permissions.authorize).not.toHaveBeenCalled();
  });

  it('returns a readable stream by name', async () => {
    const { registry } = setup({
      entities: [interactions],
      allowed: ['resource:default/interactions'],
    });
    await expect(registry.getReadable('interactions', alice)).resolves.toEqual(
      expect.objectContaining({
        name: 'interactions',
        entityRef: 'resource:default/interactions',
        owner: 'group:default/mobile',
        bucket: 'rti-interactions',
        prefix: 'events/',
        measures: ['value'],
        dimensions: ['sensor', 'unit'],
      }),
    );
  });

  it('answers the same NotFoundError for hidden and missing streams', async () => {
    const { registry } = setup({ entities: [interactions], allowed: [] });
    const hidden = await registry
      .getReadable('interactions', alice)
      .catch(e => e);
    const missing = await registry.getReadable('nope', alice).catch(e => e);
    expect(hidden).toBeInstanceOf(NotFoundError);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(hidden.message).toBe("No stream named 'interactions'");
    expect(missing.message).toBe("No stream named 'nope'");
  });

  it('names streams outside the default namespace namespace/name', async () => {
    const web = sensorStream('clicks', 'group:web/team', {}, 'web');
    const { registry } = setup({
      entities: [web],
      allowed: ['resource:web/clicks'],
    });
    await expect(registry.getReadable('web/clicks', alice)).resolves.toEqual(
      expect.objectContaining({ entityRef: 'resource:web/clicks' }),
    );
    await expect(registry.getReadable('clicks', alice)).rejects.toThrow(
      NotFoundError,
    );
  });

  it('lists every stream and the invalid entities, logging each problem once', async () => {
    const { registry, logger, advance } = setup({
      entities: [interactions, broken],
    });

    const listing = await registry.listAll();
    expect(listing.streams.map(s => s.name)).toEqual(['interactions']);
    expect(listing.invalid).toEqual([
      {
        entityRef: 'resource:default/broken',
        errors: [expect.stringMatching(/^realtime-insights\.io\/bucket: /)],
        owner: 'group:default/mobile',
        since: 1_000_000,
      },
    ]);

    advance(60_000);
    // Still the same errors: still invalid since they were first seen.
    expect((await registry.listAll()).invalid[0].since).toBe(1_000_000);
    const invalidLogs = logger.warn.mock.calls.filter(([m]) =>
      m.includes('resource:default/broken'),
    );
    expect(invalidLogs).toEqual([
      [
        expect.stringContaining(
          'Ignoring invalid stream entity resource:default/broken: realtime-insights.io/bucket: "Not_A_Bucket"',
        ),
      ],
    ]);
  });

  it('reuses the listing for the TTL, then asks the catalog again', async () => {
    const { registry, getEntities, advance } = setup({
      entities: [interactions],
      allowed: ['resource:default/interactions', 'resource:default/new'],
    });
    await registry.listReadable(alice);
    await Promise.all([registry.listAll(), registry.listReadable(alice)]);
    expect(getEntities).toHaveBeenCalledTimes(1);
    expect(getEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: { kind: 'Resource', 'spec.type': 'data-stream' },
      }),
      {
        credentials: expect.objectContaining({ principal: expect.anything() }),
      },
    );

    getEntities.mockResolvedValueOnce({
      items: [interactions, sensorStream('new', 'group:default/mobile')],
    });
    advance(30_000);
    expect((await registry.listReadable(alice)).map(s => s.name)).toEqual([
      'interactions',
      'new',
    ]);
    expect(getEntities).toHaveBeenCalledTimes(2);
  });

  it('asks the catalog once for concurrent callers', async () => {
    const { registry, getEntities } = setup({ entities: [interactions] });
    await Promise.all([
      registry.listAll(),
      registry.listAll(),
      registry.listReadable(alice),
    ]);
    expect(getEntities).toHaveBeenCalledTimes(1);
  });

  it('lists with its own service credentials, not the caller', async () => {
    const { registry, getEntities } = setup({ entities: [interactions] });
    await registry.listReadable(alice);
    const [, options] = getEntities.mock.calls[0];
    expect(options).toEqual({
      credentials: expect.objectContaining({
        principal: expect.objectContaining({ type: 'service' }),
      }),
    });
  });

  it('serves the last listing while the catalog fails, and fails without one', async () => {
    const { registry, getEntities, logger, advance } = setup({
      entities: [interactions],
    });
    await registry.listAll();
    getEntities.mockRejectedValueOnce(new Error('catalog down'));
    advance(31_000);
    expect((await registry.listAll()).streams).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('catalog down'),
    );

    const fresh = setup({ entities: [interactions] });
    fresh.getEntities.mockRejectedValueOnce(new Error('catalog down'));
    await expect(fresh.registry.listAll()).rejects.toThrow('catalog down');
  });

  it('refuses buckets and endpoints admins did not allow', async () => {
    const local = sensorStream('local', 'group:default/mobile', {
      [A.endpoint]: 'http://127.0.0.1:4569',
    });
    const elsewhere = sensorStream('elsewhere', 'group:default/mobile', {
      [A.endpoint]: 'http://169.254.169.254',
    });
    const { registry } = setup({
      entities: [interactions, payments, local, elsewhere],
      allowedBuckets: ['rti-interactions', 'rti-local', 'rti-elsewhere'],
      allowedEndpoints: ['http://127.0.0.1:4569'],
    });
    const { streams, invalid } = await registry.listAll();
    expect(streams.map(s => s.name)).toEqual(['interactions', 'local']);
    expect(invalid).toEqual([
      {
        entityRef: 'resource:default/elsewhere',
        owner: 'group:default/mobile',
        title: 'elsewhere',
        since: expect.any(Number),
        errors: [
          expect.stringMatching(
            /^realtime-insights\.io\/endpoint: "http:\/\/169\.254\.169\.254" is not an endpoint this portal may call/,
          ),
        ],
      },
      {
        entityRef: 'resource:default/transaction-logs',
        owner: 'group:default/payments',
        title: 'transaction-logs',
        since: expect.any(Number),
        errors: [
          expect.stringMatching(
            /^realtime-insights\.io\/bucket: "rti-transaction-logs" is not a bucket this portal reads/,
          ),
        ],
      },
    ]);
  });

  it('refuses every party of overlapping bucket prefixes', async () => {
    const thief = sensorStream('copy', 'group:default/other', {
      [A.bucket]: 'rti-transaction-logs',
      [A.prefix]: 'events/year=2026/',
    });
    const { registry } = setup({ entities: [payments, thief, interactions] });
    const { streams, invalid } = await registry.listAll();
    expect(streams.map(s => s.name)).toEqual(['interactions']);
    expect(invalid.map(i => i.entityRef).sort()).toEqual([
      'resource:default/copy',
      'resource:default/transaction-logs',
    ]);
    expect(invalid[0].errors[0]).toMatch(
      /^realtime-insights\.io\/prefix: s3:\/\/rti-transaction-logs\/.* overlaps .*; give each stream its own bucket or prefix$/,
    );
  });

  it('hides streams admins disabled from readers, not from admins', async () => {
    const { registry } = setup({
      entities: [interactions, payments],
      allowed: [
        'resource:default/interactions',
        'resource:default/transaction-logs',
      ],
      isEnabled: s => s.entityRef !== 'resource:default/transaction-logs',
    });
    expect((await registry.listReadable(alice)).map(s => s.name)).toEqual([
      'interactions',
    ]);
    await expect(
      registry.getReadable('transaction-logs', alice),
    ).rejects.toThrow(new NotFoundError("No stream named 'transaction-logs'"));
    expect((await registry.listAll()).streams.map(s => s.name)).toEqual([
      'interactions',
      'transaction-logs',
    ]);
  });
});
