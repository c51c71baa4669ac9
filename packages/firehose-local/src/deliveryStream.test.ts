import { readdirSync, rmSync } from 'node:fs';
import {
  FirehoseClient,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import type { FirehoseLocalConfig } from './config';
import type { RecordTransform } from './deliveryStream';
import type { ObjectStore } from './objectStore';
import { tempDir, toData } from './__testUtils__/records';
import {
  FirehoseLocalWithTestHooks,
  startFirehoseLocalWithTestHooks,
} from './startFirehoseLocal';

/** An in-memory object store that fails on demand. */
class FakeStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  failures = 0;
  constructor(public fail: (bucket: string) => boolean = () => false) {}

  async putObject(object: { bucket: string; key: string; body: Buffer }) {
    if (this.fail(object.bucket)) {
      this.failures++;
      const error = new Error(`bucket ${object.bucket} is unavailable`);
      error.name = 'ServiceUnavailable';
      throw error;
    }
    this.objects.set(`${object.bucket}/${object.key}`, object.body);
  }

  keys(prefix = '') {
    return [...this.objects.keys()].filter(k => k.startsWith(prefix)).sort();
  }

  text(prefix: string) {
    return this.keys(prefix)
      .map(k => this.objects.get(k)!.toString('utf8'))
      .join('');
  }
}

describe('delivery', () => {
  const running: FirehoseLocalWithTestHooks[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    for (const server of running.splice(0)) await server.stop();
    for (const dir of dirs.splice(0))
      rmSync(dir, { recursive: true, force: true });
  });

  async function start(
    store: ObjectStore,
    options: {
      walDir?: string;
      recordTransform?: RecordTransform;
      stream?: Partial<FirehoseLocalConfig['streams'][number]>;
    } = {},
  ) {
    const walDir = options.walDir ?? tempDir('delivery');
    dirs.push(walDir);
    const server = await startFirehoseLocalWithTestHooks({
      objectStore: store,
      recordTransform: options.recordTransform,
      config: {
        port: 0,
        walDir,
        delivery: {
          retryWindowSeconds: 0.05,
          initialBackoffMs: 1,
          maxBackoffMs: 5,
        },
        streams: [
          {
            name: 'stream',
            bucket: 'main',
            compression: 'UNCOMPRESSED',
            newlineDelimiter: true,
            bufferingHints: { sizeInMBs: 128, intervalInSeconds: 900 },
            backup: { bucket: 'backup', prefix: 'raw/' },
            ...options.stream,
          },
        ],
      },
    });
    running.push(server);
    return server;
  }

  async function put(url: string, records: string[]) {
    const firehose = new FirehoseClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'stream',
        Records: records.map(r => ({ Data: toData(r) })),
      }),
    );
    firehose.destroy();
  }

  it('retries S3 writes with backoff', async () => {
    let failuresLeft = 3;
    const store = new FakeStore(() => failuresLeft-- > 0);
    const server = await start(store, {
      stream: { backup: undefined },
    });
    await put(server.url, ['a', 'b']);
    await server.flush();
    expect(store.failures).toBe(3);
    expect(store.text('main/events/')).toBe('a\nb\n');
    expect(server.metrics()).toMatchObject({
      streams: { stream: { s3WriteErrors: 3, recordsDelivered: 2 } },
    });
  });

  it('writes records to the s3-failed error prefix when S3 keeps failing', async () => {
    // The backup bucket is down; the main bucket (which holds errors) is up.
    const store = new FakeStore(bucket => bucket === 'backup');
    const server = await start(store);
    await put(server.url, ['one', 'two']);
    await server.flush();
    expect(store.text('main/events/')).toBe('one\ntwo\n');
    const [key] = store.keys('main/errors/s3-failed/');
    expect(key).toMatch(
      /^main\/errors\/s3-failed\/year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/stream-1-/,
    );
    const documents = store
      .text('main/errors/s3-failed/')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(
      documents.map(d => Buffer.from(d.rawData, 'base64').toString()),
    ).toEqual(['one', 'two']);
    expect(documents[0]).toMatchObject({
      errorCode: 'S3.ServiceUnavailable',
      errorMessage: 'bucket backup is unavailable',
    });
    expect(documents[0].attemptsMade).toBeGreaterThanOrEqual(1);
    expect(documents[0].lambdaArn).toBeUndefined();
    expect(server.metrics()).toMatchObject({
      streams: { stream: { recordsS3Failed: 2 } },
    });
  });

  it('keeps records in the write-ahead log while every bucket fails', async () => {
    const walDir = tempDir('delivery-down');
    const down = new FakeStore(() => true);
    const first = await start(down, { walDir });
    await put(first.url, ['kept-1', 'kept-2']);
    await first.stop();
    running.splice(running.indexOf(first), 1);
    expect(down.objects.size).toBe(0);
    expect(readdirSync(walDir).filter(f => f.endsWith('.log'))).toHaveLength(1);

    const up = new FakeStore();
    const second = await start(up, { walDir });
    await second.flush();
    expect(up.text('main/events/')).toBe('kept-1\nkept-2\n');
    expect(up.text('backup/raw/')).toBe('kept-1\nkept-2\n');
    await second.stop();
    running.splice(running.indexOf(second), 1);
    // Delivered: the log is empty again.
    expect(readdirSync(walDir).filter(f => f.endsWith('.log'))).toEqual([]);
  });

  it('treats a throwing transform as Lambda.FunctionError for every record', async () => {
    const store = new FakeStore();
    const server = await start(store, {
      stream: { processor: 'record-transform', backup: undefined },
      recordTransform: () => {
        throw new Error('boom');
      },
    });
    await put(server.url, ['x', 'y']);
    await server.flush();
    expect(store.keys('main/events/')).toEqual([]);
    const documents = store
      .text('main/errors/processing-failed/')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(documents).toHaveLength(2);
    expect(documents[0]).toMatchObject({
      errorCode: 'Lambda.FunctionError',
      attemptsMade: 1,
    });
    expect(documents[0].errorMessage).toMatch(/boom/);
  });

  it('skips Dropped records and counts them', async () => {
    const store = new FakeStore();
    const server = await start(store, {
      stream: { processor: 'record-transform', backup: undefined },
      recordTransform: event => ({
        records: event.records.map(r => {
          const text = Buffer.from(r.data, 'base64').toString();
          return text === 'drop'
            ? { recordId: r.recordId, result: 'Dropped' as const, data: r.data }
            : {
                recordId: r.recordId,
                result: 'Ok' as const,
                data: Buffer.from(text.toUpperCase()).toString('base64'),
              };
        }),
      }),
    });
    await put(server.url, ['keep', 'drop', 'also']);
    await server.flush();
    expect(store.text('main/events/')).toBe('KEEP\nALSO\n');
    expect(server.metrics()).toMatchObject({
      streams: { stream: { recordsDropped: 1, recordsDelivered: 2 } },
    });
  });
});
