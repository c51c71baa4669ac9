import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { FirehoseLocalConfig, parseFirehoseLocalConfig } from './config';
import {
  BuildObjectBodies,
  DeliveryStream,
  MemoryBudget,
  RecordTransform,
} from './deliveryStream';
import { DeliveryWorker } from './deliveryWorker';
import { FirehoseApiError, firehoseRequestListener } from './firehoseApi';
import { Logger, silentLogger } from './logger';
import { ObjectStore, S3ObjectStore } from './objectStore';
import { buildObjectBodies } from './objectBodies';
import { LoggedRecord, WriteAheadLog } from './writeAheadLog';

/** A running firehose-local server. */
export interface FirehoseLocal {
  /** Endpoint for `FirehoseClient`, e.g. `http://127.0.0.1:4573`. */
  url: string;
  port: number;
  /** Delivers everything buffered now; resolves once it is in S3. */
  flush(): Promise<void>;
  /** Records in/out/failed/dropped per stream, buffered bytes, latency. */
  metrics(): FirehoseLocalMetrics;
  /** Stops taking requests, flushes, closes the server and the WAL. */
  stop(): Promise<void>;
}

/** Counters of one delivery stream. */
export type DeliveryStreamMetrics = ReturnType<DeliveryStream['metrics']>;

/** What `metrics()` and the health endpoint report. */
export type FirehoseLocalMetrics = {
  uptimeSeconds: number;
  requests: {
    total: number;
    throttled: number;
    clientErrors: number;
    serverErrors: number;
  };
  memory: { bufferedBytes: number; limitBytes: number };
  wal: ReturnType<WriteAheadLog['stats']>;
  streams: Record<string, DeliveryStreamMetrics>;
};

/** Options of {@link startFirehoseLocal}. */
export type StartFirehoseLocalOptions = {
  config: FirehoseLocalConfig;
  logger?: Logger;
  /** Replaces S3 (tests). */
  objectStore?: ObjectStore;
  /**
   * Replaces the record transform (tests); objects are then built
   * in-process instead of in the delivery worker.
   */
  recordTransform?: RecordTransform;
  /** Largest write-ahead log segment before it is rotated. */
  maxWalSegmentBytes?: number;
};

/** A server with the test hook that simulates a crash. */
export interface FirehoseLocalWithTestHooks extends FirehoseLocal {
  /**
   * Simulates a killed process: drops connections, forgets buffers, stops
   * writing the WAL, without flushing. Acknowledged records must survive.
   */
  crash(): Promise<void>;
}

// Opaque and unique, like the service's (which are long base64 strings):
// 36 random bytes each, drawn from a pool (one system call per 1,024 ids
// instead of one per record).
const RECORD_ID_BYTES = 36;
let recordIdPool = Buffer.alloc(0);
let recordIdOffset = 0;
function newRecordId() {
  if (recordIdOffset + RECORD_ID_BYTES > recordIdPool.length) {
    recordIdPool = randomBytes(RECORD_ID_BYTES * 1024);
    recordIdOffset = 0;
  }
  const id = recordIdPool.toString(
    'base64url',
    recordIdOffset,
    recordIdOffset + RECORD_ID_BYTES,
  );
  recordIdOffset += RECORD_ID_BYTES;
  return id;
}

/** Starts a local, Firehose-API-compatible delivery server. */
export async function startFirehoseLocal(
  options: StartFirehoseLocalOptions,
): Promise<FirehoseLocal> {
  return startFirehoseLocalWithTestHooks(options);
}

