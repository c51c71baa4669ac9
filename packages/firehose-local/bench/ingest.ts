/*
 * `npm run bench:ingest`: sustained PutRecordBatch load on the three
 * streams of firehose-local (write-ahead log synced before every ack,
 * transform, GZIP, raw backup, delivery to a local S3 server), measured
 * side by side with a bare server that only parses and acknowledges (no
 * log, no fsync), under the same offered load.
 *
 * - Open loop: requests are due at the offered rate; latency counts from
 *   when a request was due, not when it could be sent.
 * - Loss: every request carries a record of its own (a sequence number in
 *   its deviceId); each acknowledged record is looked for in S3 — main
 *   output or error documents, and the raw backup.
 * - CPU: what the generator, each server thread and s3rver used, and the
 *   rest of the machine (other work on the same cores shows there).
 * - Freshness with a 0 s buffer (ack → object listed in S3).
 *
 * Load is generated with raw keep-alive HTTP/1.1 connections in the AWS
 * JSON 1.1 shape the SDK sends: on a 2-core machine the SDK's own CPU cost
 * (or even `http.request`'s) would be taken from the server measured.
 */
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { createLocalS3Client } from '@internal/local-s3';
import {
  peakRssMiB,
  startS3Child,
  startNodeChild,
  stopChild,
} from '@internal/local-s3';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '6000' },
    duration: { type: 'string', default: '20' },
    // Load before the measured duration, same rate: lazily compiled code and
    // first-use work are not steady state. Its requests count for loss and
    // its latency is printed on its own line.
    warmup: { type: 'string', default: '2' },
    // 24 events make a 2.6 KiB record: 6,000 req/s are then also the
    // 15 MiB/s of the three streams' quota.
    events: { type: 'string', default: '24' },
    connections: { type: 'string', default: '64' },
    'freshness-samples': { type: 'string', default: '20' },
    processor: { type: 'string', default: 'record-transform' },
    // Another firehose-local entry point (e.g. a copy of an earlier
    // revision), to compare two builds back to back under the same load.
    cli: { type: 'string', default: 'packages/firehose-local/src/cli.ts' },
    // --no-bare skips the bare server's run (for quick comparisons).
    bare: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const RATE = Number(flags.rate); // requests per second, all streams together
const DURATION_S = Number(flags.duration);
const WARMUP_S = Number(flags.warmup);
const EVENTS_PER_RECORD = Number(flags.events);
const CONNECTIONS = Number(flags.connections);
const FRESHNESS_SAMPLES = Number(flags['freshness-samples']);
const MAX_OUTSTANDING = RATE; // one second of load
const PROCESSOR = flags.processor as 'record-transform' | 'none';

const BACKUP_BUCKET = 'rti-raw-backup';
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

/*
 * Every request carries a record of its own: the request's sequence number
 * is written into the record's deviceId, so the count in S3 can tell that
 * each acknowledged record was delivered (not only that the totals match).
 * The digits sit on a 3-byte boundary of the record, so they are exactly
 * 12 base64 characters of a pre-built body, replaced per request.
 */
const SEQUENCE_DIGITS = 9;
const DEVICE_PREFIX = 'bench-';
const SEQUENCE_IN_TEXT = /"deviceId":"bench-x{0,2}(\d{9})"/g;

type BodyTemplate = {
  dataBytes: number;
  /** The body before and after the sequence number's base64. */
  before: string;
  after: string;
};

/** Pre-built request bodies, so the generator spends its CPU on sending. */
function buildBodies(perStream: number): BodyTemplate[][] {
  return STREAMS.map((stream, s) =>
    Array.from({ length: perStream }, (_, i) => {
      const record = makeRecord[s](i, i % 60);
      let json = '';
      let digitsAt = 0;
      for (let pad = 0; pad < 3; pad++) {
        const prefix = `${DEVICE_PREFIX}${'x'.repeat(pad)}`;
        json = JSON.stringify({
          ...record,
          deviceId: `${prefix}${'0'.repeat(SEQUENCE_DIGITS)}`,
        });
        digitsAt = json.indexOf(`"${prefix}`) + 1 + prefix.length;
        if (digitsAt % 3 === 0) break;
      }
      const data = Buffer.from(`${json}\n`);
      const body = JSON.stringify({
        DeliveryStreamName: stream.name,
        Records: [{ Data: data.toString('base64') }],
      });
      const at = body.indexOf('"Data":"') + 8 + (digitsAt / 3) * 4;
      return {
        dataBytes: data.length,
        before: body.slice(0, at),
        after: body.slice(at + (SEQUENCE_DIGITS / 3) * 4),
      };
    }),
  );
}

