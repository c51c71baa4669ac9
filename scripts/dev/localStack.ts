import fs from 'node:fs';
import path from 'node:path';
import S3rver from 's3rver';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import {
  FirehoseLocal,
  defaultStreamConfig,
  startFirehoseLocal,
} from '@internal/firehose-local';
import { Simulator, startSimulator } from '@internal/device-simulator';

/** Local S3 credentials; s3rver accepts exactly these. */
export const LOCAL_S3_CREDENTIALS = {
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
};

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
  fs.mkdirSync(s3Dir, { recursive: true });
  const buckets = [...DATA_CLASSES.map(c => `rti-${c}`), 'rti-raw-backup'];
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: options.s3Port,
    directory: s3Dir,
    silent: true,
    configureBuckets: buckets.map(name => ({ name, configs: [] })),
  });
  await s3.run();
  const s3Endpoint = `http://127.0.0.1:${options.s3Port}`;
  log(`S3 (s3rver) on ${s3Endpoint}, data in ${s3Dir}`);

  const logger = {
    info: (msg: string) => log(`firehose: ${msg}`),
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

  return {
    s3Endpoint,
    firehose,
    simulator,
    async stop() {
      await simulator?.stop();
      await firehose.stop();
      await s3.close();
    },
  };
}
