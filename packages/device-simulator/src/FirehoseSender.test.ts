import { FirehoseClient } from '@aws-sdk/client-firehose';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { FirehoseSender, isRetryableCallError } from './FirehoseSender';
import {
  FakeAnswer,
  ReceivedCall,
  startFakeFirehose,
} from './__testUtils__/fakeFirehoseServer';

const STREAM = 'rti-interactions';
const records = (n: number, prefix = 'r') =>
  Array.from({ length: n }, (_, i) => Buffer.from(`{"${prefix}":${i}}\n`));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

function clientFor(endpoint: string) {
  return new FirehoseClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1, // the sender owns retries
  });
}

describe('FirehoseSender (real SDK client, fake Firehose on loopback)', () => {
  let fake: Awaited<ReturnType<typeof startFakeFirehose>> | undefined;
  let client: FirehoseClient | undefined;
  const delays: number[] = [];

  async function setup(
    answer?: (call: ReceivedCall, i: number) => FakeAnswer,
    fakeOptions?: { delayMs?: number },
    senderOptions: Partial<
      ConstructorParameters<typeof FirehoseSender>[0]
    > = {},
  ) {
    fake = await startFakeFirehose(answer, fakeOptions);
    client = clientFor(fake.endpoint);
    delays.length = 0;
    const sender = new FirehoseSender({
      client,
      random: () => 1, // the backoff ceiling itself, to check its growth
      sleep: async ms => {
        delays.push(ms);
      },
      ...senderOptions,
    });
    return { sender, fake };
  }

  afterEach(async () => {
    client?.destroy();
    await fake?.close();
    fake = undefined;
    client = undefined;
  });

  it('sends everything, splitting at 500 records per call', async () => {
    const { sender, fake: server } = await setup();
    const input = records(1234);
    const result = await sender.send(STREAM, input);

    expect(result).toEqual({
      records: 1234,
      acked: 1234,
      failedPermanently: 0,
      retried: 0,
      calls: 3,
      failureCodes: {},
    });
    expect(server.calls.map(c => c.records.length).sort()).toEqual([
      234, 500, 500,
    ]);
    expect(server.calls.every(c => c.stream === STREAM)).toBe(true);
    const received = server.calls.flatMap(c => c.records.map(text)).sort();
    expect(received).toEqual(input.map(text).sort());
    expect(sender.pendingRecords).toBe(0);
  });

  it('splits calls at 4 MiB of record data', async () => {
    const { sender, fake: server } = await setup();
    const big = Array.from({ length: 10 }, (_, i) =>
      Buffer.alloc(900 * 1024, 97 + i),
    );
    const result = await sender.send(STREAM, big);
    expect(result.acked).toBe(10);
    // Calls run concurrently, so they may arrive in any order.
    expect(server.calls.map(c => c.records.length).sort()).toEqual([2, 4, 4]);
  });

  it('fails a record over 1000 KiB without sending it', async () => {
    const { sender, fake: server } = await setup();
    const result = await sender.send(STREAM, [
      Buffer.alloc(1000 * 1024 + 1),
      ...records(2),
    ]);
    expect(result.failedPermanently).toBe(1);
    expect(result.failureCodes).toEqual({ RecordTooLarge: 1 });
    expect(result.acked).toBe(2);
    expect(server.calls.flatMap(c => c.records)).toHaveLength(2);
  });

  it('re-sends only the records that failed in a partial failure', async () => {
    const answers: FakeAnswer[] = [
      { kind: 'ok', failIndexes: [1, 3, 4] },
      { kind: 'ok', failIndexes: [0], errorCode: 'InternalFailure' },
    ];
    const { sender, fake: server } = await setup(
      (_call, i) => answers[i] ?? { kind: 'ok' },
    );
    const input = records(6);
    const result = await sender.send(STREAM, input);

    expect(result).toMatchObject({
      records: 6,
      acked: 6,
      failedPermanently: 0,
      retried: 4, // 3 after the first call, 1 after the second
      calls: 3,
    });
    expect(server.calls[1].records.map(text)).toEqual(
      [input[1], input[3], input[4]].map(text),
    );
    expect(server.calls[2].records.map(text)).toEqual([text(input[1])]);
    expect(delays).toEqual([100, 200]); // exponential ceiling
  });

  it('counts records that keep failing as failed permanently', async () => {
    const { sender, fake: server } = await setup(
      call => ({
        kind: 'ok',
        errorCode: 'InternalFailure',
        failIndexes: call.records
          .map((r, i) => (text(r).includes('poison') ? i : -1))
          .filter(i => i >= 0),
      }),
      undefined,
      { maxAttempts: 4, maxDelayMs: 250 },
    );
    const result = await sender.send(STREAM, [
      ...records(3),
      Buffer.from('{"poison":true}'),
    ]);

    expect(result).toMatchObject({
      acked: 3,
      failedPermanently: 1,
      retried: 3,
      calls: 4,
      failureCodes: { InternalFailure: 1 },
    });
    expect(server.calls.slice(1).map(c => c.records.map(text))).toEqual([
      ['{"poison":true}'],
      ['{"poison":true}'],
      ['{"poison":true}'],
    ]);
    expect(delays).toEqual([100, 200, 250]); // capped at maxDelayMs
  });

  it('retries a whole call answered with 503 ServiceUnavailableException', async () => {
    const { sender, fake: server } = await setup((_call, i) =>
      i < 2
        ? { kind: 'error', status: 503, type: 'ServiceUnavailableException' }
        : { kind: 'ok' },
    );
    const result = await sender.send(STREAM, records(7));
    expect(result).toMatchObject({
      acked: 7,
      failedPermanently: 0,
      retried: 14,
      calls: 3,
    });
    expect(server.calls.map(c => c.records.length)).toEqual([7, 7, 7]);
  });

  it('gives up on a whole call after bounded attempts', async () => {
    const { sender } = await setup(
      () => ({
        kind: 'error',
        status: 503,
        type: 'ServiceUnavailableException',
      }),
      undefined,
      { maxAttempts: 3 },
    );
    const result = await sender.send(STREAM, records(5));
    expect(result).toMatchObject({
      acked: 0,
      failedPermanently: 5,
      calls: 3,
      failureCodes: { ServiceUnavailableException: 5 },
    });
  });

  it('does not retry errors that will not pass (a missing stream)', async () => {
    const { sender, fake: server } = await setup(() => ({
      kind: 'error',
      status: 400,
      type: 'ResourceNotFoundException',
      message: 'Firehose rti-nope not found.',
    }));
    const result = await sender.send('rti-nope', records(3));
    expect(result).toMatchObject({
      acked: 0,
      failedPermanently: 3,
      calls: 1,
      failureCodes: { ResourceNotFoundException: 3 },
    });
    expect(server.calls).toHaveLength(1);
  });

  it('bounds PutRecordBatch calls in flight', async () => {
    const { sender, fake: server } = await setup(
      undefined,
      { delayMs: 20 },
      { maxConcurrentCalls: 2 },
    );
    const results = await Promise.all(
      Array.from({ length: 5 }, () => sender.send(STREAM, records(600))),
    );
    expect(results.reduce((n, r) => n + r.acked, 0)).toBe(3000);
    expect(server.calls).toHaveLength(10);
    expect(server.maxConcurrent()).toBeLessThanOrEqual(2);
    await sender.idle();
    expect(sender.callsInFlight).toBe(0);
  });

  it('retries network errors, then fails the records', async () => {
    // A port that was just free: connections are refused.
    const closed = createServer();
    await new Promise<void>(r => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise(r => closed.close(r));

    const refusedClient = clientFor(`http://127.0.0.1:${port}`);
    try {
      const sender = new FirehoseSender({
        client: refusedClient,
        maxAttempts: 2,
        sleep: async () => {},
      });
      const result = await sender.send(STREAM, records(2));
      expect(result).toMatchObject({
        acked: 0,
        failedPermanently: 2,
        retried: 2,
        calls: 2,
        failureCodes: { ECONNREFUSED: 2 },
      });
    } finally {
      refusedClient.destroy();
    }
  });
});

describe('isRetryableCallError', () => {
  it('classifies errors', () => {
    expect(isRetryableCallError({ name: 'ServiceUnavailableException' })).toBe(
      true,
    );
    expect(isRetryableCallError({ name: 'ThrottlingException' })).toBe(true);
    expect(
      isRetryableCallError({ name: 'X', $metadata: { httpStatusCode: 502 } }),
    ).toBe(true);
    expect(isRetryableCallError({ code: 'ECONNRESET' })).toBe(true);
    expect(
      isRetryableCallError(
        new Error('AWS SDK error wrapper for Error: read ECONNRESET'),
      ),
    ).toBe(true);
    expect(isRetryableCallError({ name: 'InvalidArgumentException' })).toBe(
      false,
    );
    expect(isRetryableCallError({ name: 'CredentialsProviderError' })).toBe(
      false,
    );
    expect(isRetryableCallError(undefined)).toBe(false);
  });
});
