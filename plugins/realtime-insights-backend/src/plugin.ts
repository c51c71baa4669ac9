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
import os from 'node:os';
import { readRealtimeInsightsConfig } from './config';
import { migrateDatabase } from './database';
import { createRouter, toEngineStream } from './router';
import {
  ObjectStore,
  S3ObjectStore,
  createS3Client,
} from './services/ObjectStore';
import {
  engineSettingsOf,
  EngineStream,
  QueryEngine,
} from './services/QueryEngine';
import { ObjectWorkerPool } from './services/ObjectWorkers';
import { CatalogStreamRegistry } from './services/StreamRegistry';
import {
  DatabaseSettingsService,
  SettingsService,
  scheduleFollowingSetting,
  streamEntityRef,
} from './services/Settings';
import { CACHE_KEY_PREFIX, createSummaryCache } from './services/SummaryCache';
import { HealthService } from './services/Health';
import { createAdminRouter } from './routes/adminRouter';
import {
  REPORT_COOKIE_PATHS,
  REPORT_SHARED_PATH,
  createReportsRouter,
} from './routes/reportsRouter';
import {
  ReportExporter,
  ReportFiles,
  ReportJobRunner,
  ReportService,
  ReportStore,
} from './services/Reports';

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

        // --- settings: app-config defaults, admins' overrides in the database ---
        // Every replica re-reads the overrides every few seconds: a change
        // is in effect everywhere without a restart.
        const settingsService = await DatabaseSettingsService.create({
          db,
          defaults,
          logger,
        });
        settingsService.start();
        lifecycle.addShutdownHook(() => settingsService.stop());
        const settings: SettingsService = settingsService;
        // --- end settings ---

        const cache = await createSummaryCache(defaults.cache, logger);
        lifecycle.addShutdownHook(() => cache.close());

        // One S3 client per endpoint/region a stream names; the default from config.
        const stores = new Map<string, ObjectStore>();
        const storeFor = (
          stream: Pick<EngineStream, 'region' | 'endpoint'>,
        ) => {
          const s3 = {
            ...defaults.s3,
            ...(stream.region ? { region: stream.region } : {}),
            ...(stream.endpoint ? { endpoint: stream.endpoint } : {}),
          };
          const id = `${s3.endpoint ?? ''}|${s3.region}`;
          let store = stores.get(id);
          if (!store) {
            store = new S3ObjectStore(createS3Client(s3), { logger });
            stores.set(id, store);
          }
          return store;
        };

        // Objects are gunzipped and read on worker threads: every core
        // works on a cold query or an export, and this thread stays free
        // for requests.
        const workers = new ObjectWorkerPool({
          threads:
            defaults.workers.threads ?? Math.min(os.availableParallelism(), 4),
          native: defaults.workers.native,
          logger,
        });
        void workers.warmUp();
        lifecycle.addShutdownHook(() => workers.close());

        const engineSettings = () => engineSettingsOf(settings.current());
        const engine = new QueryEngine({
          storeFor,
          cache,
          logger,
          settings: engineSettings,
          summarisers: workers,
          cacheEnabled: stream =>
            settings.stream(streamEntityRef(stream.name)).cacheEnabled,
        });
        const streams = CatalogStreamRegistry.create({
          catalog: deps.catalog,
          permissions: deps.permissions,
          auth: deps.auth,
          logger,
          allowedBuckets: defaults.catalog.allowedBuckets,
          allowedEndpoints: defaults.catalog.allowedEndpoints,
          isEnabled: stream => settings.stream(stream.entityRef).enabled,
        });

        // Follow the open hour of every stream on one replica: summarise new
        // objects as they land and nudge open charts to re-fetch. How often
        // is a setting admins change without a restart.
        const follower = await scheduleFollowingSetting({
          scheduler,
          settings: settingsService,
          logger,
          frequencySeconds: current => current.live.followIntervalSeconds,
          task: {
            id: 'realtime-insights-follow-open-hours',
            timeout: { minutes: 2 },
            initialDelay: { seconds: 3 },
            scope: 'global',
            fn: async () => {
              const { streams: all } = await streams.listAll();
              for (const stream of all) {
                if (!settings.stream(stream.entityRef).enabled) continue;
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
                  logger.warn(
                    `Following stream ${stream.name} failed: ${error}`,
                  );
                }
              }
            },
          },
        });
        lifecycle.addShutdownHook(() => follower.stop());

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
        // Report files go to their own bucket, reached like the default S3.
        const reportFiles = new ReportFiles(createS3Client(defaults.s3), () => {
          const { bucket, kmsKeyId } = settings.current().reports.s3;
          return { bucket, kmsKeyId };
        });
        const reportStore = new ReportStore(db);
        const reportExporter = new ReportExporter({
          engine,
          storeFor,
          cache,
          settings: () => settings.current(),
          logger,
          cacheEnabled: stream =>
            settings.stream(streamEntityRef(stream.name)).cacheEnabled,
          rowsSource: workers,
        });
        const reportRunner = new ReportJobRunner({
          store: reportStore,
          exporter: reportExporter,
          files: reportFiles,
          streamFor: async name => {
            const found = (await streams.listAll()).streams.find(
              s => s.name === name,
            );
            return (
              found && {
                ...toEngineStream(found),
                enabled: settings.stream(found.entityRef).enabled,
              }
            );
          },
          settings: () => settings.current(),
          logger,
        });
        // Jobs run on one replica at a time; each job is claimed in the
        // database as well, so a job never runs twice. How often queued
        // jobs are looked for is a setting admins change without a restart.
        const reportJobsTask = 'realtime-insights-report-jobs';
        const reportJobs = await scheduleFollowingSetting({
          scheduler,
          settings: settingsService,
          logger,
          frequencySeconds: current => current.reports.jobs.pollIntervalSeconds,
          task: {
            id: reportJobsTask,
            timeout: { minutes: defaults.reports.jobs.timeoutMinutes + 5 },
            initialDelay: { seconds: 5 },
            scope: 'global',
            fn: async signal => {
              await reportRunner.runQueued(signal);
            },
          },
        });
        lifecycle.addShutdownHook(() => reportJobs.stop());
        await scheduler.scheduleTask({
          id: 'realtime-insights-report-expiry',
          frequency: { minutes: 15 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 1 },
          scope: 'global',
          fn: async () => {
            const removed = await reportRunner.removeExpired();
            if (removed > 0) logger.info(`Deleted ${removed} expired reports`);
          },
        });
        const reportService = new ReportService({
          store: reportStore,
          exporter: reportExporter,
          files: reportFiles,
          readableStream: async (name, credentials) =>
            toEngineStream(await streams.getReadable(name, credentials)),
          permissions: deps.permissions,
          settings: () => settings.current(),
          // A new job starts now, unless the runner is busy (it looks again).
          wake: () => {
            scheduler.triggerTask(reportJobsTask).catch(() => {});
          },
          logger,
        });
        for (const path of REPORT_COOKIE_PATHS) {
          httpRouter.addAuthPolicy({ path, allow: 'user-cookie' });
        }
        httpRouter.addAuthPolicy({
          path: REPORT_SHARED_PATH,
          allow: 'unauthenticated',
        });
        httpRouter.use(
          await createReportsRouter({
            httpAuth,
            auditor: deps.auditor,
            reports: reportService,
            logger,
          }),
        );
        // --- end reports ---

        // --- admin and health (issue #8) ---
        const health = new HealthService({
          streams,
          engine,
          cache,
          storeFor,
          engineStream: toEngineStream,
          streamSettings: entityRef => settings.stream(entityRef),
          fallbackBuckets: defaults.catalog.allowedBuckets,
          logger,
        });
        // A flush on any replica: drop what this one holds in memory too
        // (the shared Redis was flushed by the replica that was asked).
        const forgetFlushed = async (entityRef?: string) => {
          const inProcess = cache.describe().kind === 'memory';
          if (!entityRef) {
            engine.forget();
            if (inProcess) await cache.deleteByPrefix([CACHE_KEY_PREFIX]);
            return;
          }
          const flushed = (await streams.listAll()).streams.find(
            s => s.entityRef === entityRef,
          );
          if (!flushed) return;
          if (inProcess) await engine.flushStream(toEngineStream(flushed));
          else engine.forget(toEngineStream(flushed));
        };
        settingsService.onChange(change => {
          if (change.type !== 'flush') return;
          forgetFlushed(change.entityRef).catch(error =>
            logger.warn(`Could not drop flushed cache entries: ${error}`),
          );
        });
        // Kubernetes probes and load balancers call it without a token.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        httpRouter.use(
          await createAdminRouter({
            httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            settings: settingsService,
            streams,
            engine,
            cache,
            health,
            engineStream: toEngineStream,
          }),
        );
        // --- end admin and health ---
      },
    });
  },
});
