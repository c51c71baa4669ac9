/*
 * The end-to-end slice against real parts: device records go through the
 * real Firehose SDK client into firehose-local (with the record transform),
 * land in a real s3rver, and the backend plugin (in a test backend, cache in
 * the real Redis) answers the record counts over HTTP.
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  FirehoseSender,
  createFleet,
  createRng,
  generateRecord,
} from '@internal/device-simulator';
import {
  FirehoseLocal,
  defaultStreamConfig,
  startFirehoseLocal,
} from '@internal/firehose-local';
import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { DeviceRecord } from '@internal/plugin-realtime-insights-common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REDIS_URL } from './__testUtils__/redis';
import {
  PluginBackend,
  startPluginBackend,
  streamEntity,
} from './__testUtils__/startPluginBackend';

const quietLogger = { info() {}, warn() {}, error() {} };

describe('slice: devices → Firehose → S3 → backend API', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let s3: LocalS3;
  let firehose: FirehoseLocal;
  let walDir: string;
  let backend: PluginBackend | undefined;

  beforeAll(async () => {
    s3 = await startLocalS3([
      'rti-interactions',
      'rti-transaction-logs',
      'rti-raw-backup',
    ]);
    walDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rti-slice-wal-'));
    firehose = await startFirehoseLocal({
      config: {
        port: 0,
        walDir,
        s3: { endpoint: s3.endpoint, credentials: s3.credentials },
        streams: [
          defaultStreamConfig('interactions', {
            bufferingHints: { sizeInMBs: 1, intervalInSeconds: 1 },
          }),
          defaultStreamConfig('transaction-logs', {
            bufferingHints: { sizeInMBs: 1, intervalInSeconds: 1 },
          }),
        ],
      },
      logger: quietLogger,
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await firehose?.stop();
    await s3?.stop();
    fs.rmSync(walDir, { recursive: true, force: true });
  });

  it('counts exactly the events the devices sent, per minute', async () => {
    // Three minutes of records from 40 devices, a few of them malformed.
    const fleet = createFleet({ devices: 40, seed: 7 });
    const rng = createRng(11);
    // Recent minutes: Firehose partitions by arrival (now), and the engine
    // reads arrivals up to the configured lateness after the range.
    const firstMinute = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000;
    const records: Buffer[] = [];
    const expected = new Map<string, number>();
    for (let m = 0; m < 3; m++) {
      for (const device of fleet) {
        const record = generateRecord(
          'interactions',
          device,
          new Date(firstMinute + m * 60_000),
          rng,
        ) as DeviceRecord;
        for (const event of record.events) {
          const minute = new Date(
            Math.floor(Date.parse(event.at) / 60_000) * 60_000,
          ).toISOString();
          expected.set(minute, (expected.get(minute) ?? 0) + 1);
        }
        records.push(Buffer.from(JSON.stringify(record)));
      }
    }
    const bad = generateRecord(
      'interactions',
      fleet[0],
      new Date(firstMinute),
      rng,
      { bad: true },
    );
    records.push(
      Buffer.from(typeof bad === 'string' ? bad : JSON.stringify(bad)),
    );

    const client = new FirehoseClient({
      endpoint: firehose.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const sender = new FirehoseSender({ client });
    const sent = await sender.send('rti-interactions', records);
    expect(sent.acked).toBe(records.length);
    await firehose.flush();
    client.destroy();

    // The malformed record is kept, raw, under the error prefix.
    expect(
      await s3.listKeys('rti-interactions', 'errors/processing-failed/'),
    ).toHaveLength(1);

    backend = await startPluginBackend({
      s3,
      database: await databases.init('SQLITE_3'),
      config: { cache: { type: 'redis', redis: { url: REDIS_URL } } },
      // The stream is registered in the catalog, as teams do.
      entities: [
        streamEntity({
          name: 'interactions',
          bucket: 'rti-interactions',
          owner: 'group:default/mobile-analytics',
          measures: 'durationMs',
          dimensions: 'type,screen',
        }),
      ],
    });

    const query = `bucket=1m&from=${new Date(
      firstMinute,
    ).toISOString()}&to=${new Date(firstMinute + 3 * 60_000).toISOString()}`;
    const url = `/streams/interactions/timeseries?${query}`;
    const unauthenticated = await backend.anonymous.get(url);
    expect(unauthenticated.status).toBe(401);

    const response = await backend.asUser.get(url);
    expect(response.status).toBe(200);
    const counts = Object.fromEntries(
      response.body.buckets.map((b: { start: string; count: number }) => [
        b.start,
        b.count,
      ]),
    );
    expect(counts).toEqual(Object.fromEntries(expected));
  });
});
