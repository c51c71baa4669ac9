/*
 * `npm run bench:ingest`: sustained PutRecordBatch load on the three
 * streams of firehose-local (write-ahead log with fsync on, transform on,
 * GZIP, raw backup, delivery to a local S3 server), measured side by side
 * with a bare server that only parses and acknowledges (no log, no fsync).
 * Then counts what reached S3 against what was acknowledged (loss), and
 * the freshness with a 0 s buffer (ack → object visible in S3).
 *
 * Load is generated with raw keep-alive HTTP requests in the AWS JSON 1.1
 * shape the SDK sends: on a 2-core machine the SDK's own CPU cost would
 * measure the client, not the server.
 */
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { createLocalS3Client } from '@internal/local-s3';
import {
  peakRssMiB,
  startS3Child,
  startTsChild,
  stopChild,
} from '@internal/local-s3';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '6000' },
    duration: { type: 'string', default: '20' },
    events: { type: 'string', default: '18' },
    connections: { type: 'string', default: '64' },
    'freshness-samples': { type: 'string', default: '20' },
    processor: { type: 'string', default: 'record-transform' },
  },
});
const RATE = Number(flags.rate); // requests per second, all streams together
const DURATION_S = Number(flags.duration);
const EVENTS_PER_RECORD = Number(flags.events);
const CONNECTIONS = Number(flags.connections);
const FRESHNESS_SAMPLES = Number(flags['freshness-samples']);
const MAX_IN_FLIGHT = CONNECTIONS * 4;
const PROCESSOR = flags.processor as 'record-transform' | 'none';

const STREAMS = ['interactions', 'sensor-readings', 'transaction-logs'].map(
  c => ({
    dataClass: c,
    name: `rti-${c}`,
    bucket: `rti-${c}`,
  }),
);

// ---------------------------------------------------------------- records

function interactionsRecord(device: number, minute: number) {
  const base = Date.UTC(2026, 10, 23, 10, 0, 0) + minute * 60_000;
  return {
    schema: 'interactions/v1',
    deviceId: `bench-device-${device}`,
    customerId: `bench-customer-${device % 97}`,
    sentAt: new Date(base + 59_000).toISOString(),
    events: Array.from({ length: EVENTS_PER_RECORD }, (_, i) => ({
      at: new Date(base + i * 3_000).toISOString(),
      type: ['tap', 'view', 'scroll', 'swipe', 'search'][i % 5],
      screen: ['home', 'search', 'product-detail', 'checkout'][i % 4],
      element: `button-${i % 7}`,
      durationMs: 100 + i * 37,
    })),
  };
}
function sensorRecord(device: number, minute: number) {
  const base = Date.UTC(2026, 10, 23, 10, 0, 0) + minute * 60_000;
  return {
    schema: 'sensor-readings/v1',
    deviceId: `bench-device-${device}`,
    customerId: `bench-customer-${device % 97}`,
    sentAt: new Date(base + 59_000).toISOString(),
    events: Array.from({ length: EVENTS_PER_RECORD }, (_, i) => ({
      at: new Date(base + i * 3_000).toISOString(),
      sensor: ['accelerometer', 'gyroscope', 'temperature', 'battery', 'light'][
        i % 5
      ],
      value: Math.round(Math.sin(device + i) * 10_000) / 100,
      unit: ['m/s2', 'rad/s', 'c', '%', 'lx'][i % 5],
    })),
  };
}
function transactionRecord(device: number, minute: number) {
  const base = Date.UTC(2026, 10, 23, 10, 0, 0) + minute * 60_000;
  return {
    schema: 'transaction-logs/v1',
    deviceId: `bench-device-${device}`,
    customerId: `bench-customer-${device % 97}`,
    sentAt: new Date(base + 59_000).toISOString(),
    events: Array.from({ length: EVENTS_PER_RECORD }, (_, i) => ({
      at: new Date(base + i * 3_000).toISOString(),
      transactionId: `tx-${device}-${minute}-${i}`,
      amount: Math.round((5 + ((device * 7 + i * 13) % 200)) * 100) / 100,
      currency: ['USD', 'EUR', 'GBP'][i % 3],
      status: i % 19 === 0 ? 'declined' : 'approved',
      latencyMs: 80 + ((device + i) % 400),
    })),
  };
}
const makeRecord = [interactionsRecord, sensorRecord, transactionRecord];

/** Pre-built request bodies, so the generator spends its CPU on sending. */
function buildBodies(perStream: number) {
  return STREAMS.map((stream, s) =>
    Array.from({ length: perStream }, (_, i) => {
      const data = Buffer.from(`${JSON.stringify(makeRecord[s](i, i % 60))}\n`);
      return {
        dataBytes: data.length,
        body: JSON.stringify({
          DeliveryStreamName: stream.name,
          Records: [{ Data: data.toString('base64') }],
        }),
      };
    }),
  );
}

// ---------------------------------------------------------------- processes

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

async function waitForHealth(url: string) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // starting
    }
    await sleep(50);
  }
  throw new Error(`${url} did not start`);
}

