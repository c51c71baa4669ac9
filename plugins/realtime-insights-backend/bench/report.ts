/*
 * `npm run bench:report`: raw CSV export throughput and memory.
 *
 * Generates at least 1 GiB of NDJSON transaction-log events (Firehose
 * layout, GZIP) into a local S3 server running in its own process, and the
 * same objects as files on local disk. Then, each in a fresh process so its
 * peak RSS is its own, compiled as a build runs the plugin (`compiled.ts`):
 *  - baseline: fetch + gunzip + JSON.parse of every line (nothing written);
 *  - the report exporter, raw events → CSV, into a byte-counting sink (what
 *    a direct download does, minus the network);
 *  - the same export uploaded to S3 as a multipart upload (what a job does);
 *  - both the baseline and the export reading from local disk instead of
 *    S3, to tell what the local S3 server costs.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  cpuSeconds,
  createLocalS3Client,
  startS3Child,
  startNodeChild,
  stopChild,
} from '@internal/local-s3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { realtimeInsightsConfigSchema } from '../src/config';
import { ObjectStore, S3ObjectStore } from '../src/services/ObjectStore';
import { ObjectWorkerPool } from '../src/services/ObjectWorkers';
import {
  defaultEngineSettings,
  QueryEngine,
  hourPrefix,
} from '../src/services/QueryEngine';
import { mapWithConcurrency } from '../src/services/QueryEngine/mapWithConcurrency';
import { ndjsonLines } from '../src/services/QueryEngine/ndjsonLines';
import { ReportExporter } from '../src/services/Reports/ReportExporter';
import { ReportFiles } from '../src/services/Reports/ReportFiles';
import { resolveReportRequest } from '../src/services/Reports/reportRequest';
import { MemorySummaryCache } from '../src/services/SummaryCache';
import { rng } from '../src/__testUtils__/random';
import {
  compileForBench,
  compileObjectWorker,
  compiledWorkers,
} from './compiled';
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
    gib: { type: 'string', default: '1.05' },
    hours: { type: 'string', default: '24' },
    'objects-per-hour': { type: 'string', default: '60' },
    /** Keep the generated data here and reuse it on the next run. */
    data: { type: 'string' },
    phase: { type: 'string' },
    only: { type: 'string' },
    manifest: { type: 'string' },
    /** Object worker threads of the exporter (the plugin's default: one per core). */
    threads: { type: 'string', default: String(os.availableParallelism()) },
    /** The compiled object worker (made by the main run for its phases). */
    'worker-file': { type: 'string' },
  },
});

const BUCKET = 'rti-bench-report-events';
const REPORTS_BUCKET = 'rti-bench-reports';
const CATEGORIES = ['grocery', 'travel', 'digital-goods', 'restaurants'];

const stream = transactionLogStream(BUCKET);

type Manifest = {
  endpoint: string;
  /** The local S3 server's process, for its CPU time. */
  s3Pid?: number;
  filesDir: string;
  hours: number;
  ndjsonBytes: number;
  events: number;
  objects: number;
};

const logger = benchLogger;

