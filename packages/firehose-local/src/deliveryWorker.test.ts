import { transformRecords } from '@internal/record-transform';
import { rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseFirehoseLocalConfig } from './config';
import { DeliveryStream, MemoryBudget } from './deliveryStream';
import { DeliveryWorker } from './deliveryWorker';
import { silentLogger } from './logger';
import {
  buildObjectBodies,
  BufferedRecord,
  ObjectBodies,
  ObjectBodiesOptions,
} from './objectBodies';
import { WriteAheadLog } from './writeAheadLog';
import { interactionsRecord, tempDir, toData } from './__testUtils__/records';

const options: ObjectBodiesOptions = {
  processor: 'record-transform',
  compressed: false,
  newlineDelimiter: true,
  backup: true,
  deliveryStreamArn:
    'arn:aws:firehose:us-east-1:000000000000:deliverystream/rti-interactions',
  lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:record-transform',
  region: 'us-east-1',
};

/** Good and bad records, some large enough for several invocations. */
function records(): BufferedRecord[] {
  const arrival = Date.UTC(2026, 10, 23, 10, 0, 0);
  return Array.from({ length: 120 }, (_, i) => ({
    recordId: `record-${i}`,
    arrival: arrival + i,
    data: toData(
      i % 7 === 3 ? 'not json' : interactionsRecord(i, i % 5 === 0 ? 900 : 3),
    ),
  }));
}

/** Bodies as text, error documents without the time they were written. */
function readable(bodies: ObjectBodies) {
  const text = (body?: Uint8Array) =>
    body ? Buffer.from(body).toString('utf8') : undefined;
  return {
    dropped: bodies.dropped,
    backup: text(bodies.backup),
    main: bodies.main && {
      records: bodies.main.records,
      text: text(bodies.main.body),
    },
    processingFailed: bodies.processingFailed && {
      records: bodies.processingFailed.records,
      documents: text(bodies.processingFailed.body)!
        .trim()
        .split('\n')
        .map(line => {
          const { attemptEndingTimestamp, ...document } = JSON.parse(line);
          expect(attemptEndingTimestamp).toEqual(expect.any(Number));
          return document;
        }),
    },
  };
}

describe('DeliveryWorker', () => {
  const workers: DeliveryWorker[] = [];
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.close();
  });

  it('builds in its thread what the in-process builder builds', async () => {
    const worker = new DeliveryWorker();
    workers.push(worker);
    const input = records();
    const inThread = await worker.build(input, options);
    const inProcess = await buildObjectBodies(
      input,
      options,
      transformRecords,
      body => body,
    );
    expect(inThread.main!.records.length).toBeGreaterThan(90);
    expect(inThread.processingFailed!.records.length).toBeGreaterThan(10);
    expect(readable(inThread)).toEqual(readable(inProcess));

    const gzipped = await worker.build(input, { ...options, compressed: true });
    expect(gunzipSync(gzipped.main!.body).toString()).toBe(
      Buffer.from(inProcess.main!.body).toString(),
    );
  });

  it('fails the buffers of a stopped worker and starts a new one on next use', async () => {
    const worker = new DeliveryWorker();
    workers.push(worker);
    const pending = worker.build(records(), options);
    await worker.close();
    await expect(pending).rejects.toThrow(/stopped/);
    const again = await worker.build(records().slice(0, 2), options);
    expect(again.main?.records).toEqual([0, 1]);
  });
});

describe('DeliveryStream when the delivery worker fails', () => {
  it('writes the raw backup and fails every record as Lambda.FunctionError', async () => {
    const dir = tempDir('worker-fails');
    const { wal } = await WriteAheadLog.open({ dir, logger: silentLogger });
    const objects = new Map<string, Buffer>();
    const [config] = parseFirehoseLocalConfig({
      walDir: dir,
      streams: [
        {
          name: 'rti-interactions',
          bucket: 'main',
          compression: 'UNCOMPRESSED',
          processor: 'record-transform',
          backup: { bucket: 'backup', prefix: 'raw/' },
        },
      ],
    }).streams;
    const stream = new DeliveryStream(config, {
      store: {
        async putObject(object) {
          objects.set(`${object.bucket}/${object.key}`, object.body);
        },
      },
      wal,
      logger: silentLogger,
      region: 'us-east-1',
      accountId: '000000000000',
      retry: { retryWindowSeconds: 1, initialBackoffMs: 1, maxBackoffMs: 5 },
      memory: new MemoryBudget(1024 * 1024),
      buildBodies: () => Promise.reject(new Error('worker exited (1)')),
    });
    try {
      const data = [toData(interactionsRecord(1)), toData('x')];
      const logged = data.map((d, i) => ({
        stream: 'rti-interactions',
        recordId: `id-${i}`,
        arrival: Date.now(),
        data: d,
      }));
      const segment = await wal.append(logged);
      stream.add(logged.map(record => ({ ...record, segment })));
      await stream.flush();

      const text = (prefix: string) =>
        [...objects]
          .filter(([key]) => key.startsWith(prefix))
          .map(([, body]) => body.toString())
          .join('');
      expect(text('backup/raw/')).toBe(`${data.join('\n')}\n`);
      expect(text('main/events/')).toBe('');
      const documents = text('main/errors/processing-failed/')
        .trim()
        .split('\n')
        .map(line => JSON.parse(line));
      expect(documents.map(d => d.errorCode)).toEqual([
        'Lambda.FunctionError',
        'Lambda.FunctionError',
      ]);
      expect(documents[0].errorMessage).toMatch(/worker exited/);
      expect(
        documents.map(d => Buffer.from(d.rawData, 'base64').toString()),
      ).toEqual(data.map(d => d.toString()));
      // Delivered: released from the log.
      expect(wal.stats().pendingRecords).toBe(0);
    } finally {
      await wal.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
