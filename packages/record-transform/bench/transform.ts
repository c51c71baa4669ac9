/*
 * The record transform's cost per record, side by side with the floor it
 * cannot beat: base64-decode + JSON.parse of the same input and
 * JSON.stringify of the same output. CPU time of this process, so other
 * load on the machine disturbs it less than wall time would.
 *
 *   node --import tsx packages/record-transform/bench/transform.ts
 */
import { transformRecords } from '../src';

const EVENTS = 18;
const RECORDS = 500; // one invocation of about 1 MiB
const ROUNDS = 40;

function record(kind: number, device: number) {
  const base = Date.UTC(2026, 10, 23, 10, 0, 0);
  const at = (i: number) => new Date(base + i * 3_000).toISOString();
  const envelope = {
    deviceId: `bench-device-${device}`,
    customerId: `bench-customer-${device % 97}`,
    sentAt: new Date(base + 59_000).toISOString(),
  };
  const events = Array.from({ length: EVENTS }, (_, i) => {
    if (kind === 0)
      return {
        at: at(i),
        type: ['tap', 'view', 'scroll', 'swipe', 'search'][i % 5],
        screen: ['home', 'search', 'product-detail', 'checkout'][i % 4],
        element: `button-${i % 7}`,
        durationMs: 100 + i * 37,
      };
    if (kind === 1)
      return {
        at: at(i),
        sensor: ['accelerometer', 'gyroscope', 'temperature', 'battery'][i % 4],
        value: Math.round(Math.sin(device + i) * 10_000) / 100,
        unit: ['m/s2', 'rad/s', 'F', '%'][i % 4],
      };
    return {
      at: at(i),
      transactionId: `tx-${device}-${i}`,
      amount: Math.round((5 + ((device * 7 + i * 13) % 200)) * 100) / 100,
      currency: ['USD', 'EUR', 'GBP'][i % 3],
      status: i % 19 === 0 ? 'declined' : 'approved',
      latencyMs: 80 + ((device + i) % 400),
    };
  });
  const schema = [
    'interactions/v1',
    'sensor-readings/v1',
    'transaction-logs/v1',
  ][kind];
  return { schema, ...envelope, events };
}

const streams = [
  'rti-interactions',
  'rti-sensor-readings',
  'rti-transaction-logs',
];
const invocations = streams.map((name, kind) => ({
  invocationId: `bench-${kind}`,
  deliveryStreamArn: `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`,
  region: 'us-east-1',
  records: Array.from({ length: RECORDS }, (_, i) => ({
    recordId: `r${i}`,
    approximateArrivalTimestamp: Date.UTC(2026, 10, 23, 10, 1, 0),
    data: Buffer.from(JSON.stringify(record(kind, i))).toString('base64'),
  })),
}));

const cpuSeconds = (fn: () => void) => {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

// Warm up both paths, and keep the outputs to size the floor's stringify.
const outputs = invocations.map(event => transformRecords(event));
const outputEvents = outputs.map(o =>
  o.records.map(r =>
    Buffer.from(r.data, 'base64')
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line)),
  ),
);
for (const o of outputs) {
  const failed = o.records.filter(r => r.result !== 'Ok');
  if (failed.length)
    throw new Error(`bench input rejected: ${failed[0].reason}`);
}

const records = ROUNDS * RECORDS * invocations.length;
const transform = cpuSeconds(() => {
  for (let round = 0; round < ROUNDS; round++)
    for (const event of invocations) transformRecords(event);
});
const floor = cpuSeconds(() => {
  for (let round = 0; round < ROUNDS; round++)
    invocations.forEach((event, k) => {
      for (const [i, r] of event.records.entries()) {
        JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
        Buffer.from(
          outputEvents[k][i].map(e => `${JSON.stringify(e)}\n`).join(''),
        ).toString('base64');
      }
    });
});

const perSecond = (seconds: number) => Math.round(records / seconds);
process.stdout.write(
  [
    `record transform, ${records} records of ${EVENTS} events (3 classes), CPU time`,
    `  transform:                  ${perSecond(transform)} records/s`,
    `  floor (decode+parse+encode): ${perSecond(floor)} records/s`,
    `  transform / floor:           ${(floor / transform).toFixed(2)}`,
    '',
  ].join('\n'),
);