function objectBody(
  hour: number,
  o: number,
  objectsPerHour: number,
  events: number,
): string {
  const random = rng(hour * 100_000 + o);
  const arrival =
    DAY_START +
    hour * 3_600_000 +
    ((o + 1) * 3_600_000) / objectsPerHour -
    1000;
  const lines: string[] = [];
  for (let i = 0; i < events; i++) {
    const ts = arrival - Math.floor(random() * 60_000);
    const declined = random() < 0.05;
    const id = `${hour}-${o}-${i}`;
    lines.push(
      JSON.stringify({
        eventId: `evt-${id.padStart(24, '0')}`,
        class: 'transaction-logs',
        deviceId: `device-${Math.floor(random() * 50_000)}`,
        customerId: `customer-${Math.floor(random() * 20_000)}`,
        ts: new Date(ts).toISOString(),
        arrivedAt: new Date(arrival).toISOString(),
        transactionId: `txn_${Math.floor(random() * 1e15).toString(16)}`,
        amount: Math.round(Math.exp(2 + random() * 4) * 100) / 100,
        currency: CURRENCIES[Math.floor(random() ** 2 * CURRENCIES.length)],
        status: declined ? 'declined' : 'approved',
        latencyMs: Math.floor(80 + random() ** 3 * 3000),
        merchantCategory: CATEGORIES[Math.floor(random() * CATEGORIES.length)],
        ...(declined ? { declineReason: 'insufficient-funds' } : {}),
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Counts bytes and drops them (a client that reads as fast as it can),
 * keeping the first few KiB to check what was written.
 */
class CountingSink extends Writable {
  bytes = 0;
  head = '';
  _write(chunk: Buffer, _encoding: string, callback: () => void) {
    if (this.bytes < 4096) this.head += chunk.toString('utf8', 0, 4096);
    this.bytes += chunk.length;
    callback();
  }
}

/** Throws unless the CSV starts with the header and a plausible first row. */
function checkCsv(head: string) {
  const [header, first] = head.split('\r\n');
  const columns = header.split(',');
  const values = first.split(',');
  const expected = [
    'eventId',
    'ts',
    'arrivedAt',
    'deviceId',
    'customerId',
    'status',
    'currency',
    'merchantCategory',
    'declineReason',
    'amount',
    'latencyMs',
  ];
  if (
    columns.join() !== expected.join() ||
    !values[0].startsWith('evt-') ||
    Number.isNaN(Date.parse(values[1])) ||
    !values[3].startsWith('device-') ||
    Number.isNaN(Number(values[9]))
  ) {
    throw new Error(`Unexpected CSV:\n${header}\n${first}`);
  }
}

// ------------------------------------------------------------------ phases

async function phase(name: string, manifest: Manifest) {
  const settings = realtimeInsightsConfigSchema.parse({
    query: { latenessMinutes: 15 },
  });
  const client = createLocalS3Client(manifest.endpoint);
  const fromDisk = name.endsWith('-disk');
  const store: ObjectStore = fromDisk
    ? new FileObjectStore(manifest.filesDir)
    : new S3ObjectStore(client);
  const engineSettings = defaultEngineSettings({ cacheTtlSeconds: 3600 });
  const cache = new MemorySummaryCache(10_000);
  const workers = new ObjectWorkerPool({
    threads: Number(flags.threads),
    logger,
    // Without --worker-file (a phase run by hand): the sources, via tsx.
    startWorker: flags['worker-file']
      ? compiledWorkers(flags['worker-file'])
      : undefined,
  });
  await workers.warmUp();
  const engine = new QueryEngine({
    storeFor: () => store,
    cache,
    logger,
    settings: () => engineSettings,
    summarisers: workers,
  });
  const exporter = new ReportExporter({
    engine,
    storeFor: () => store,
    cache,
    rowsSource: workers,
    settings: () => settings,
    logger,
  });
  const report = resolveReportRequest(
    stream,
    {
      stream: stream.name,
      kind: 'raw',
      format: 'csv',
      from: new Date(DAY_START).toISOString(),
      to: new Date(DAY_START + manifest.hours * 3_600_000).toISOString(),
      filters: [],
      delivery: 'auto',
    },
    { maxRangeHours: 10_000, maxBuckets: 1440 },
  );
  const now = DAY_START + (manifest.hours + 2) * 3_600_000;
  const plan = await exporter.plan(stream, report, now);
  const idleRssMiB = process.memoryUsage().rss / MiB;
  const s3CpuBefore = cpuSeconds(manifest.s3Pid ?? -1);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let outputBytes = 0;
  let rows = 0;
  if (name.startsWith('baseline')) {
    await mapWithConcurrency(plan.objects, 4, async object => {
      for await (const line of ndjsonLines(
        await store.open(BUCKET, object.key),
      )) {
        if (JSON.parse(line)) rows++;
      }
    });
  } else if (name === 'export-upload') {
    const files = new ReportFiles(client, () => ({ bucket: REPORTS_BUCKET }));
    const upload = files.upload('bench/report.csv', 'text/csv');
    const result = await exporter.write(stream, report, upload.stream, {
      plan,
      now,
    });
    outputBytes = await upload.done;
    rows = result.rowsWritten;
  } else {
    const sink = new CountingSink({ highWaterMark: 1024 * 1024 });
    const result = await exporter.write(stream, report, sink, { plan, now });
    outputBytes = sink.bytes;
    rows = result.rowsWritten;
    checkCsv(sink.head);
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const s3CpuSeconds = fromDisk
    ? 0
    : cpuSeconds(manifest.s3Pid ?? -1) - s3CpuBefore;
  await workers.close();
  client.destroy();
  process.stdout.write(
    `${JSON.stringify({
      seconds,
      rows,
      outputBytes,
      inputBytes: plan.bytesEstimated,
      idleRssMiB,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      s3CpuSeconds,
    })}\n`,
  );
}

// ------------------------------------------------------------------ main

async function generate(dir: string, endpoint: string): Promise<Manifest> {
  const hours = Number(flags.hours);
  const objectsPerHour = Number(flags['objects-per-hour']);
  const target = Number(flags.gib) * 1024 * MiB;
  // About 340 bytes per event.
  const events = Math.ceil(target / 340 / (hours * objectsPerHour));
  const client = createLocalS3Client(endpoint);
  const filesDir = path.join(dir, 'files');
  let ndjsonBytes = 0;
  let gzipBytes = 0;
  const jobs: Array<[number, number]> = [];
  for (let h = 0; h < hours; h++)
    for (let o = 0; o < objectsPerHour; o++) jobs.push([h, o]);
  const start = performance.now();
  await mapWithConcurrency(jobs, 4, async ([h, o]) => {
    const body = objectBody(h, o, objectsPerHour, events);
    const gz = gzipSync(body, { level: 1 });
    ndjsonBytes += Buffer.byteLength(body);
    gzipBytes += gz.length;
    const hourStart = DAY_START + h * 3_600_000;
    const stamp = new Date(hourStart + o * 60_000)
      .toISOString()
      .slice(0, 19)
      .replace(/[T:]/g, '-');
    const key = `${hourPrefix(
      'events/',
      hourStart,
    )}rti-transaction-logs-1-${stamp}-${o}.gz`;
    fs.mkdirSync(path.dirname(path.join(filesDir, key)), { recursive: true });
    fs.writeFileSync(path.join(filesDir, key), gz);
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gz }),
    );
  });
  client.destroy();
  console.log(
    `report benchmark: ${jobs.length} objects, ${(
      hours *
      objectsPerHour *
      events
    ).toLocaleString()} events, ${(ndjsonBytes / MiB).toFixed(
      0,
    )} MiB NDJSON (${(gzipBytes / MiB).toFixed(0)} MiB gzip), generated in ${(
      (performance.now() - start) /
      1000
    ).toFixed(0)} s; ${
      os.cpus().length
    } cores; export: raw events → CSV, the default 11 columns\n`,
  );
  return {
    endpoint,
    filesDir,
    hours,
    ndjsonBytes,
    events: hours * objectsPerHour * events,
    objects: jobs.length,
  };
}

async function main() {
  if (flags.phase) {
    const manifest = JSON.parse(
      fs.readFileSync(flags.manifest!, 'utf8'),
    ) as Manifest;
    await phase(flags.phase, manifest);
    process.exit(0); // (writes a --cpu-prof profile, unlike a SIGTERM)
  }
  const dir =
    flags.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rti-bench-report-'));
  const manifestFile = path.join(dir, 'manifest.json');
  const reuse = flags.data !== undefined && fs.existsSync(manifestFile);
  fs.mkdirSync(dir, { recursive: true });
  const s3 = await startS3Child([BUCKET, REPORTS_BUCKET], path.join(dir, 's3'));
  try {
    let manifest: Manifest;
    if (reuse) {
      manifest = {
        ...(JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest),
        endpoint: s3.endpoint,
        s3Pid: s3.child.pid,
      };
      console.log(
        `report benchmark: reusing ${
          manifest.objects
        } objects, ${manifest.events.toLocaleString()} events, ${(
          manifest.ndjsonBytes / MiB
        ).toFixed(0)} MiB NDJSON from ${dir}\n`,
      );
    } else {
      manifest = { ...(await generate(dir, s3.endpoint)), s3Pid: s3.child.pid };
    }
    // Phases run compiled, as a build runs the plugin (see compiled.ts).
    const workerFile = compileObjectWorker();
    const phaseFile = compileForBench(
      'plugins/realtime-insights-backend/bench/report.ts',
      'report',
    );
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    console.log(
      `exports use ${
        flags.threads
      } object worker threads; phases and workers compiled, as in a build; ${
        os.cpus().length
      } cores; CPU: seconds of CPU time used by the run's process and by the local S3 server, which share the cores\n`,
    );
    const rows: Array<[string, string]> = [
      ['baseline', 'fetch + gunzip + JSON.parse, from S3 (no output)'],
      ['export', 'export raw → CSV, from S3, to a counting sink'],
      ['export-upload', 'export raw → CSV, from S3, multipart upload to S3'],
      ['baseline-disk', 'fetch + gunzip + JSON.parse, from local disk'],
      ['export-disk', 'export raw → CSV, from local disk, to a counting sink'],
    ];
    console.log(
      `${'run'.padEnd(56)}${'s'.padStart(7)}${'in MiB/s'.padStart(
        10,
      )}${'out MiB/s'.padStart(11)}${'out MiB'.padStart(9)}${'rows'.padStart(
        11,
      )}${'RSS idle/peak MiB'.padStart(19)}${'CPU s run/S3'.padStart(14)}`,
    );
    const results = new Map<string, { seconds: number }>();
    const selected = flags.only
      ? rows.filter(([name]) => flags.only!.split(',').includes(name))
      : rows;
    for (const [name, label] of selected) {
      const child = startNodeChild(phaseFile, [
        '--phase',
        name,
        '--manifest',
        manifestFile,
        '--threads',
        flags.threads!,
        '--worker-file',
        workerFile,
      ]);
      const line = await child.firstLine;
      await new Promise(resolve =>
        child.child.exitCode === null
          ? child.child.once('exit', resolve)
          : resolve(undefined),
      );
      const r = JSON.parse(line) as {
        seconds: number;
        rows: number;
        outputBytes: number;
        inputBytes: number;
        idleRssMiB: number;
        peakRssMiB: number;
        cpuSeconds: number;
        s3CpuSeconds: number;
      };
      results.set(name, r);
      console.log(
        `${label.padEnd(56)}${r.seconds.toFixed(2).padStart(7)}${(
          manifest.ndjsonBytes /
          MiB /
          r.seconds
        )
          .toFixed(0)
          .padStart(10)}${(r.outputBytes / MiB / r.seconds)
          .toFixed(0)
          .padStart(11)}${(r.outputBytes / MiB).toFixed(0).padStart(9)}${r.rows
          .toLocaleString()
          .padStart(11)}${`${r.idleRssMiB.toFixed(0)} / ${r.peakRssMiB.toFixed(
          0,
        )}`.padStart(19)}${`${r.cpuSeconds.toFixed(
          1,
        )} / ${r.s3CpuSeconds.toFixed(1)}`.padStart(14)}`,
      );
    }
    const ratio = (a: string, b: string) =>
      (results.get(a)!.seconds / results.get(b)!.seconds).toFixed(2);
    if (selected.length !== rows.length) return;
    console.log('');
    console.log(
      `export / baseline time: ${ratio('export', 'baseline')}x from S3, ${ratio(
        'export-disk',
        'baseline-disk',
      )}x from disk; from S3 / from disk: ${ratio('export', 'export-disk')}x`,
    );
  } finally {
    await stopChild(s3.child);
    if (!flags.data) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