async function startFirehose(
  s3Endpoint: string,
  dir: string,
  intervalInSeconds: number,
) {
  const port = await freePort();
  const configFile = path.join(dir, `firehose-${intervalInSeconds}.json`);
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      port,
      walDir: path.join(dir, `wal-${intervalInSeconds}`),
      s3: {
        endpoint: s3Endpoint,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      },
      streams: STREAMS.map(s => ({
        name: s.name,
        bucket: s.bucket,
        bufferingHints: { sizeInMBs: 5, intervalInSeconds },
        compression: 'GZIP',
        processor: PROCESSOR,
        backup: { bucket: 'rti-raw-backup', prefix: `${s.dataClass}/` },
      })),
    }),
  );
  const proc = startTsChild('packages/firehose-local/src/cli.ts', [
    '--config',
    configFile,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);
  return { ...proc, url };
}

// ---------------------------------------------------------------- load

type LoadResult = {
  offered: number;
  sent: number;
  acked: number;
  failedRecords: number;
  throttled: number;
  errors: number;
  skipped: number;
  dataBytes: number;
  seconds: number;
  latenciesMs: Float64Array;
};

function putRecordBatch(agent: http.Agent, url: URL, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'Firehose_20150804.PutRecordBatch',
          'content-length': Buffer.byteLength(body),
        },
      },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', d => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function runLoad(
  baseUrl: string,
  bodies: ReturnType<typeof buildBodies>,
): Promise<LoadResult> {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const total = Math.round(RATE * DURATION_S);
  const result: LoadResult = {
    offered: total,
    sent: 0,
    acked: 0,
    failedRecords: 0,
    throttled: 0,
    errors: 0,
    skipped: 0,
    dataBytes: 0,
    seconds: 0,
    latenciesMs: new Float64Array(total),
  };
  const state = { latencyCount: 0, inFlight: 0 };
  let issued = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();

  // Open loop: requests are due at the offered rate whether or not earlier
  // ones were answered; when too many are outstanding, due requests are
  // skipped and counted (the achieved rate shows it).
  while (issued < total) {
    const due = Math.min(
      total,
      Math.floor(((performance.now() - start) * RATE) / 1000),
    );
    while (issued < due) {
      const n = issued++;
      if (state.inFlight >= MAX_IN_FLIGHT) {
        result.skipped++;
        continue;
      }
      const streamBodies = bodies[n % bodies.length];
      const { body, dataBytes } =
        streamBodies[Math.floor(n / bodies.length) % streamBodies.length];
      state.inFlight++;
      result.sent++;
      const t0 = performance.now();
      const p = putRecordBatch(agent, url, body)
        .then(({ status, text }) => {
          if (status === 200) {
            const parsed = JSON.parse(text) as { FailedPutCount: number };
            result.latenciesMs[state.latencyCount++] = performance.now() - t0;
            result.acked += 1 - parsed.FailedPutCount;
            result.failedRecords += parsed.FailedPutCount;
            result.dataBytes += dataBytes;
          } else if (status === 503) result.throttled++;
          else result.errors++;
        })
        .catch(() => {
          result.errors++;
        })
        .finally(() => {
          state.inFlight--;
          pending.delete(p);
        });
      pending.add(p);
    }
    await sleep(1);
  }
  await Promise.all(pending);
  result.seconds = (performance.now() - start) / 1000;
  result.latenciesMs = result.latenciesMs.slice(0, state.latencyCount).sort();
  agent.destroy();
  return result;
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
    : NaN;

// ---------------------------------------------------------------- S3 counting

async function countDelivered(s3Endpoint: string) {
  const client = createLocalS3Client(s3Endpoint);
  const count = { events: 0, errorDocuments: 0, objects: 0 };
  for (const stream of STREAMS) {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: stream.bucket,
          ContinuationToken: token,
        }),
      );
      for (const item of page.Contents ?? []) {
        const object = await client.send(
          new GetObjectCommand({ Bucket: stream.bucket, Key: item.Key! }),
        );
        const bytes = Buffer.from(await object.Body!.transformToByteArray());
        const text = (
          item.Key!.endsWith('.gz') ? gunzipSync(bytes) : bytes
        ).toString('utf8');
        const lines = text.split('\n').filter(Boolean).length;
        count.objects++;
        if (item.Key!.startsWith('errors/')) count.errorDocuments += lines;
        else count.events += lines;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  client.destroy();
  return count;
}

async function objectCount(
  client: ReturnType<typeof createLocalS3Client>,
  bucket: string,
) {
  const page = await client.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: 'events/' }),
  );
  return page.KeyCount ?? 0;
}