/** {@link startFirehoseLocal}, plus `crash()` for durability tests. */
export async function startFirehoseLocalWithTestHooks(
  options: StartFirehoseLocalOptions,
): Promise<FirehoseLocalWithTestHooks> {
  const config = parseFirehoseLocalConfig(options.config);
  const logger = options.logger ?? silentLogger;
  const s3Store = options.objectStore
    ? undefined
    : new S3ObjectStore(config.s3, config.region);
  const store = options.objectStore ?? s3Store!;
  const memory = new MemoryBudget(config.maxBufferedMBs * 1024 * 1024);
  const { wal, replayed } = await WriteAheadLog.open({
    dir: config.walDir,
    logger,
    maxSegmentBytes: options.maxWalSegmentBytes,
  });

  const streams = new Map<string, DeliveryStream>();
  const deliveryWorker = options.recordTransform
    ? undefined
    : new DeliveryWorker();
  // Started now, so loading the transform does not delay the first delivery.
  deliveryWorker?.start();
  const { recordTransform } = options;
  const buildBodies: BuildObjectBodies = recordTransform
    ? (records, bodyOptions) =>
        buildObjectBodies(
          records,
          bodyOptions,
          recordTransform,
          promisify(gzip),
        )
    : (records, bodyOptions) => deliveryWorker!.build(records, bodyOptions);
  for (const streamConfig of config.streams) {
    streams.set(
      streamConfig.name,
      new DeliveryStream(streamConfig, {
        store,
        wal,
        logger,
        region: config.region,
        accountId: config.accountId,
        retry: config.delivery,
        memory,
        buildBodies,
      }),
    );
  }

  // Deliver what an earlier run acknowledged but never delivered.
  const replayedByStream = new Map<string, LoggedRecord[]>();
  for (const record of replayed) {
    const list = replayedByStream.get(record.stream) ?? [];
    list.push(record);
    replayedByStream.set(record.stream, list);
  }
  for (const [name, records] of replayedByStream) {
    const stream = streams.get(name);
    if (!stream) {
      // Kept in the WAL (never released) until the stream is configured again.
      logger.warn(
        'write-ahead log holds records of an unknown stream; keeping them',
        {
          stream: name,
          records: records.length,
        },
      );
      continue;
    }
    memory.forceReserve(records.reduce((n, r) => n + r.data.length, 0));
    stream.add(records, { replayed: true });
    void stream.flush();
  }

  const startedAt = Date.now();
  const requests = {
    total: 0,
    throttled: 0,
    clientErrors: 0,
    serverErrors: 0,
  };
  let state: 'running' | 'stopping' | 'stopped' = 'running';

  const metrics = (): FirehoseLocalMetrics => ({
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    requests: { ...requests },
    memory: { bufferedBytes: memory.used, limitBytes: memory.limit },
    wal: wal.stats(),
    streams: Object.fromEntries(
      [...streams.values()].map(s => [s.name, s.metrics()]),
    ),
  });

  const inFlight = new Set<Promise<unknown>>();
  const listener = firehoseRequestListener({
    config,
    streams,
    logger,
    health: () => ({
      status: state === 'running' ? 'ok' : state,
      ...metrics(),
    }),
    count(event) {
      if (event === 'request') requests.total++;
      else if (event === 'throttled') requests.throttled++;
      else if (event === 'clientError') requests.clientErrors++;
      else requests.serverErrors++;
    },
    async accept(stream, data) {
      if (state !== 'running') {
        throw new FirehoseApiError(
          'ServiceUnavailableException',
          'The server is shutting down.',
          503,
        );
      }
      const bytes = data.reduce((n, d) => n + d.length, 0);
      if (!memory.tryReserve(bytes)) {
        // Backpressure: the SDK retries 503s with backoff.
        throw new FirehoseApiError(
          'ServiceUnavailableException',
          'Slow down.',
          503,
        );
      }
      const arrival = Date.now();
      const records: LoggedRecord[] = data.map(d => ({
        stream: stream.name,
        recordId: newRecordId(),
        arrival,
        data: d,
        segment: 0,
      }));
      try {
        const segment = await wal.append(records);
        for (const record of records) record.segment = segment;
      } catch (error) {
        memory.release(bytes);
        logger.error('could not persist records', { error: String(error) });
        throw new FirehoseApiError(
          'ServiceUnavailableException',
          'Records could not be persisted; retry later.',
          503,
        );
      }
      stream.add(records);
      return records.map(r => r.recordId);
    },
  });

  const server = createServer((req, res) => {
    const handled = listener(req, res);
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Not started: give back the worker thread and the log's lock.
    for (const stream of streams.values()) stream.crash();
    await deliveryWorker?.close();
    await wal.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info('firehose-local listening', {
    url,
    streams: [...streams.keys()],
    walDir: config.walDir,
    s3Endpoint: options.objectStore
      ? 'custom object store'
      : config.s3.endpoint ?? 'AWS S3 (no endpoint configured)',
    replayedRecords: replayed.length,
  });

  const closeServer = () =>
    new Promise<void>(resolve => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });

  return {
    url,
    port,
    metrics,
    async flush() {
      await Promise.all([...streams.values()].map(s => s.flush()));
    },
    async stop() {
      if (state !== 'running') return;
      state = 'stopping';
      const closed = closeServer();
      // Requests already inside get their answer (their records are in the WAL).
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
      await Promise.all([...streams.values()].map(s => s.stop()));
      await wal.close();
      await deliveryWorker?.close();
      s3Store?.destroy();
      state = 'stopped';
      logger.info('firehose-local stopped', { wal: wal.stats() });
    },
    async crash() {
      if (state !== 'running') return;
      state = 'stopped';
      server.closeAllConnections();
      const closed = closeServer();
      for (const stream of streams.values()) stream.crash();
      wal.abandon();
      await closed;
      await deliveryWorker?.close();
      s3Store?.destroy();
    },
  };
}
