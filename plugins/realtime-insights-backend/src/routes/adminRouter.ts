import {
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AdminStream,
  AdminStreamsResponse,
  CacheFlushResponse,
  StreamDefinition,
  cacheFlushSchema,
  realtimeInsightsAdminPermission,
  settingsUpdateSchema,
  streamSettingsUpdateSchema,
} from '@internal/plugin-realtime-insights-common';
import express from 'express';
import Router from 'express-promise-router';
import { audited } from './audited';
import { parseBody } from './validation';
import { HealthService } from '../services/Health';
import { EngineStream, QueryEngine } from '../services/QueryEngine';
import { DatabaseSettingsService } from '../services/Settings';
import { StreamRegistry } from '../services/StreamRegistry';
import { CACHE_KEY_PREFIX, SummaryCache } from '../services/SummaryCache';

export type AdminRouterOptions = {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  settings: DatabaseSettingsService;
  streams: StreamRegistry;
  engine: Pick<QueryEngine, 'flushStream' | 'forget'>;
  cache: SummaryCache;
  health: Pick<HealthService, 'probe' | 'view'>;
  engineStream: (stream: StreamDefinition) => EngineStream;
};

/**
 * The admin routes (`/admin/*`: settings, streams, cache, health; every one
 * for signed-in users holding `realtime-insights.admin`, every change
 * audited) and the unauthenticated `/health` probe.
 */
export async function createAdminRouter(
  options: AdminRouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, auditor, settings, streams, engine, cache } =
    options;
  const router = Router();

  // For probes: no credentials, and nothing in the answer but states.
  router.get('/health', async (_req, res) => {
    const { status, body } = await options.health.probe();
    res.status(status).json(body);
  });

  const admins = Router();
  router.use('/admin', admins);

  // Everything below needs a user holding the admin permission.
  admins.use(async (req, res, next) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize(
      [{ permission: realtimeInsightsAdminPermission }],
      { credentials },
    );
    if (decision?.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        'Administering Real-time Insights needs the realtime-insights.admin permission',
      );
    }
    res.locals.credentials = credentials;
    next();
  });
  // Bodies are parsed only for admins, and only below /admin.
  admins.use(express.json({ limit: '64kb' }));

  const actorOf = (res: express.Response) =>
    (res.locals.credentials as BackstageCredentials<BackstageUserPrincipal>)
      .principal.userEntityRef;

  admins.get('/settings', async (_req, res) => {
    res.json(settings.describe());
  });

  admins.patch('/settings', async (req, res) => {
    const body = parseBody(settingsUpdateSchema, req.body);
    await audited(
      auditor,
      {
        eventId: 'settings-update',
        severityLevel: 'medium',
        request: req,
        meta: { changes: body.changes },
      },
      async () => {
        const { before, after } = await settings.update(body.changes, {
          actor: actorOf(res),
          revision: body.revision,
        });
        return { result: undefined, meta: { before, after } };
      },
    );
    res.json(settings.describe());
  });

  const adminStreams = async (): Promise<AdminStream[]> => {
    const { streams: valid, invalid } = await streams.listAll();
    const stored = settings.storedStreams();
    const common = (entityRef: string) => {
      const s = stored.get(entityRef);
      return {
        entityRef,
        enabled: s?.enabled ?? true,
        cacheEnabled: s?.cacheEnabled ?? true,
        ...(s
          ? {
              updatedAt: new Date(s.updatedAt).toISOString(),
              ...(s.updatedBy ? { updatedBy: s.updatedBy } : {}),
            }
          : {}),
      };
    };
    return [
      ...valid.map(
        (s): AdminStream => ({
          ...common(s.entityRef),
          name: s.name,
          title: s.title,
          owner: s.owner,
          bucket: s.bucket,
          prefix: s.prefix,
          valid: true,
          errors: [],
        }),
      ),
      ...invalid.map(
        (s): AdminStream => ({
          ...common(s.entityRef),
          ...(s.title ? { title: s.title } : {}),
          ...(s.owner ? { owner: s.owner } : {}),
          valid: false,
          errors: s.errors,
          ...(s.since ? { invalidSince: new Date(s.since).toISOString() } : {}),
        }),
      ),
    ].sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  };

  admins.get('/streams', async (_req, res) => {
    const body: AdminStreamsResponse = { items: await adminStreams() };
    res.json(body);
  });

  admins.patch('/streams/:entityRef', async (req, res) => {
    const { entityRef } = req.params;
    const update = parseBody(streamSettingsUpdateSchema, req.body);
    const known = (await adminStreams()).some(s => s.entityRef === entityRef);
    if (!known) {
      throw new NotFoundError(`No stream entity '${entityRef}'`);
    }
    await audited(
      auditor,
      {
        eventId: 'stream-settings-update',
        severityLevel: 'medium',
        request: req,
        meta: { entityRef, update },
      },
      async () => {
        const { before, after } = await settings.updateStream(
          entityRef,
          update,
          { actor: actorOf(res) },
        );
        return { result: undefined, meta: { entityRef, before, after } };
      },
    );
    const item = (await adminStreams()).find(s => s.entityRef === entityRef);
    res.json(item);
  });

  admins.get('/cache', async (_req, res) => {
    res.json(await cache.stats());
  });

  admins.post('/cache/flush', async (req, res) => {
    const body = parseBody(cacheFlushSchema, req.body);
    const actor = actorOf(res);
    let deleted: number;
    if ('stream' in body) {
      const stream = (await streams.listAll()).streams.find(
        s => s.entityRef === body.stream,
      );
      if (!stream) {
        throw new NotFoundError(`No stream entity '${body.stream}'`);
      }
      deleted = await audited(
        auditor,
        {
          eventId: 'cache-flush',
          severityLevel: 'medium',
          request: req,
          meta: { scope: 'stream', entityRef: stream.entityRef },
        },
        async () => {
          const n = await engine.flushStream(options.engineStream(stream));
          await settings.recordFlush(stream.entityRef, { actor });
          return {
            result: n,
            meta: { scope: 'stream', entityRef: stream.entityRef, deleted: n },
          };
        },
      );
    } else {
      deleted = await audited(
        auditor,
        {
          eventId: 'cache-flush',
          severityLevel: 'high',
          request: req,
          meta: { scope: 'all' },
        },
        async () => {
          const n = await cache.deleteByPrefix([CACHE_KEY_PREFIX]);
          engine.forget();
          await settings.recordFlush(undefined, { actor });
          return { result: n, meta: { scope: 'all', deleted: n } };
        },
      );
    }
    const response: CacheFlushResponse = { deleted };
    res.json(response);
  });

  admins.get('/health', async (_req, res) => {
    res.json(await options.health.view());
  });

  return router;
}
