import path from 'node:path';
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from '@internal/local-s3';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import {
  FirehoseLocal,
  defaultStreamConfig,
  startFirehoseLocal,
} from '@internal/firehose-local';
import { Simulator, startSimulator } from '@internal/device-simulator';

export type LocalStackOptions = {
  /** Where S3 objects and the Firehose WAL live. */
  dataDir: string;
  s3Port: number;
  firehosePort: number;
  /** Simulated devices; 0 starts no simulator. */
  devices: number;
  /** Firehose buffering interval, seconds. */
  bufferIntervalSeconds: number;
  badRate?: number;
  /** Seconds between status lines. Default 30. */
  statusIntervalSeconds?: number;
  log?: (message: string) => void;
};

export type LocalStack = {
  s3Endpoint: string;
  firehose: FirehoseLocal;
  simulator?: Simulator;
  stop(): Promise<void>;
};

/**
 * The data platform on loopback: an S3-compatible server, the local
 * Firehose (with the record transform in-process) and simulated devices
 * sending through the real AWS SDK client.
 */
export async function startLocalStack(
  options: LocalStackOptions,
): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const s3Dir = path.join(options.dataDir, 's3');
  const s3 = await startLocalS3({
    buckets: [
      ...DATA_CLASSES.map(c => `rti-${c}`),
      'rti-raw-backup',
      // Report files (realtimeInsights.reports.s3.bucket in app-config.yaml).
      'rti-reports',
    ],
    port: options.s3Port,
    directory: s3Dir,
  });
  const s3Endpoint = s3.endpoint;
  log(`S3 (s3rver) on ${s3Endpoint}, data in ${s3Dir}`);

  const logger = {
    info: (msg: string) => log(`firehose: ${msg}`),
    // debug (one line per delivered object) is left out on purpose.
    warn: (msg: string) => log(`firehose warning: ${msg}`),
    error: (msg: string) => log(`firehose error: ${msg}`),
  };
  const firehose = await startFirehoseLocal({
    config: {
      port: options.firehosePort,
      walDir: path.join(options.dataDir, 'firehose-wal'),
      s3: {
        endpoint: s3Endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: LOCAL_S3_CREDENTIALS,
      },
      streams: DATA_CLASSES.map(c =>
        defaultStreamConfig(c, {
          bufferingHints: {
            sizeInMBs: 1,
            intervalInSeconds: options.bufferIntervalSeconds,
          },
        }),
      ),
    },
    logger,
  });
  log(`Firehose (local) on ${firehose.url}`);

  let simulator: Simulator | undefined;
  if (options.devices > 0) {
    simulator = await startSimulator({
      endpoint: firehose.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      devices: options.devices,
      badRate: options.badRate ?? 0,
      logger: {
        info: (msg: string) => log(`devices: ${msg}`),
        warn: (msg: string) => log(`devices warning: ${msg}`),
        error: (msg: string) => log(`devices error: ${msg}`),
      },
    });
    log(`${options.devices} simulated devices sending to all three streams`);
  }

  // One status line now and then instead of a log line per delivery.
  let last = { acked: 0, delivered: 0 };
  const status = setInterval(() => {
    const streams = Object.values(firehose.metrics().streams);
    const delivered = streams.reduce((n, s) => n + s.recordsDelivered, 0);
    const failed = streams.reduce((n, s) => n + s.recordsProcessingFailed, 0);
    const acked = simulator?.stats().acked ?? 0;
    log(
      `last ${options.statusIntervalSeconds ?? 30} s: devices sent ${
        acked - last.acked
      } records, ` +
        `Firehose delivered ${
          delivered - last.delivered
        } to S3 (${failed} failed in total, kept under errors/)`,
    );
    last = { acked, delivered };
  }, (options.statusIntervalSeconds ?? 30) * 1000);
  status.unref();

  return {
    s3Endpoint,
    firehose,
    simulator,
    async stop() {
      clearInterval(status);
      await simulator?.stop();
      await firehose.stop();
      await s3.stop();
    },
  };
}
