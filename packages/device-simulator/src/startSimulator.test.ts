import { FirehoseClient } from '@aws-sdk/client-firehose';
import {
  DATA_CLASSES,
  deviceRecordSchema,
} from '@internal/plugin-realtime-insights-common';
import { startSimulator } from './startSimulator';
import { startFakeFirehose } from './__testUtils__/fakeFirehoseServer';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

type Fake = Awaited<ReturnType<typeof startFakeFirehose>>;

function receivedByStream(fake: Fake) {
  const byStream = new Map<string, Buffer[]>();
  for (const call of fake.calls) {
    byStream.set(call.stream, [
      ...(byStream.get(call.stream) ?? []),
      ...call.records,
    ]);
  }
  return byStream;
}

const parse = (b: Buffer): unknown => {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
};

async function until(condition: () => boolean) {
  while (!condition()) await new Promise(r => setTimeout(r, 10));
}

describe('startSimulator', () => {
  let fake: Fake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  async function useFake(...args: Parameters<typeof startFakeFirehose>) {
    fake = await startFakeFirehose(...args);
    return fake;
  }

  it('sends valid records of all three classes to their streams, then stops', async () => {
    const server = await useFake();
    const batches: string[] = [];
    const simulator = await startSimulator({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials,
      devices: 5,
      timeScale: 600, // ten simulated minutes per real second
      durationSeconds: 0.5,
      tickMs: 50,
      seed: 3,
      logger: quiet,
      onBatch: b => batches.push(b.dataClass),
    });
    await simulator.done;
    await simulator.stop(); // idempotent

    const byStream = receivedByStream(server);
    expect([...byStream.keys()].sort()).toEqual(
      DATA_CLASSES.map(c => `rti-${c}`).sort(),
    );
    const deviceIds = new Set<string>();
    let received = 0;
    for (const dataClass of DATA_CLASSES) {
      const records = byStream.get(`rti-${dataClass}`)!;
      received += records.length;
      for (const raw of records) {
        const parsed = deviceRecordSchema.parse(parse(raw));
        expect(parsed.schema).toBe(`${dataClass}/v1`);
        deviceIds.add(parsed.deviceId);
        for (const e of parsed.events) {
          expect(Date.parse(e.at)).toBeLessThanOrEqual(
            Date.parse(parsed.sentAt),
          );
        }
      }
    }
    expect(deviceIds.size).toBe(5);

    const stats = simulator.stats();
    expect(stats.sent).toBe(received);
    expect(stats.acked).toBe(received);
    expect(stats.pending).toBe(0);
    expect(stats.failedPermanently).toBe(0);
    expect(stats.badInjected).toBe(0);
    for (const dataClass of DATA_CLASSES) {
      expect(stats.byClass[dataClass].acked).toBe(
        byStream.get(`rti-${dataClass}`)!.length,
      );
    }
    expect(new Set(batches)).toEqual(new Set(DATA_CLASSES));
  });

  it('injects the requested share of bad records and counts them', async () => {
    const server = await useFake();
    const client = new FirehoseClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
    });
    try {
      const simulator = await startSimulator({
        client,
        streams: { interactions: 'custom-interactions' },
        devices: 20,
        timeScale: 1200,
        badRate: 0.5,
        durationSeconds: 0.5,
        tickMs: 50,
        logger: quiet,
      });
      await simulator.done;
      const byStream = receivedByStream(server);
      expect(byStream.has('custom-interactions')).toBe(true);
      expect(byStream.has('rti-interactions')).toBe(false);
      const all = [...byStream.values()].flat();
      const bad = all.filter(
        raw => !deviceRecordSchema.safeParse(parse(raw)).success,
      ).length;
      expect(simulator.stats().badInjected).toBe(bad);
      expect(bad).toBeGreaterThan(0);
      expect(bad).toBeLessThan(all.length);
    } finally {
      client.destroy();
    }
  });

  it('load mode sends a fixed number of records, with unique sentAt per device and class', async () => {
    const server = await useFake();
    const simulator = await startSimulator({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials,
      devices: 1,
      ratePerSecond: 300,
      durationSeconds: 0.5,
      tickMs: 50,
      logger: quiet,
    });
    await simulator.done;
    // The last tick lands exactly on the end: floor(300 × 0.5).
    expect(simulator.stats().sent).toBe(150);
    expect(simulator.stats().acked).toBe(150);
    const byStream = receivedByStream(server);
    for (const dataClass of DATA_CLASSES) {
      const records = byStream.get(`rti-${dataClass}`)!;
      expect(records).toHaveLength(50);
      const sentAts = records.map(
        r => deviceRecordSchema.parse(parse(r)).sentAt,
      );
      expect(new Set(sentAts).size).toBe(sentAts.length);
    }
  });

  it('stop() flushes what is in flight and sends nothing afterwards', async () => {
    const server = await useFake(undefined, { delayMs: 30 });
    const simulator = await startSimulator({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials,
      devices: 10,
      timeScale: 600,
      tickMs: 20,
      logger: quiet,
    });
    await until(() => server.calls.length >= 3);
    await simulator.stop();
    await simulator.done;
    const stats = simulator.stats();
    expect(stats.pending).toBe(0);
    expect(stats.acked).toBe(stats.sent);
    const callsAtStop = server.calls.length;
    await new Promise(r => setTimeout(r, 100));
    expect(server.calls.length).toBe(callsAtStop);
  });

  it('drops rather than queues when Firehose does not keep up', async () => {
    const server = await useFake(undefined, { delayMs: 300 });
    const simulator = await startSimulator({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials,
      devices: 50,
      timeScale: 600,
      tickMs: 20,
      durationSeconds: 0.4,
      maxPendingRecords: 10,
      logger: quiet,
    });
    await simulator.done;
    const stats = simulator.stats();
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.acked).toBe(stats.sent);
  });

  it('counts records Firehose finally refuses', async () => {
    const server = await useFake(() => ({
      kind: 'error',
      status: 400,
      type: 'ResourceNotFoundException',
    }));
    const errors: string[] = [];
    const simulator = await startSimulator({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials,
      devices: 3,
      timeScale: 600,
      tickMs: 50,
      durationSeconds: 0.3,
      logger: { ...quiet, error: m => errors.push(m) },
    });
    await simulator.done;
    const stats = simulator.stats();
    expect(stats.acked).toBe(0);
    expect(stats.failedPermanently).toBe(stats.sent);
    expect(stats.sent).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/ResourceNotFoundException/);
  });

  it('rejects invalid options', async () => {
    const client = new FirehoseClient({ region: 'us-east-1', credentials });
    try {
      await expect(startSimulator({ client, devices: 0 })).rejects.toThrow(
        /devices must be a positive integer/,
      );
      await expect(
        startSimulator({ client, devices: 1, badRate: 2 }),
      ).rejects.toThrow(/badRate must be between 0 and 1/);
      await expect(
        startSimulator({ client, devices: 1, timeScale: 0 }),
      ).rejects.toThrow(/timeScale/);
    } finally {
      client.destroy();
    }
  });
});