/** The body of request `sequence`: its template with the number in it. */
function bodyOf(template: BodyTemplate, sequence: number) {
  const digits = String(sequence).padStart(SEQUENCE_DIGITS, '0');
  return `${template.before}${Buffer.from(digits).toString('base64')}${
    template.after
  }`;
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
        backup: { bucket: BACKUP_BUCKET, prefix: `${s.dataClass}/` },
      })),
    }),
  );
  const proc = startNodeChild(flags.cli!, ['--config', configFile]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);
  return { ...proc, url };
}

// ---------------------------------------------------------------- load

type LoadResult = {
  offered: number;
  sent: number;
  /** Records acknowledged (FailedPutCount 0), by request sequence number. */
  acked: Uint8Array;
  ackedCount: number;
  failedRecords: number;
  throttled: number;
  errors: number;
  skipped: number;
  dataBytes: number;
  seconds: number;
  /** Per request, from the time it was due (open loop: no coordinated omission); NaN if not acked. */
  latencyMs: Float64Array;
  /** Per request, from the time it was written to a connection. */
  sentLatencyMs: Float64Array;
  /** Requests before this index are the warm-up. */
  measuredFrom: number;
};

/**
 * A keep-alive HTTP/1.1 connection carrying one request at a time, parsing
 * only what the benchmark reads (status, Content-Length, body): a fraction
 * of the CPU of `http.request`, and on this machine every cycle of the
 * generator is taken from the servers it measures.
 */
class LoadConnection {
  private socket?: net.Socket;
  private received: Buffer[] = [];
  private waiting?: {
    resolve(response: { status: number; text: string }): void;
    reject(error: Error): void;
  };

  constructor(private readonly url: URL) {}

