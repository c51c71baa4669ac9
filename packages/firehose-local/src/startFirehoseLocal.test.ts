import http from 'node:http';
import { rmSync } from 'node:fs';
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  InvalidArgumentException,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  ResourceNotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { defaultStreamConfig, FirehoseLocalConfig } from './config';
import {
  LocalS3,
  LOCAL_S3_CREDENTIALS as S3RVER_CREDENTIALS,
  startLocalS3,
} from '@internal/local-s3';
import {
  eventually,
  interactionsRecord,
  tempDir,
  toData,
} from './__testUtils__/records';
import {
  FirehoseLocalWithTestHooks,
  startFirehoseLocalWithTestHooks,
} from './startFirehoseLocal';

const BUCKETS = ['rti-interactions', 'rti-raw-backup', 'plain'];

const hourPrefix = (root: string, at: number) => {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${root}year=${d.getUTCFullYear()}/month=${p(
    d.getUTCMonth() + 1,
  )}/day=${p(d.getUTCDate())}/hour=${p(d.getUTCHours())}/`;
};

const OBJECT_NAME =
  /rti-interactions-1-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.gz$/;

describe('firehose-local', () => {
  let s3: LocalS3;
  const running: FirehoseLocalWithTestHooks[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    s3 = await startLocalS3(BUCKETS);
  });

  afterAll(async () => {
    await s3.stop();
  });

  afterEach(async () => {
    for (const server of running.splice(0)) await server.stop();
    for (const dir of dirs.splice(0))
      rmSync(dir, { recursive: true, force: true });
  });

  async function start(
    overrides: Partial<FirehoseLocalConfig> = {},
    walDir = tempDir('wal'),
  ) {
    dirs.push(walDir);
    const server = await startFirehoseLocalWithTestHooks({
      config: {
        port: 0,
        walDir,
        s3: { endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS },
        streams: [
          defaultStreamConfig('interactions', {
            bufferingHints: { sizeInMBs: 128, intervalInSeconds: 900 },
          }),
          {
            name: 'plain',
            bucket: 'plain',
            prefix: 'raw/',
            compression: 'UNCOMPRESSED',
            newlineDelimiter: true,
            bufferingHints: { sizeInMBs: 1, intervalInSeconds: 900 },
          },
        ],
        ...overrides,
      },
    });
    running.push(server);
    return server;
  }

  function client(url: string, options: { maxAttempts?: number } = {}) {
    return new FirehoseClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: options.maxAttempts ?? 1,
    });
  }

  async function clearBuckets() {
    // Each test uses fresh key space by checking only keys it did not see before.
    return Object.fromEntries(
      await Promise.all(
        BUCKETS.map(async b => [b, new Set(await s3.listKeys(b))]),
      ),
    ) as Record<string, Set<string>>;
  }

  async function newKeys(before: Record<string, Set<string>>, bucket: string) {
    return (await s3.listKeys(bucket)).filter(k => !before[bucket].has(k));
  }

  it('delivers a PutRecordBatch as transformed, gzipped NDJSON with backup and error documents', async () => {
    const before = await clearBuckets();
    const server = await start();
    const firehose = client(server.url);

    const good = [
      interactionsRecord(1, 2),
      interactionsRecord(2, 3),
      interactionsRecord(3, 1),
    ];
    const notJson = 'this is not json';
    const wrongClass = {
      ...interactionsRecord(4),
      schema: 'sensor-readings/v1',
    };
    const sent = [
      toData(good[0]),
      toData(notJson),
      toData(good[1]),
      toData(wrongClass),
      toData(good[2]),
    ];

    const sentAt = Date.now();
    const response = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'rti-interactions',
        Records: sent.map(Data => ({ Data })),
      }),
    );
    const ackedAt = Date.now();
    expect(response.FailedPutCount).toBe(0);
    expect(response.Encrypted).toBe(false);
    expect(response.RequestResponses).toHaveLength(5);

    await server.flush();

    // Main output: one object, Hive-style hour prefix, Firehose object name.
    const events = await newKeys(before, 'rti-interactions');
    const main = events.filter(k => k.startsWith('events/'));
    expect(main).toHaveLength(1);
    expect([
      hourPrefix('events/', sentAt),
      hourPrefix('events/', ackedAt),
    ]).toContain(main[0].slice(0, main[0].lastIndexOf('/') + 1));
    const name = OBJECT_NAME.exec(main[0]);
    expect(name).not.toBeNull();
    const nameTime = Date.UTC(
      +name![1],
      +name![2] - 1,
      +name![3],
      +name![4],
      +name![5],
      +name![6],
    );
    expect(nameTime).toBeGreaterThanOrEqual(Math.floor(sentAt / 1000) * 1000);
    expect(nameTime).toBeLessThanOrEqual(ackedAt);

    const lines = (await s3.readText('rti-interactions', main[0])).split('\n');
    expect(lines.pop()).toBe('');
    const flat = lines.map(l => JSON.parse(l));
    expect(flat).toHaveLength(6);
    expect(flat.map(e => e.deviceId)).toEqual([
      'dev-1',
      'dev-1',
      'dev-2',
      'dev-2',
      'dev-2',
      'dev-3',
    ]);
    for (const event of flat) {
      expect(event).toMatchObject({ class: 'interactions', type: 'tap' });
      expect(event.eventId).toMatch(/^[0-9a-f]{32}$/);
      expect(Date.parse(event.arrivedAt)).toBeGreaterThanOrEqual(
        Math.floor(sentAt / 1000) * 1000,
      );
    }

    // Error documents: one per failed record, raw bytes preserved.
    const errors = events.filter(k => k.startsWith('errors/'));
    expect(errors).toHaveLength(1);
    expect(
      errors[0].startsWith(hourPrefix('errors/processing-failed/', sentAt)) ||
        errors[0].startsWith(hourPrefix('errors/processing-failed/', ackedAt)),
    ).toBe(true);
    expect(errors[0]).toMatch(OBJECT_NAME);
    const documents = (await s3.readText('rti-interactions', errors[0]))
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(documents).toHaveLength(2);
    for (const doc of documents) {
      expect(Object.keys(doc).sort()).toEqual(
        [
          'arrivalTimestamp',
          'attemptEndingTimestamp',
          'attemptsMade',
          'errorCode',
          'errorMessage',
          'lambdaArn',
          'rawData',
        ].sort(),
      );
      expect(doc).toMatchObject({
        attemptsMade: 1,
        errorCode: 'Lambda.ProcessingFailed',
        lambdaArn:
          'arn:aws:lambda:us-east-1:000000000000:function:record-transform',
      });
      expect(doc.arrivalTimestamp).toBeGreaterThanOrEqual(sentAt);
      expect(doc.arrivalTimestamp).toBeLessThanOrEqual(ackedAt);
      expect(doc.attemptEndingTimestamp).toBeGreaterThanOrEqual(
        doc.arrivalTimestamp,
      );
    }
    expect(
      documents.map(d => Buffer.from(d.rawData, 'base64').toString()),
    ).toEqual([notJson, JSON.stringify(wrongClass)]);
    expect(documents[0].errorMessage).toMatch(/not valid JSON/);
    expect(documents[1].errorMessage).toMatch(/sensor/);

    // Backup ALL: every raw record, newline-delimited, gzipped.
    const backups = await newKeys(before, 'rti-raw-backup');
    expect(backups).toHaveLength(1);
    const d = new Date(sentAt);
    const p = (n: number) => String(n).padStart(2, '0');
    expect(
      backups[0].startsWith(
        `interactions/${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/`,
      ),
    ).toBe(true);
    expect(backups[0]).toMatch(OBJECT_NAME);
    expect(await s3.readText('rti-raw-backup', backups[0])).toBe(
      `${sent.map(b => b.toString()).join('\n')}\n`,
    );

    expect(server.metrics()).toMatchObject({
      streams: {
        'rti-interactions': {
          recordsIn: 5,
          recordsDelivered: 3,
          recordsProcessingFailed: 2,
          recordsDropped: 0,
          recordsBackedUp: 5,
          bufferedRecords: 0,
          bufferedBytes: 0,
        },
      },
    });
  });

  it('speaks the Firehose API contract', async () => {
    const server = await start();
    const firehose = client(server.url);

    const batch = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'plain',
        Records: Array.from({ length: 500 }, (_, i) => ({
          Data: toData(`r${i}`),
        })),
      }),
    );
    const ids = batch.RequestResponses!.map(r => r.RecordId);
    expect(ids).toHaveLength(500);
    expect(new Set(ids).size).toBe(500);
    expect(ids.every(id => typeof id === 'string' && id.length > 20)).toBe(
      true,
    );
    expect(batch.RequestResponses!.every(r => r.ErrorCode === undefined)).toBe(
      true,
    );

    const single = await firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: 'plain',
        Record: { Data: toData('one') },
      }),
    );
    expect(single).toMatchObject({ Encrypted: false });
    expect(ids).not.toContain(single.RecordId);

    await expect(
      firehose.send(
        new PutRecordCommand({
          DeliveryStreamName: 'nope',
          Record: { Data: toData('x') },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    const tooMany = new PutRecordBatchCommand({
      DeliveryStreamName: 'plain',
      Records: Array.from({ length: 501 }, () => ({ Data: toData('x') })),
    });
    await expect(firehose.send(tooMany)).rejects.toBeInstanceOf(
      InvalidArgumentException,
    );

    const bigRecord = Buffer.alloc(1000 * 1024 + 1, 0x61);
    await expect(
      firehose.send(
        new PutRecordCommand({
          DeliveryStreamName: 'plain',
          Record: { Data: bigRecord },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidArgumentException);
    // Exactly 1,000 KiB is allowed.
    await firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: 'plain',
        Record: { Data: bigRecord.subarray(1) },
      }),
    );

    const nearMax = Buffer.alloc(1000 * 1024, 0x62);
    await expect(
      firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'plain',
          Records: Array.from({ length: 5 }, () => ({ Data: nearMax })),
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidArgumentException);

    await expect(
      firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'plain', Records: [] }),
      ),
    ).rejects.toBeInstanceOf(InvalidArgumentException);

    // Malformed bodies and unknown operations are clear 400s.
    const raw = (target: string, body: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': target,
        },
        body,
      });
    const malformed = await raw(
      'Firehose_20150804.PutRecord',
      '{"DeliveryStreamName":',
    );
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      __type: 'SerializationException',
    });
    const unknown = await raw('Firehose_20150804.DeleteDeliveryStream', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      __type: 'UnknownOperationException',
    });
    const badBase64 = await raw(
      'Firehose_20150804.PutRecord',
      JSON.stringify({ DeliveryStreamName: 'plain', Record: { Data: '***' } }),
    );
    expect(badBase64.status).toBe(400);

    const list = await firehose.send(new ListDeliveryStreamsCommand({}));
    expect(list.DeliveryStreamNames).toEqual(['plain', 'rti-interactions']);
    expect(list.HasMoreDeliveryStreams).toBe(false);
    const page = await firehose.send(
      new ListDeliveryStreamsCommand({ Limit: 1 }),
    );
    expect(page).toMatchObject({
      DeliveryStreamNames: ['plain'],
      HasMoreDeliveryStreams: true,
    });
    const next = await firehose.send(
      new ListDeliveryStreamsCommand({
        ExclusiveStartDeliveryStreamName: 'plain',
      }),
    );
    expect(next.DeliveryStreamNames).toEqual(['rti-interactions']);

    const { DeliveryStreamDescription: description } = await firehose.send(
      new DescribeDeliveryStreamCommand({
        DeliveryStreamName: 'rti-interactions',
      }),
    );
    expect(description).toMatchObject({
      DeliveryStreamName: 'rti-interactions',
      DeliveryStreamARN:
        'arn:aws:firehose:us-east-1:000000000000:deliverystream/rti-interactions',
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      VersionId: '1',
      HasMoreDestinations: false,
      Destinations: [
        {
          DestinationId: 'destinationId-000000000001',
          ExtendedS3DestinationDescription: {
            BucketARN: 'arn:aws:s3:::rti-interactions',
            Prefix: expect.stringContaining('events/year=!{timestamp:yyyy}'),
            ErrorOutputPrefix: expect.stringContaining(
              '!{firehose:error-output-type}',
            ),
            BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 900 },
            CompressionFormat: 'GZIP',
            S3BackupMode: 'Enabled',
            S3BackupDescription: {
              BucketARN: 'arn:aws:s3:::rti-raw-backup',
              Prefix: 'interactions/',
            },
            ProcessingConfiguration: {
              Enabled: true,
              Processors: [
                {
                  Type: 'Lambda',
                  Parameters: [
                    {
                      ParameterName: 'LambdaArn',
                      ParameterValue:
                        'arn:aws:lambda:us-east-1:000000000000:function:record-transform',
                    },
                  ],
                },
              ],
            },
          },
        },
      ],
    });
    expect(description!.CreateTimestamp).toBeInstanceOf(Date);
    await expect(
      firehose.send(
        new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'nope' }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      streams: { plain: { recordsIn: 502 } },
    });
  });

  it('flushes by size without being asked', async () => {
    const before = await clearBuckets();
    const server = await start();
    const firehose = client(server.url);
    const record = Buffer.alloc(300 * 1024, 0x61);
    for (let i = 0; i < 3; i++) {
      await firehose.send(
        new PutRecordCommand({
          DeliveryStreamName: 'plain',
          Record: { Data: record },
        }),
      );
    }
    // 900 KiB is under the 1 MiB hint: still buffered.
    expect(server.metrics()).toMatchObject({
      streams: { plain: { bufferedRecords: 3 } },
    });
    expect(await newKeys(before, 'plain')).toEqual([]);

    await firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: 'plain',
        Record: { Data: record },
      }),
    );
    const keys = await eventually(async () => {
      const found = await newKeys(before, 'plain');
      return found.length ? found : undefined;
    });
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(
      /^raw\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/plain-1-[\d-]+-[0-9a-f-]{36}$/,
    );
    // Uncompressed, a newline after each record.
    const body = await s3.getObject('plain', keys[0]);
    expect(body.length).toBe(4 * (record.length + 1));
    await eventually(() =>
      (server.metrics() as any).streams.plain.bufferedRecords === 0
        ? true
        : undefined,
    );
  });

  it('flushes by interval without being asked', async () => {
    const before = await clearBuckets();
    const server = await start({
      streams: [
        {
          name: 'plain',
          bucket: 'plain',
          prefix: 'interval/!{firehose:random-string}/',
          errorOutputPrefix: 'interval-errors/!{firehose:error-output-type}/',
          compression: 'UNCOMPRESSED',
          bufferingHints: { sizeInMBs: 128, intervalInSeconds: 0 },
        },
      ],
    });
    const firehose = client(server.url);
    await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'plain',
        Records: [{ Data: toData('a\n') }, { Data: toData('b\n') }],
      }),
    );
    const keys = await eventually(async () => {
      const found = await newKeys(before, 'plain');
      return found.length ? found : undefined;
    });
    expect(keys[0]).toMatch(/^interval\/[A-Za-z0-9]{11}\/plain-1-/);
    expect((await s3.getObject('plain', keys[0])).toString()).toBe('a\nb\n');
  });

  it('delivers every acknowledged record after a crash', async () => {
    const before = await clearBuckets();
    const walDir = tempDir('wal-crash');
    const first = await start({}, walDir);
    const firehose = client(first.url);
    const sent: string[] = [];
    const put = async (n: number) => {
      const records = Array.from({ length: n }, () =>
        interactionsRecord(sent.length + 1, 1),
      ).map((r, i) => ({ ...r, deviceId: `crash-${sent.length + i}` }));
      sent.push(...records.map(r => r.deviceId));
      await firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'rti-interactions',
          Records: records.map(r => ({ Data: toData(r) })),
        }),
      );
    };
    await put(10);
    await first.flush(); // some delivered before the crash
    await Promise.all([put(20), put(30), put(40)]); // group-committed, not delivered
    expect((first.metrics() as any).wal.pendingRecords).toBe(90);
    await first.crash();
    running.splice(running.indexOf(first), 1);

    const second = await start({}, walDir);
    await second.flush();
    const keys = (await newKeys(before, 'rti-interactions')).filter(k =>
      k.startsWith('events/'),
    );
    const delivered = new Set<string>();
    for (const key of keys) {
      for (const line of (await s3.readText('rti-interactions', key))
        .trim()
        .split('\n')) {
        delivered.add(JSON.parse(line).deviceId);
      }
    }
    expect(sent.filter(id => !delivered.has(id))).toEqual([]);
    expect(delivered.size).toBe(100);
    // Replayed records keep their original arrival time and stream.
    expect(second.metrics()).toMatchObject({
      wal: { segments: 0, pendingRecords: 0 },
      streams: { 'rti-interactions': { recordsDelivered: 90 } },
    });
  });

  it('gives back the log when it cannot listen', async () => {
    const taken = await start();
    const walDir = tempDir('wal-no-port');
    await expect(start({ port: taken.port }, walDir)).rejects.toThrow(
      /EADDRINUSE/,
    );
    // The log's lock was released: another server can use the directory.
    const next = await start({}, walDir);
    expect(next.port).not.toBe(taken.port);
  });

  it('answers 503 instead of growing memory past the limit', async () => {
    const server = await start({ maxBufferedMBs: 1 });
    const firehose = client(server.url);
    const record = Buffer.alloc(700 * 1024, 0x61);
    await firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: 'rti-interactions',
        Record: { Data: record },
      }),
    );
    await expect(
      firehose.send(
        new PutRecordCommand({
          DeliveryStreamName: 'rti-interactions',
          Record: { Data: record },
        }),
      ),
    ).rejects.toBeInstanceOf(ServiceUnavailableException);
    expect(server.metrics()).toMatchObject({ requests: { throttled: 1 } });
    await server.flush();
    // Delivered: room again.
    await firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: 'rti-interactions',
        Record: { Data: record },
      }),
    );
  });

  it('verifies SigV4 signatures when access keys are configured', async () => {
    const server = await start({
      accessKeys: [{ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret' }],
    });
    const bad = client(server.url);
    await expect(
      bad.send(new ListDeliveryStreamsCommand({})),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    const wrongSecret = new FirehoseClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'guess' },
    });
    await expect(
      wrongSecret.send(new ListDeliveryStreamsCommand({})),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    const good = new FirehoseClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret' },
    });
    expect(
      (await good.send(new ListDeliveryStreamsCommand({}))).DeliveryStreamNames,
    ).toHaveLength(2);
  });

  it('refuses an unsigned request before reading its body', async () => {
    const server = await start({
      accessKeys: [{ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret' }],
    });
    const { hostname, port } = new URL(server.url);
    // Announces 8 MiB and sends none of it: answered at once, or never.
    const answer = await new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        const req = http.request({
          host: hostname,
          port: Number(port),
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'Firehose_20150804.PutRecordBatch',
            'content-length': String(8 * 1024 * 1024),
          },
        });
        req.on('response', res => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', chunk => (body += chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        });
        req.on('error', reject);
        req.flushHeaders();
      },
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).__type).toBe(
      'MissingAuthenticationTokenException',
    );
  });
});
