import {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  DimensionFilter,
  realtimeInsightsAdminPermission,
} from '@internal/plugin-realtime-insights-common';
import { LocalS3 } from '@internal/local-s3';
import { Knex } from 'knex';
import { gzipSync } from 'node:zlib';
import {
  RealtimeInsightsConfig,
  realtimeInsightsConfigSchema,
} from '../../../config';
import { migrateDatabase } from '../../../database';
import { ObjectStore, S3ObjectStore } from '../../ObjectStore';
import {
  defaultEngineSettings,
  EngineStream,
  QueryEngine,
  hourPrefix,
} from '../../QueryEngine';
import { withValueAt } from '../../Settings/settingFields';
import { SummaryCache } from '../../SummaryCache';
import { ReportExporter } from '../ReportExporter';
import { ReportFiles } from '../ReportFiles';
import { ReportJobRunner } from '../ReportJobRunner';
import { ReportService } from '../ReportService';
import { ReportStore } from '../ReportStore';
import { rng } from '../../../__testUtils__/random';

export const EVENTS_BUCKET = `rti-report-events-${process.pid}`;
export const REPORTS_BUCKET = `rti-report-files-${process.pid}`;
/** The first event hour; all hours are closed at NOW. */
export const START = Date.parse('2026-11-23T10:00:00Z');
export const NOW = Date.parse('2026-11-24T00:00:00Z');

export const stream: EngineStream = {
  name: 'transaction-logs',
  bucket: EVENTS_BUCKET,
  prefix: 'events/',
  firehoseStream: 'rti-transaction-logs',
  timestampField: 'ts',
  measures: ['amount', 'latencyMs'],
  dimensions: ['status', 'currency'],
};

export const alice = mockCredentials.user('user:default/alice');
export const bob = mockCredentials.user('user:default/bob');
export const admin = mockCredentials.user('user:default/admin');

export type TestEvent = {
  eventId: string;
  ts: string;
  arrivedAt: string;
  deviceId: string;
  customerId: string;
  status: string;
  currency: string;
  amount: number;
  latencyMs: number;
  note?: unknown;
};

const NOTES: unknown[] = [
  'ok',
  '=HYPERLINK("http://evil.example")',
  '+1+2',
  '-3-4',
  '@SUM(A1)',
  'comma, inside',
  'quote "inside"',
  'line\nbreak',
  { nested: true },
  null,
];

export type TestObject = { key: string; body: Buffer; lines: string[] };

const stampOf = (ms: number) =>
  new Date(ms).toISOString().slice(0, 19).replace(/[T:]/g, '-');
const keyOf = (arrival: number, n: number) =>
  `${hourPrefix(
    'events/',
    Math.floor(arrival / 3_600_000) * 3_600_000,
  )}rti-transaction-logs-1-${stampOf(arrival)}-${n}.gz`;

/**
 * Three hours of transaction events in Firehose's layout: an object every
 * 10 minutes with 300 events (some with formula-like, comma, quote and
 * newline notes), one object re-delivered a minute later, bad lines, and
 * one object stored without gzip.
 */
export function generateObjects(): TestObject[] {
  const random = rng(11);
  const objects: TestObject[] = [];
  let id = 0;
  for (let o = 0; o < 18; o++) {
    const arrival = START + o * 10 * 60_000 + 9 * 60_000;
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      const ts = arrival - Math.floor(random() * 10 * 60_000);
      const event: TestEvent = {
        eventId: `evt-${(id++).toString(16).padStart(8, '0')}`,
        ts: new Date(ts).toISOString(),
        arrivedAt: new Date(arrival).toISOString(),
        deviceId: `d${Math.floor(random() * 200)}`,
        customerId: `c${Math.floor(random() * 50)}`,
        status: random() < 0.1 ? 'declined' : 'approved',
        currency: ['USD', 'EUR', 'GBP'][Math.floor(random() * 3)],
        amount: Math.round(random() * 100_000) / 100,
        latencyMs: Math.floor(50 + random() * 900),
      };
      if (random() < 0.3)
        event.note = NOTES[Math.floor(random() * NOTES.length)];
      lines.push(JSON.stringify(event));
    }
    if (o === 7) lines.splice(10, 0, 'not json at all', '{"ts": broken');
    const text = `${lines.join('\n')}\n`;
    objects.push({
      key: keyOf(arrival, o),
      body: o === 9 ? Buffer.from(text) : gzipSync(text),
      lines,
    });
    if (o === 4) {
      // Firehose re-delivered this object a minute later.
      objects.push({
        key: keyOf(arrival + 60_000, 100 + o),
        body: gzipSync(text),
        lines,
      });
    }
  }
  return objects.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** The events a raw report of the range and filters holds, in order. */