  request(body: string): Promise<{ status: number; text: string }> {
    const socket = this.socket ?? this.connect();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(
        `POST / HTTP/1.1\r\nHost: ${this.url.host}\r\n` +
          'Content-Type: application/x-amz-json-1.1\r\n' +
          'X-Amz-Target: Firehose_20150804.PutRecordBatch\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  close() {
    this.socket?.destroy();
  }

  private connect() {
    const socket = net.connect(Number(this.url.port), this.url.hostname);
    socket.setNoDelay(true);
    socket.on('data', chunk => this.onData(chunk));
    const fail = (error: Error) => {
      if (this.socket === socket) this.socket = undefined;
      this.received = [];
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    this.socket = socket;
    return socket;
  }

  private onData(chunk: Buffer) {
    this.received.push(chunk);
    const data =
      this.received.length === 1 ? chunk : Buffer.concat(this.received);
    const headerEnd = data.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = data.toString('latin1', 0, headerEnd);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (data.length < headerEnd + 4 + length) {
      this.received = [data];
      return;
    }
    this.received = [];
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({
      status: Number(head.slice(9, 12)),
      text: data.toString('utf8', headerEnd + 4, headerEnd + 4 + length),
    });
  }
}

/** One request on a fresh connection (freshness samples). */
async function putRecordBatch(url: string, body: string) {
  const connection = new LoadConnection(new URL(url));
  try {
    return await connection.request(body);
  } finally {
    connection.close();
  }
}

async function runLoad(
  baseUrl: string,
  bodies: BodyTemplate[][],
): Promise<LoadResult> {
  const url = new URL(baseUrl);
  const measuredFrom = Math.round(RATE * WARMUP_S);
  const total = measuredFrom + Math.round(RATE * DURATION_S);
  const result: LoadResult = {
    offered: total,
    sent: 0,
    acked: new Uint8Array(total),
    ackedCount: 0,
    failedRecords: 0,
    throttled: 0,
    errors: 0,
    skipped: 0,
    dataBytes: 0,
    seconds: 0,
    latencyMs: new Float64Array(total).fill(NaN),
    sentLatencyMs: new Float64Array(total).fill(NaN),
    measuredFrom,
  };
  const idle = Array.from(
    { length: CONNECTIONS },
    () => new LoadConnection(url),
  );
  const all = [...idle];
  // Due requests wait here (by sequence number) for a free connection.
  const queued: number[] = [];
  let queuedHead = 0;
  let outstanding = 0;
  let issued = 0;
  const start = performance.now();
  let finished!: () => void;
  const allAnswered = new Promise<void>(resolve => {
    finished = resolve;
  });

  function send(connection: LoadConnection, n: number) {
    const streamBodies = bodies[n % bodies.length];
    const template =
      streamBodies[Math.floor(n / bodies.length) % streamBodies.length];
    const dueAt = start + (n * 1000) / RATE;
    const sentAt = performance.now();
    result.sent++;
    connection.request(bodyOf(template, n)).then(
      ({ status, text }) => {
        if (status === 200) {
          const now = performance.now();
          result.sentLatencyMs[n] = now - sentAt;
          result.latencyMs[n] = now - dueAt;
          const failed = (JSON.parse(text) as { FailedPutCount: number })
            .FailedPutCount;
          if (failed === 0) {
            result.acked[n] = 1;
            result.ackedCount++;
            result.dataBytes += template.dataBytes;
          } else result.failedRecords += failed;
        } else if (status === 503) result.throttled++;
        else result.errors++;
        next(connection);
      },
      () => {
        result.errors++;
        next(connection);
      },
    );
  }
  function next(connection: LoadConnection) {
    outstanding--;
    if (queuedHead < queued.length) send(connection, queued[queuedHead++]);
    else idle.push(connection);
    if (issued === total && outstanding === 0) finished();
  }

  // Open loop: requests are due at the offered rate whether or not earlier
  // ones were answered, and latency counts from when a request was due, so
  // neither a stalled server nor a busy connection can hide a delay by
  // slowing the generator down (coordinated omission). Only when a whole
  // second of load is outstanding are due requests skipped and counted.
  while (issued < total) {
    const due = Math.min(
      total,
      Math.floor(((performance.now() - start) * RATE) / 1000),
    );
    while (issued < due) {
      const n = issued++;
      if (outstanding >= MAX_OUTSTANDING) {
        result.skipped++;
        continue;
      }
      outstanding++;
      const connection = idle.pop();
      if (connection) send(connection, n);
      else queued.push(n);
    }
    if (queuedHead > 4096) {
      queued.splice(0, queuedHead);
      queuedHead = 0;
    }
    await sleep(1);
  }
  if (outstanding > 0) await allAnswered;
  result.seconds = (performance.now() - start) / 1000;
  for (const connection of all) connection.close();
  return result;
}

// ---------------------------------------------------------------- CPU

const CLOCK_TICKS = 100; // USER_HZ: /proc counts CPU time in these

/** CPU seconds each thread of a process has used, summed by thread name (Linux). */
function cpuByThread(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tasks) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, fields 14 and 15 of stat(5), in clock ticks.
      const seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
      byName.set(name, (byName.get(name) ?? 0) + seconds);
    } catch {
      // the thread ended
    }
  }
  return byName;
}

