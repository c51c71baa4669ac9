/*
 * `npm run bench:query`: a day of transaction-log objects (Firehose layout,
 * GZIP NDJSON) in a local S3 server, then, in one run:
 *  - cold query throughput (MiB/s of NDJSON) of the engine for a 24 h time
 *    series, against raw JSON.parse of the same bytes fetched the same way;
 *  - the engine and DuckDB on the same files on local disk, taking turns
 *    (`--runs`, medians compared), and the floor of a JavaScript reader
 *    here: Node's gunzip + the in-place field scan, nothing else;
 *  - warm latency p50/p99 of the same query at N concurrent clients, with
 *    the summaries in the real Redis;
 *  - peak RSS.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  createLocalS3Client,
  startS3Child,
  stopChild,
} from '@internal/local-s3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { S3ObjectStore } from '../src/services/ObjectStore';
import {
  decompressedWhole,
  releaseViews,
} from '../src/services/events/decompressedChunks';
import { EventLine } from '../src/services/events/EventLine';
import { LineSplitter } from '../src/services/events/LineSplitter';
import {
  defaultEngineSettings,
  QueryEngine,
  hourPrefix,
} from '../src/services/QueryEngine';
import { mapWithConcurrency } from '../src/services/QueryEngine/mapWithConcurrency';
import { summaryFields } from '../src/services/QueryEngine/summariseObject';
import { ObjectWorkerPool } from '../src/services/ObjectWorkers';
import {
  MemorySummaryCache,
  RedisSummaryCache,
} from '../src/services/SummaryCache';
import { compileObjectWorker, compiledWorkers } from './compiled';
import { FileObjectStore } from './FileObjectStore';
import {
  CURRENCIES,
  DAY_START,
  MiB,
  benchLogger,
  transactionLogStream,
} from './transactionLogs';

const { values: flags } = parseArgs({
  options: {
    hours: { type: 'string', default: '24' },
    'objects-per-hour': { type: 'string', default: '60' },
    events: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    runs: { type: 'string', default: '5' },
  },
});
const HOURS = Number(flags.hours);
const OBJECTS_PER_HOUR = Number(flags['objects-per-hour']);
const EVENTS = Number(flags.events);
const CLIENTS = Number(flags.clients);
const SECONDS = Number(flags.seconds);
const THREADS = Number(flags.threads);
const RUNS = Number(flags.runs);
const BUCKET = 'rti-bench-transaction-logs';
const NOW = DAY_START + (HOURS + 1) * 3_600_000; // every hour closed

const stream = transactionLogStream(BUCKET);
const settings = defaultEngineSettings({ cacheTtlSeconds: 3600 });
const logger = benchLogger;
const CATEGORIES = [
  'grocery',
  'travel',
  'digital-goods',
  'restaurants',
  'fuel',
  'retail',
];

function objectBody(hour: number, o: number): string {
  const arrival =
    DAY_START +
    hour * 3_600_000 +
    ((o + 1) * 3_600_000) / OBJECTS_PER_HOUR -
    1000;
  const lines: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const ts = arrival - Math.floor(Math.random() * 60_000);
    const declined = Math.random() < 0.05;
    lines.push(
      JSON.stringify({
        eventId: randomBytes(16).toString('hex'),
        class: 'transaction-logs',
        deviceId: `device-${Math.floor(Math.random() * 50_000)}`,
        customerId: `customer-${Math.floor(Math.random() * 20_000)}`,
        ts: new Date(ts).toISOString(),
        arrivedAt: new Date(arrival).toISOString(),
        transactionId: `txn_${randomBytes(8).toString('hex')}`,
        amount: Math.round(Math.exp(2 + Math.random() * 4) * 100) / 100,
        currency:
          CURRENCIES[Math.floor(Math.random() ** 2 * CURRENCIES.length)],
        status: declined ? 'declined' : 'approved',
        latencyMs: Math.floor(80 + Math.random() ** 3 * 3000),
        merchantCategory:
          CATEGORIES[Math.floor(Math.random() * CATEGORIES.length)],
        ...(declined ? { declineReason: 'insufficient-funds' } : {}),
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await fn();
  return [result, (performance.now() - start) / 1000];
};
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rti-bench-query-'));
  const filesDir = path.join(dir, 'files');
  const s3 = await startS3Child([BUCKET], path.join(dir, 's3'));
  const client = createLocalS3Client(s3.endpoint);

  // ---------------------------------------------------------------- data
  let uncompressed = 0;
  let compressed = 0;
  const keys: string[] = [];
  const [, generateSeconds] = await time(async () => {
    const jobs = [];
    for (let h = 0; h < HOURS; h++)
      for (let o = 0; o < OBJECTS_PER_HOUR; o++) jobs.push([h, o]);
    await mapWithConcurrency(jobs, 4, async ([h, o]) => {
      const body = objectBody(h, o);
      const gz = gzipSync(body);
      uncompressed += Buffer.byteLength(body);
      compressed += gz.length;
      const hourStart = DAY_START + h * 3_600_000;
      const stamp = new Date(hourStart + o * 60_000)
        .toISOString()
        .slice(0, 19)
        .replace(/[T:]/g, '-');
      const key = `${hourPrefix(
        'events/',
        hourStart,
      )}rti-transaction-logs-1-${stamp}-${randomBytes(4).toString('hex')}.gz`;
      keys.push(key);
      fs.mkdirSync(path.dirname(path.join(filesDir, key)), { recursive: true });
      fs.writeFileSync(path.join(filesDir, key), gz);
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gz }),
      );
    });
  });
  const totalEvents = HOURS * OBJECTS_PER_HOUR * EVENTS;
  console.log(
    `query benchmark: ${
      keys.length
    } objects, ${totalEvents.toLocaleString()} events, ` +
      `${(uncompressed / MiB).toFixed(0)} MiB NDJSON (${(
        compressed / MiB
      ).toFixed(0)} MiB gzip), generated in ${generateSeconds.toFixed(0)} s; ` +
      `${THREADS} object worker threads (compiled, as in a build); query: 24 h time series, 1 h buckets, count + distinct devices/customers + 2 measures with p50/p95/p99 + 4 dimensions; ${
        os.cpus().length
      } cores\n`,
  );
  const rangeQuery = {
    fromMs: DAY_START,
    toMs: DAY_START + HOURS * 3_600_000,
    bucket: '1h' as const,
    filters: [],
  };

  // ---------------------------------------------------------------- cold, via S3
  const [, rawSeconds] = await time(() =>
    mapWithConcurrency(keys, settings.maxConcurrency, async key => {
      const object = await client.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key }),
      );
      const text = gunzipSync(
        Buffer.from(await object.Body!.transformToByteArray()),
      ).toString('utf8');
      let n = 0;
      for (const line of text.split('\n'))
        if (line) n += JSON.parse(line) ? 1 : 0;
      return n;
    }),
  );
  // One store per location, as the plugin keeps them.
  const s3Store = new S3ObjectStore(client);
  const fileStore = new FileObjectStore(filesDir, { whole: true });
  // The plugin's default: one object worker thread per core (compiled,
  // as in a build).
  const workerFile = compileObjectWorker();
  const summarisers = new ObjectWorkerPool({
    threads: THREADS,
    logger,
    startWorker: compiledWorkers(workerFile),
  });
  await summarisers.warmUp();
  const s3Engine = new QueryEngine({
    storeFor: () => s3Store,
    cache: new MemorySummaryCache(100_000),
    logger,
    settings: () => settings,
    summarisers,
  });
  const [coldResult, coldSeconds] = await time(() =>
    s3Engine.timeSeries(stream, rangeQuery, NOW),
  );
  const counted = coldResult.buckets.reduce((n, b) => n + b.count, 0);

  // ---------------------------------------------------------------- cold, local files
  // The engine and DuckDB take turns, RUNS times each, and the medians are
  // compared: this VM's speed drifts by tens of percent between runs.
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  const coldFromFiles = (summariserPool: ObjectWorkerPool) =>
    new QueryEngine({
      storeFor: () => fileStore,
      cache: new MemorySummaryCache(100_000),
      logger,
      settings: () => settings,
      summarisers: summariserPool,
    }).timeSeries(stream, rangeQuery, NOW);
  const duckQuery = async () =>
    (
      await connection.runAndReadAll(`
        SELECT time_bucket(INTERVAL 1 HOUR, ts::TIMESTAMP) AS bucket_start, count(*) AS events,
               approx_count_distinct(deviceId) AS devices, approx_count_distinct(customerId) AS customers,
               sum(amount), min(amount), max(amount), approx_quantile(amount, [0.5, 0.95, 0.99]),
               sum(latencyMs), min(latencyMs), max(latencyMs), approx_quantile(latencyMs, [0.5, 0.95, 0.99])
        FROM read_json('${filesDir}/events/**/*.gz', format = 'newline_delimited')
        WHERE ts::TIMESTAMP >= '${new Date(
          rangeQuery.fromMs,
        ).toISOString()}'::TIMESTAMP
          AND ts::TIMESTAMP < '${new Date(
            rangeQuery.toMs,
          ).toISOString()}'::TIMESTAMP
        GROUP BY 1 ORDER BY 1`)
    ).getRowObjects();
  const nativeBefore = summarisers.made.native;
  const rollupsBefore = summarisers.rolledUp.native;
  const fileRuns: number[] = [];
  const duckRuns: number[] = [];
  let duckRows: Awaited<ReturnType<typeof duckQuery>> = [];
  for (let run = 0; run < RUNS; run++) {
    fileRuns.push((await time(() => coldFromFiles(summarisers)))[1]);
    const [rows, seconds] = await time(duckQuery);
    duckRows = rows;
    duckRuns.push(seconds);
  }
  const nativeSummaries = (summarisers.made.native - nativeBefore) / RUNS;
  const nativeRollups = (summarisers.rolledUp.native - rollupsBefore) / RUNS;
  const fileSeconds = median(fileRuns);
  const duckSeconds = median(duckRuns);
  // The same, with the workers summarising and rolling up in TypeScript
  // (`workers.native: false`, or where the addon is not built); once.
  const typescriptSummarisers = new ObjectWorkerPool({
    threads: THREADS,
    logger,
    startWorker: compiledWorkers(workerFile),
    native: false,
  });
  await typescriptSummarisers.warmUp();
  const [, typescriptSeconds] = await time(() =>
    coldFromFiles(typescriptSummarisers),
  );
  await typescriptSummarisers.close();
  const duckEvents = duckRows.reduce((n, r) => n + Number(r.events), 0);

  // ---------------------------------------------------------------- warm, Redis
  const redis = new RedisSummaryCache({
    url: flags.redis!,
    commandTimeoutMs: 1000,
    logger,
  });
  if (!(await redis.connect())) throw new Error(`no Redis at ${flags.redis}`);
  const fill = new QueryEngine({
    storeFor: () => s3Store,
    cache: redis,
    logger,
    settings: () => settings,
  });
  await fill.timeSeries(stream, rangeQuery, NOW);
  await new Promise(r => setTimeout(r, 1000)); // writes are fire-and-forget
  const warmEngine = new QueryEngine({
    storeFor: () => s3Store,
    cache: redis,
    logger,
    settings: () => settings,
  });
  const [firstWarm, fromRedisSeconds] = await time(() =>
    warmEngine.timeSeries(stream, rangeQuery, NOW),
  );
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        await warmEngine.timeSeries(stream, rangeQuery, NOW);
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);

  // ---------------------------------------------------------------- floor
  // (Last, so that its garbage does not touch the warm latencies.)
  // What a JavaScript reader pays before it summarises anything (the
  // native summariser does both in C): Node's gunzip and the engine's
  // in-place scan for the summary's fields, on one thread, then spread
  // ideally over the worker threads.
  const scanLine = new EventLine(summaryFields({ ...stream, filters: [] }));
  const [, floorCpuSeconds] = await time(async () => {
    for (const key of keys) {
      const bytes = decompressedWhole(
        fs.readFileSync(path.join(filesDir, key)),
      );
      LineSplitter.forEachLine(bytes, (b, start, end) =>
        scanLine.read(b, start, end),
      );
      releaseViews(bytes); // as the workers do
    }
  });
  const floorSeconds = floorCpuSeconds / Math.max(1, THREADS);
  await redis.clear();
  await redis.close();
  await summarisers.close();
  client.destroy();
  await stopChild(s3.child);
  fs.rmSync(dir, { recursive: true, force: true });

  const mibps = (seconds: number) => uncompressed / MiB / seconds;
  const row = (label: string, seconds: number, note = '') =>
    console.log(
      `${label.padEnd(50)}${seconds.toFixed(2).padStart(8)} s${mibps(seconds)
        .toFixed(0)
        .padStart(8)} MiB/s  ${note}`,
    );
  row('raw gunzip + JSON.parse, objects from S3', rawSeconds);
  row(
    'engine cold, objects from S3',
    coldSeconds,
    `ratio to raw JSON.parse ${(rawSeconds / coldSeconds).toFixed(2)}`,
  );
  const range = (runs: number[]) =>
    `${Math.min(...runs).toFixed(2)}-${Math.max(...runs).toFixed(2)} s`;
  row(
    `engine cold, same files on disk (median of ${RUNS})`,
    fileSeconds,
    `${range(fileRuns)}; ${nativeSummaries} of ${
      keys.length
    } objects summarised and ${nativeRollups} of ${HOURS} hours rolled up natively; taking turns with DuckDB`,
  );
  row(
    '  the same, summaries in TypeScript',
    typescriptSeconds,
    `native is ${(typescriptSeconds / fileSeconds).toFixed(2)}x TypeScript`,
  );
  row(
    `DuckDB read_json, same files (median of ${RUNS})`,
    duckSeconds,
    `${range(duckRuns)}; engine is ${(duckSeconds / fileSeconds).toFixed(
      2,
    )}x DuckDB`,
  );
  row(
    `JS floor: gunzip + field scan, ${Math.max(1, THREADS)} threads`,
    floorSeconds,
    `${(floorSeconds / duckSeconds).toFixed(
      2,
    )} of DuckDB's time (one thread: ${floorCpuSeconds.toFixed(2)} s)`,
  );
  console.log('');
  console.log(
    `events in the range: engine ${counted.toLocaleString()}, DuckDB ${duckEvents.toLocaleString()} (generated ${totalEvents.toLocaleString()}, a few just before the range)`,
  );
  console.log(
    `warm (summaries in Redis, new process state): ${(
      fromRedisSeconds * 1000
    ).toFixed(1)} ms ` +
      `(${firstWarm.stats.objectsFromCache}/${firstWarm.stats.objects} objects from cache)`,
  );
  console.log(
    `warm steady state, ${CLIENTS} concurrent clients for ${SECONDS} s: ${latencies.length} queries, ` +
      `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(
        latencies,
        99,
      ).toFixed(2)} ms; ` +
      `cold/warm-p50 ${(
        (coldSeconds * 1000) /
        percentile(latencies, 50)
      ).toFixed(0)}x`,
  );
  console.log(
    `peak RSS of this process: ${(
      process.resourceUsage().maxRSS / 1024
    ).toFixed(0)} MiB`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
