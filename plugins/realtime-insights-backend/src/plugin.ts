import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { readRealtimeInsightsConfig } from './config';
import { createRouter } from './router';
import { S3ObjectStore, createS3Client } from './services/ObjectStore';
import { RecordCountService } from './services/RecordCounts';
import { createSummaryCache } from './services/SummaryCache';

/**
 * Real-time Insights backend plugin: insight queries over the Firehose
 * objects in S3, read through a Redis (or in-process) summary cache.
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
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
      },
      async init({ config, logger, httpAuth, httpRouter, lifecycle }) {
        const settings = readRealtimeInsightsConfig(config);
        const cache = await createSummaryCache(settings.cache, logger);
        lifecycle.addShutdownHook(() => cache.close());

        const recordCounts = new RecordCountService({
          store: new S3ObjectStore(createS3Client(settings.s3)),
          cache,
          logger,
          config: settings,
        });
        if (settings.streams.length === 0) {
          logger.warn('No streams configured under realtimeInsights.streams');
        }
        httpRouter.use(
          await createRouter({
            httpAuth,
            streams: settings.streams,
            recordCounts,
            maxRangeHours: settings.query.maxRangeHours,
          }),
        );
      },
    });
  },
});