/** Busy and total CPU seconds of the whole machine (all processes, all cores). */
function machineCpu() {
  const [, ...ticks] = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  const idle = ticks[3] + ticks[4];
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

type CpuSnapshot = {
  threads: Map<string, Map<string, number>>;
  machine: ReturnType<typeof machineCpu>;
  at: number;
};

function cpuSnapshot(processes: Record<string, number>): CpuSnapshot {
  return {
    threads: new Map(
      Object.entries(processes).map(([label, pid]) => [
        label,
        cpuByThread(pid),
      ]),
    ),
    machine: machineCpu(),
    at: performance.now(),
  };
}

// Thread names as Node 24 sets them.
const THREAD_LABELS: Record<string, string> = {
  MainThread: 'main',
  'libuv-worker': 'libuv pool',
  V8Worker: 'V8 GC/compiler',
};

/** Cores used between two snapshots: per process, its threads, the machine. */
function cpuUse(before: CpuSnapshot, after: CpuSnapshot) {
  const seconds = (after.at - before.at) / 1000;
  let ours = 0;
  const processes = [...after.threads].map(([label, threads]) => {
    const earlier = before.threads.get(label) ?? new Map<string, number>();
    const used = [...threads]
      .map(([name, s]) => ({
        name: THREAD_LABELS[name] ?? name,
        cores: (s - (earlier.get(name) ?? 0)) / seconds,
      }))
      .filter(t => t.cores >= 0.01)
      .sort((x, y) => y.cores - x.cores);
    const cores = used.reduce((sum, t) => sum + t.cores, 0);
    ours += cores;
    return { label, cores, threads: used };
  });
  const machine = (after.machine.busy - before.machine.busy) / seconds;
  return { processes, machine, others: Math.max(0, machine - ours) };
}

function formatCpu(use: ReturnType<typeof cpuUse>) {
  const processes = use.processes.map(
    p =>
      `${p.label} ${p.cores.toFixed(2)} (${p.threads
        .map(t => `${t.name} ${t.cores.toFixed(2)}`)
        .join(', ')})`,
  );
  return `${processes.join('; ')}; whole machine ${use.machine.toFixed(
    2,
  )}, of which other processes ${use.others.toFixed(2)}`;
}

/** Latencies of acknowledged requests in [from, to), sorted. */
const sortedLatencies = (latencies: Float64Array, from: number, to: number) =>
  latencies
    .subarray(from, to)
    .filter(l => !Number.isNaN(l))
    .sort();

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
    : NaN;

function latencyStats(r: LoadResult) {
  const measured = sortedLatencies(r.latencyMs, r.measuredFrom, r.offered);
  const sent = sortedLatencies(r.sentLatencyMs, r.measuredFrom, r.offered);
  const warmup = sortedLatencies(r.latencyMs, 0, r.measuredFrom);
  return {
    p50: percentile(measured, 50),
    p99: percentile(measured, 99),
    p99sent: percentile(sent, 99),
    warmupP99: percentile(warmup, 99),
  };
}

// ---------------------------------------------------------------- S3 counting

/** Lines (or error documents) found in S3 per request sequence number. */
type Delivered = {
  mainLines: Uint16Array;
  errorDocuments: Uint16Array;
  backupRecords: Uint16Array;
  objects: number;
};

function countSequences(text: string, into: Uint16Array) {
  for (const match of text.matchAll(SEQUENCE_IN_TEXT)) {
    const sequence = Number(match[1]);
    if (sequence < into.length) into[sequence]++;
  }
}

async function countDelivered(
  s3Endpoint: string,
  total: number,
): Promise<Delivered> {
  const client = createLocalS3Client(s3Endpoint);
  const delivered: Delivered = {
    mainLines: new Uint16Array(total),
    errorDocuments: new Uint16Array(total),
    backupRecords: new Uint16Array(total),
    objects: 0,
  };
  for (const bucket of [...STREAMS.map(s => s.bucket), BACKUP_BUCKET]) {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) {
        const object = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: item.Key! }),
        );
        const bytes = Buffer.from(await object.Body!.transformToByteArray());
        const text = (
          item.Key!.endsWith('.gz') ? gunzipSync(bytes) : bytes
        ).toString('utf8');
        delivered.objects++;
        if (bucket === BACKUP_BUCKET) {
          countSequences(text, delivered.backupRecords);
        } else if (item.Key!.startsWith('errors/')) {
          const raw = text
            .split('\n')
            .filter(Boolean)
            .map(line =>
              Buffer.from(JSON.parse(line).rawData, 'base64').toString(),
            )
            .join('\n');
          countSequences(raw, delivered.errorDocuments);
        } else {
          countSequences(text, delivered.mainLines);
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  client.destroy();
  return delivered;
}

