import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  realtimeInsightsPermissions,
  streamSignalChannel,
} from '@internal/plugin-realtime-insights-common';
import { readRealtimeInsightsConfig } from './config';
import { migrateDatabase } from './database';
import { createRouter, toEngineStream } from './router';
import {
  ObjectStore,
  S3ObjectStore,
  createS3Client,
} from './services/ObjectStore';
import {
  EngineSettings,
  EngineStream,
  QueryEngine,
} from './services/QueryEngine';
import { CatalogStreamRegistry } from './services/StreamRegistry';
import { SettingsService, StaticSettingsService } from './services/Settings';
import { createSummaryCache } from './services/SummaryCache';

/**
 * Real-time Insights backend plugin: insight queries over the Firehose
 * objects of the streams registered in the catalog, read through a Redis
 * (or in-process) summary cache, with live nudges over signals.
 *
 * @public
 */
export const realtimeInsightsPlugin = createBackendPlugin({
  pluginId: 'realtime-insights',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        database: coreServices.database,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        signals: signalsServiceRef,
      },
      async init(deps) {
        const {
          config,
          logger,
          httpAuth,
          httpRouter,
          lifecycle,
          scheduler,
          signals,
        } = deps;
        const defaults = readRealtimeInsightsConfig(config);
        deps.permissionsRegistry.addPermissions(realtimeInsightsPermissions);
        const db = await migrateDatabase(deps.database);
        void db; // used by the reports and settings stores below

        // --- settings: app-config defaults (admins' overrides: issue #8) ---
        const settingsService: SettingsService = new StaticSettingsService(
          defaults,
        );
        const settings = settingsService;
        // --- end settings ---

        const cache = await createSummaryCache(defaults.cache, logger);
        lifecycle.addShutdownHook(() => cache.close());

        // One S3 client per endpoint/region a stream names; the default from config.
        const stores = new Map<string, ObjectStore>();
        const storeFor = (stream: EngineStream) => {
          const s3 = {
            ...defaults.s3,
            ...(stream.region ? { region: stream.region } : {}),
            ...(stream.endpoint ? { endpoint: stream.endpoint } : {}),
          };
          const id = `${s3.endpoint ?? ''}|${s3.region}`;
          let store = stores.get(id);
          if (!store) {
            store = new S3ObjectStore(createS3Client(s3));
            stores.set(id, store);
          }
          return store;
        };

        const engineSettings = (): EngineSettings => {
          const { s3, cache: c, query } = settings.current();
          return {
            maxConcurrency: s3.maxConcurrency,
            cacheTtlSeconds: c.ttlSeconds,
            latenessMinutes: query.latenessMinutes,
            settleMinutes: query.hourClosesAfterMinutes,
            maxBuckets: query.maxBuckets,
            maxPageSize: query.maxPageSize,
            defaultPageSize: query.defaultPageSize,
            maxObjectsPerPage: query.maxObjectsPerPage,
          };
        };
        const engine = new QueryEngine({
          storeFor,
          cache,
          logger,
          settings: engineSettings,
        });
        const streams = CatalogStreamRegistry.create({
          catalog: deps.catalog,
          permissions: deps.permissions,
          auth: deps.auth,
          logger,
          allowedBuckets: defaults.catalog.allowedBuckets,
          allowedEndpoints: defaults.catalog.allowedEndpoints,
        });

        // Follow the open hour of every stream on one replica: summarise new
        // objects as they land and nudge open charts to re-fetch.
        await scheduler.scheduleTask({
          id: 'realtime-insights-follow-open-hours',
          frequency: { seconds: defaults.live.followIntervalSeconds },
          timeout: { minutes: 2 },
          initialDelay: { seconds: 3 },
          scope: 'global',
          fn: async () => {
            const { streams: all } = await streams.listAll();
            for (const stream of all) {
              try {
                const landed = await engine.warm(toEngineStream(stream));
                if (landed > 0) {
                  await signals.publish({
                    recipients: { type: 'broadcast' },
                    channel: streamSignalChannel(stream.name),
                    message: { objects: landed },
                  });
                }
              } catch (error) {
                logger.warn(`Following stream ${stream.name} failed: ${error}`);
              }
            }
          },
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            streams,
            engine,
            limits: () => ({
              maxRangeHours: settings.current().query.maxRangeHours,
              maxBuckets: settings.current().query.maxBuckets,
            }),
          }),
        );

        // --- reports (issue #6) ---
        // --- end reports ---

        // --- admin and health (issue #8) ---
        // --- end admin and health ---
      },
    });
  },
});