// ---------------------------------------------------------------- main

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rti-bench-ingest-'));
  const buckets = [...STREAMS.map(s => s.bucket), 'rti-raw-backup'];
  const s3 = await startS3Child(buckets, path.join(dir, 's3'));
  const s3Endpoint = s3.endpoint;
  const bodies = buildBodies(500);
  const recordKiB = bodies[0][0].dataBytes / 1024;

  console.log(
    `ingest benchmark: ${RATE} PutRecordBatch req/s offered for ${DURATION_S} s over ${STREAMS.length} streams, ` +
      `1 record of ${recordKiB.toFixed(
        1,
      )} KiB (${EVENTS_PER_RECORD} events) per request, ${CONNECTIONS} connections, ${
        os.cpus().length
      } cores`,
  );

  const bare = startTsChild('packages/firehose-local/bench/bareAckServer.ts');
  const { url: bareUrl } = JSON.parse(await bare.firstLine);
  const baseline = await runLoad(bareUrl, bodies);
  const bareRss = peakRssMiB(bare.child.pid!);
  await stopChild(bare.child);

  const firehose = await startFirehose(s3Endpoint, dir, 10);
  const measured = await runLoad(firehose.url, bodies);
  const firehoseRss = peakRssMiB(firehose.child.pid!);
  const drainStart = performance.now();
  const exitCode = await stopChild(firehose.child); // SIGTERM flushes everything buffered
  const drainSeconds = (performance.now() - drainStart) / 1000;
  const delivered = await countDelivered(s3Endpoint);
  // With the transform a record becomes one line per event; without, one line.
  const linesPerRecord = PROCESSOR === 'none' ? 1 : EVENTS_PER_RECORD;
  const deliveredRecords =
    delivered.events / linesPerRecord + delivered.errorDocuments;
  const lost = Math.max(0, measured.acked - deliveredRecords);
  const duplicated = Math.max(0, deliveredRecords - measured.acked);

  // Freshness: a 0 s buffer, one record at a time.
  const fresh = await startFirehose(s3Endpoint, dir, 0);
  const client = createLocalS3Client(s3Endpoint);
  const freshness: number[] = [];
  const agent = new http.Agent({ keepAlive: true });
  for (let i = 0; i < FRESHNESS_SAMPLES; i++) {
    const before = await objectCount(client, STREAMS[0].bucket);
    const { body } = bodies[0][i % bodies[0].length];
    await putRecordBatch(agent, new URL(fresh.url), body);
    const acked = performance.now();
    while ((await objectCount(client, STREAMS[0].bucket)) === before) {
      if (performance.now() - acked > 10_000) break;
      await sleep(5);
    }
    freshness.push(performance.now() - acked);
    await sleep(100);
  }
  agent.destroy();
  client.destroy();
  await stopChild(fresh.child);
  await stopChild(s3.child);
  fs.rmSync(dir, { recursive: true, force: true });

  const row = (label: string, a: string, b: string, ratio = '') =>
    console.log(
      `${label.padEnd(34)}${a.padStart(16)}${b.padStart(22)}${ratio.padStart(
        10,
      )}`,
    );
  const mibps = (r: LoadResult) => r.dataBytes / 1024 / 1024 / r.seconds;
  const reqps = (r: LoadResult) => r.acked / r.seconds;
  console.log('');
  row('', 'bare ack server', 'firehose-local (WAL)', 'ratio');
  row(
    'acked requests/s (records/s)',
    reqps(baseline).toFixed(0),
    reqps(measured).toFixed(0),
    (reqps(measured) / reqps(baseline)).toFixed(2),
  );
  row(
    'acked MiB/s of record data',
    mibps(baseline).toFixed(1),
    mibps(measured).toFixed(1),
    (mibps(measured) / mibps(baseline)).toFixed(2),
  );
  row(
    'ack latency p50 ms',
    percentile(baseline.latenciesMs, 50).toFixed(2),
    percentile(measured.latenciesMs, 50).toFixed(2),
    (
      percentile(measured.latenciesMs, 50) /
      percentile(baseline.latenciesMs, 50)
    ).toFixed(1),
  );
  row(
    'ack latency p99 ms',
    percentile(baseline.latenciesMs, 99).toFixed(2),
    percentile(measured.latenciesMs, 99).toFixed(2),
    (
      percentile(measured.latenciesMs, 99) /
      percentile(baseline.latenciesMs, 99)
    ).toFixed(1),
  );
  row(
    'skipped (too many in flight)',
    String(baseline.skipped),
    String(measured.skipped),
  );
  row(
    '503 throttled / errors',
    `${baseline.throttled} / ${baseline.errors}`,
    `${measured.throttled} / ${measured.errors}`,
  );
  row('server peak RSS MiB', bareRss.toFixed(0), firehoseRss.toFixed(0));
  console.log('');
  console.log(
    `delivery: ${measured.acked} records acked; in S3 ${
      delivered.events
    } events (${(delivered.events / linesPerRecord).toFixed(0)} records) ` +
      `+ ${delivered.errorDocuments} error documents in ${delivered.objects} objects; ` +
      `lost ${lost}, duplicated ${duplicated}; shutdown flush ${drainSeconds.toFixed(
        1,
      )} s (exit ${exitCode})`,
  );
  const sortedFresh = Float64Array.from(freshness).sort();
  console.log(
    `freshness (0 s buffer, ${FRESHNESS_SAMPLES} samples): ack → object listed in S3 p50 ${percentile(
      sortedFresh,
      50,
    ).toFixed(0)} ms, ` +
      `max ${sortedFresh[sortedFresh.length - 1].toFixed(0)} ms`,
  );
  process.exitCode = lost > 0 ? 1 : 0;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