/** Each acknowledged record against what S3 holds of it. */
function reconcile(load: LoadResult, delivered: Delivered) {
  // With the transform a record becomes one line per event; without, one.
  const linesPerRecord = PROCESSOR === 'none' ? 1 : EVENTS_PER_RECORD;
  const outcome = { lost: 0, duplicated: 0, partial: 0, notBackedUp: 0 };
  for (let n = 0; n < load.offered; n++) {
    if (!load.acked[n]) continue;
    const lines = delivered.mainLines[n];
    const copies =
      Math.floor(lines / linesPerRecord) + delivered.errorDocuments[n];
    if (lines % linesPerRecord !== 0) outcome.partial++;
    if (copies === 0) outcome.lost++;
    else outcome.duplicated += copies - 1;
    if (delivered.backupRecords[n] === 0) outcome.notBackedUp++;
  }
  return outcome;
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

/** One load run against a server, with the CPU it took. */
async function measure(
  url: string,
  processes: Record<string, number>,
  bodies: BodyTemplate[][],
) {
  const before = cpuSnapshot(processes);
  // The generator's own stalls delay sends and response handling alike:
  // shown next to the latencies they inflate.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const load = await runLoad(url, bodies);
  loopDelay.disable();
  const cpu = cpuUse(before, cpuSnapshot(processes));
  return { load, cpu, loopDelay };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rti-bench-ingest-'));
  const buckets = [...STREAMS.map(s => s.bucket), BACKUP_BUCKET];
  const s3 = await startS3Child(buckets, path.join(dir, 's3'));
  const s3Endpoint = s3.endpoint;
  const bodies = buildBodies(500);
  const meanRecordBytes =
    bodies.flat().reduce((sum, b) => sum + b.dataBytes, 0) /
    bodies.flat().length;
  const offeredMiBps = (RATE * meanRecordBytes) / 1024 / 1024;

  console.log(
    `ingest benchmark: ${RATE} PutRecordBatch req/s (${offeredMiBps.toFixed(
      1,
    )} MiB/s) offered for ${WARMUP_S} s of warm-up + ${DURATION_S} s over ${
      STREAMS.length
    } streams, 1 record of ${(meanRecordBytes / 1024).toFixed(
      2,
    )} KiB (${EVENTS_PER_RECORD} events) per request, ${CONNECTIONS} connections, ${
      os.cpus().length
    } cores`,
  );

  let bare: (Awaited<ReturnType<typeof measure>> & { rss: number }) | undefined;
  if (flags.bare) {
    const server = startNodeChild(
      'packages/firehose-local/bench/bareAckServer.ts',
    );
    const { url } = JSON.parse(await server.firstLine);
    const run = await measure(
      url,
      {
        generator: process.pid,
        'bare server': server.child.pid!,
        s3rver: s3.child.pid!,
      },
      bodies,
    );
    bare = { ...run, rss: peakRssMiB(server.child.pid!) };
    await stopChild(server.child);
  }

  const firehose = await startFirehose(s3Endpoint, dir, 10);
  const measured = await measure(
    firehose.url,
    {
      generator: process.pid,
      'firehose-local': firehose.child.pid!,
      s3rver: s3.child.pid!,
    },
    bodies,
  );
  const firehoseRss = peakRssMiB(firehose.child.pid!);
  const drainStart = performance.now();
  const exitCode = await stopChild(firehose.child); // SIGTERM flushes everything buffered
  const drainSeconds = (performance.now() - drainStart) / 1000;
  const delivered = await countDelivered(s3Endpoint, measured.load.offered);
  const outcome = reconcile(measured.load, delivered);

  // Freshness: a 0 s buffer, one record at a time.
  const fresh = await startFirehose(s3Endpoint, dir, 0);
  const client = createLocalS3Client(s3Endpoint);
  const freshness: number[] = [];
  for (let i = 0; i < FRESHNESS_SAMPLES; i++) {
    const before = await objectCount(client, STREAMS[0].bucket);
    const template = bodies[0][i % bodies[0].length];
    await putRecordBatch(fresh.url, bodyOf(template, i));
    const acked = performance.now();
    while ((await objectCount(client, STREAMS[0].bucket)) === before) {
      if (performance.now() - acked > 10_000) break;
      await sleep(5);
    }
    freshness.push(performance.now() - acked);
    await sleep(100);
  }
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
  const reqps = (r: LoadResult) => r.ackedCount / r.seconds;
  const m = measured.load;
  const b = bare?.load;
  const both = (f: (r: LoadResult) => number, digits: number) =>
    [b ? f(b).toFixed(digits) : '-', f(m).toFixed(digits)] as const;
  const ratio = (f: (r: LoadResult) => number, digits: number) =>
    b ? (f(m) / f(b)).toFixed(digits) : '';
  const stats = new Map<LoadResult, ReturnType<typeof latencyStats>>();
  const latency = (r: LoadResult) => {
    if (!stats.has(r)) stats.set(r, latencyStats(r));
    return stats.get(r)!;
  };
  const p50 = (r: LoadResult) => latency(r).p50;
  const p99 = (r: LoadResult) => latency(r).p99;
  console.log('');
  row('', 'bare ack server', 'firehose-local (WAL)', 'ratio');
  row('acked requests/s (records/s)', ...both(reqps, 0), ratio(reqps, 2));
  row('acked MiB/s of record data', ...both(mibps, 1), ratio(mibps, 2));
  row('ack latency p50 ms (from due)', ...both(p50, 2), ratio(p50, 1));
  row('ack latency p99 ms (from due)', ...both(p99, 2), ratio(p99, 1));
  row('p99 ms from send on a connection', ...both(r => latency(r).p99sent, 2));
  row(
    `warm-up (first ${WARMUP_S} s) p99 ms`,
    ...both(r => latency(r).warmupP99, 2),
  );
  const loopDelay = (h: ReturnType<typeof monitorEventLoopDelay>) =>
    `${(h.percentile(99) / 1e6).toFixed(1)} / ${(h.max / 1e6).toFixed(1)}`;
  row(
    'generator event-loop delay p99/max',
    bare ? loopDelay(bare.loopDelay) : '-',
    loopDelay(measured.loopDelay),
  );
  row('skipped (too many in flight)', ...both(r => r.skipped, 0));
  row(
    '503 throttled / errors',
    b ? `${b.throttled} / ${b.errors}` : '-',
    `${m.throttled} / ${m.errors}`,
  );
  row(
    'server peak RSS MiB',
    bare ? bare.rss.toFixed(0) : '-',
    firehoseRss.toFixed(0),
  );
  console.log('');
  console.log('CPU during the load, in cores (this machine has 2):');
  if (bare) console.log(`  bare run: ${formatCpu(bare.cpu)}`);
  console.log(`  firehose-local run: ${formatCpu(measured.cpu)}`);
  console.log('');
  console.log(
    `delivery: ${m.ackedCount} of ${m.offered} offered records acked; each checked in S3 by its sequence number: ` +
      `lost ${outcome.lost}, duplicated ${outcome.duplicated}, partly delivered ${outcome.partial}, ` +
      `missing from the raw backup ${outcome.notBackedUp}; ${delivered.objects} objects; ` +
      `shutdown flush ${drainSeconds.toFixed(1)} s (exit ${exitCode})`,
  );
  if (FRESHNESS_SAMPLES > 0) {
    const sortedFresh = Float64Array.from(freshness).sort();
    console.log(
      `freshness (0 s buffer, ${FRESHNESS_SAMPLES} samples): ack → object listed in S3 p50 ${percentile(
        sortedFresh,
        50,
      ).toFixed(0)} ms, max ${sortedFresh[sortedFresh.length - 1].toFixed(
        0,
      )} ms`,
    );
  }
  const met =
    m.ackedCount === m.offered &&
    p99(m) < 50 &&
    outcome.lost === 0 &&
    outcome.partial === 0;
  console.log(
    `target (every offered record acked, p99 < 50 ms, none lost): ${
      met ? 'met' : 'not met'
    }`,
  );
  process.exitCode = outcome.lost > 0 || outcome.partial > 0 ? 1 : 0;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