export function expectedEvents(
  objects: TestObject[],
  range: { fromMs: number; toMs: number },
  filters: DimensionFilter[] = [],
): TestEvent[] {
  const seen = new Set<string>();
  const out: TestEvent[] = [];
  for (const object of objects) {
    for (const line of object.lines) {
      let event: TestEvent;
      try {
        event = JSON.parse(line);
      } catch {
        continue;
      }
      const ts = Date.parse(event.ts);
      if (!(ts >= range.fromMs && ts < range.toMs)) continue;
      const record = event as unknown as Record<string, unknown>;
      if (
        !filters.every(f =>
          f.values.includes(String(record[f.field] ?? '\u0000')),
        )
      ) {
        continue;
      }
      if (seen.has(event.eventId)) continue;
      seen.add(event.eventId);
      out.push(event);
    }
  }
  return out;
}

export const engineSettings = defaultEngineSettings({
  maxConcurrency: 4,
  cacheTtlSeconds: 600,
});

/** Decisions of a test permission policy, changeable per test. */
export type Decisions = {
  create: boolean;
  share: boolean;
  admins: string[];
  /** Who may read the stream now; unset: everyone. */
  readers?: string[];
  /** Whether an admin left the stream on. Default true. */
  streamEnabled?: boolean;
};

function permissionsFor(decisions: Decisions): PermissionsService {
  const base = mockServices.permissions.mock();
  base.authorize.mockImplementation(async (requests, options) =>
    requests.map(request => {
      const user = (
        options.credentials as BackstageCredentials<BackstageUserPrincipal>
      ).principal.userEntityRef;
      const name = request.permission.name;
      let allow = false;
      if (name === realtimeInsightsAdminPermission.name) {
        allow = decisions.admins.includes(user);
      } else if (name === 'realtime-insights.report.create') {
        allow = decisions.create;
      } else if (name === 'realtime-insights.report.share') {
        allow = decisions.share;
      }
      return { result: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }),
  );
  return base;
}

/**
 * The report services over a real S3 server, cache and database, the way
 * the plugin wires them. `settings`, `decisions` and `clock` can be changed
 * by a test; `wrapStore` injects slowness or faults into event reads.
 */
export async function createReportStack(options: {
  knex: Knex;
  s3: LocalS3;
  cache: SummaryCache;
  config?: object;
  wrapStore?: (store: ObjectStore) => ObjectStore;
  replicaId?: string;
}) {
  const settings = {
    current: realtimeInsightsConfigSchema.parse({
      reports: {
        s3: { bucket: REPORTS_BUCKET },
        jobs: { retryDelaySeconds: 0, maxAttempts: 2 },
      },
      ...options.config,
    }),
    /** Changes one setting (`reports.s3.bucket`), as an admin would. */
    set(path: string, value: unknown) {
      settings.current = withValueAt(
        settings.current,
        path,
        value,
      ) as RealtimeInsightsConfig;
    },
  };
  const decisions: Decisions = {
    create: true,
    share: true,
    admins: [admin.principal.userEntityRef],
  };
  const clock = { now: NOW };
  const logger = mockServices.logger.mock();
  const s3Store = new S3ObjectStore(options.s3.client);
  const store = options.wrapStore ? options.wrapStore(s3Store) : s3Store;
  const engine = new QueryEngine({
    storeFor: () => store,
    cache: options.cache,
    logger,
    settings: () => engineSettings,
  });
  const db = await migrateDatabase({
    getClient: async () => options.knex,
  });
  const reportStore = new ReportStore(db);
  const exporter = new ReportExporter({
    engine,
    storeFor: () => store,
    cache: options.cache,
    settings: () => settings.current,
    logger,
  });
  const files = new ReportFiles(options.s3.client, () => ({
    bucket: settings.current.reports.s3.bucket,
  }));
  const runner = new ReportJobRunner({
    store: reportStore,
    exporter,
    files,
    streamFor: async name =>
      name === stream.name
        ? { ...stream, enabled: decisions.streamEnabled ?? true }
        : undefined,
    settings: () => settings.current,
    logger,
    replicaId: options.replicaId,
    progressIntervalMs: 0,
    pollIntervalMs: 20,
    now: () => clock.now,
  });
  const wakes: number[] = [];
  const service = new ReportService({
    store: reportStore,
    exporter,
    files,
    readableStream: async (name, credentials) => {
      const reader = credentials.principal.userEntityRef;
      if (
        name !== stream.name ||
        (decisions.readers && !decisions.readers.includes(reader))
      ) {
        throw new NotFoundError(`No stream '${name}'`);
      }
      return stream;
    },
    permissions: permissionsFor(decisions),
    settings: () => settings.current,
    wake: () => wakes.push(clock.now),
    logger,
    now: () => clock.now,
  });
  return {
    db,
    settings,
    decisions,
    clock,
    logger,
    reportStore,
    exporter,
    files,
    runner,
    service,
    wakes,
  };
}

/** Uploads the objects into the events bucket. */
export async function putObjects(s3: LocalS3, objects: TestObject[]) {
  for (const object of objects)
    await s3.put(EVENTS_BUCKET, object.key, object.body);
}

/** Reads a stream to the end. */
export async function readBody(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
