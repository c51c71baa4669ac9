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
        const settings = readRealtimeInsightsConfig(config);
        deps.permissionsRegistry.addPermissions(realtimeInsightsPermissions);

        const cache = await createSummaryCache(settings.cache, logger);
        lifecycle.addShutdownHook(() => cache.close());

        // One S3 client per endpoint/region a stream names; the default from config.
        const stores = new Map<string, ObjectStore>();
        const storeFor = (stream: EngineStream) => {
          const s3 = {
            ...settings.s3,
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

        const engineSettings = (): EngineSettings => ({
          maxConcurrency: settings.s3.maxConcurrency,
          cacheTtlSeconds: settings.cache.ttlSeconds,
          latenessMinutes: settings.query.latenessMinutes,
          settleMinutes: settings.query.hourClosesAfterMinutes,
          maxBuckets: settings.query.maxBuckets,
          maxPageSize: settings.query.maxPageSize,
          defaultPageSize: settings.query.defaultPageSize,
          maxObjectsPerPage: settings.query.maxObjectsPerPage,
        });
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
          allowedBuckets: settings.catalog.allowedBuckets,
          allowedEndpoints: settings.catalog.allowedEndpoints,
        });

        // Follow the open hour of every stream on one replica: summarise new
        // objects as they land and nudge open charts to re-fetch.
        await scheduler.scheduleTask({
          id: 'realtime-insights-follow-open-hours',
          frequency: { seconds: settings.live.followIntervalSeconds },
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
              maxRangeHours: settings.query.maxRangeHours,
              maxBuckets: settings.query.maxBuckets,
            }),
          }),
        );
      },
    });
  },
});
