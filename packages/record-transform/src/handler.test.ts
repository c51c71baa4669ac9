import { handler, transformRecords, dataClassOfStream } from './handler';

const arrival = Date.parse('2026-11-23T10:01:00.000Z');
const b64 = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');
const decodeLines = (data: string) =>
  Buffer.from(data, 'base64')
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map(l => JSON.parse(l));

const sensorRecord = {
  schema: 'sensor-readings/v1',
  deviceId: 'dev-7',
  customerId: 'cust-2',
  sentAt: '2026-11-23T11:00:30+01:00',
  events: [
    {
      at: '2026-11-23T11:00:00+01:00',
      sensor: 'TEMPERATURE',
      value: 212,
      unit: '°F',
    },
    {
      at: '2026-11-23T11:00:10+01:00',
      sensor: 'battery',
      value: 81,
      unit: '%',
    },
  ],
};

function event(
  records: unknown[],
  stream = 'arn:aws:firehose:eu-west-1:1:deliverystream/rti-sensor-readings',
) {
  return {
    invocationId: 'inv-1',
    deliveryStreamArn: stream,
    records: records.map((r, i) => ({
      recordId: `r${i}`,
      approximateArrivalTimestamp: arrival,
      data: b64(r),
    })),
  };
}

describe('transformRecords', () => {
  it('flattens a record into one normalised NDJSON line per event', () => {
    const result = transformRecords(event([sensorRecord]));
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ recordId: 'r0', result: 'Ok' });
    const lines = decodeLines(result.records[0].data);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      class: 'sensor-readings',
      deviceId: 'dev-7',
      customerId: 'cust-2',
      ts: '2026-11-23T10:00:00.000Z',
      arrivedAt: '2026-11-23T10:01:00.000Z',
      sensor: 'temperature',
      value: 100,
      unit: 'c',
    });
    expect(lines[1]).toMatchObject({ sensor: 'battery', value: 81, unit: '%' });
    expect(lines[0].eventId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[0].eventId).not.toEqual(lines[1].eventId);
  });

  it('gives re-delivered records the same event ids', () => {
    const a = decodeLines(
      transformRecords(event([sensorRecord])).records[0].data,
    );
    const b = decodeLines(
      transformRecords(event([sensorRecord])).records[0].data,
    );
    expect(a.map(e => e.eventId)).toEqual(b.map(e => e.eventId));
  });

  it('fails bad records one by one, keeping their raw data and naming the field', () => {
    const bad = {
      ...sensorRecord,
      events: [{ ...sensorRecord.events[0], value: 'hot' }],
    };
    const result = transformRecords(event([bad, 'not json{', sensorRecord]));
    expect(result.records.map(r => r.result)).toEqual([
      'ProcessingFailed',
      'ProcessingFailed',
      'Ok',
    ]);
    expect(result.records[0].reason).toMatch(/^events\.0\.value: /);
    expect(result.records[1].reason).toMatch(/not valid JSON/);
    expect(Buffer.from(result.records[1].data, 'base64').toString()).toBe(
      'not json{',
    );
  });

  it('rejects records of another class than the stream carries', () => {
    const result = transformRecords(
      event(
        [sensorRecord],
        'arn:aws:firehose:eu-west-1:1:deliverystream/rti-interactions',
      ),
    );
    expect(result.records[0].result).toBe('ProcessingFailed');
    expect(result.records[0].reason).toMatch(
      /do not belong on the interactions stream/,
    );
  });
});

describe('handler', () => {
  it('answers the Lambda contract without the non-standard reason', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const result = await handler(event([{}, sensorRecord]));
    expect(result.records.map(r => Object.keys(r).sort())).toEqual([
      ['data', 'recordId', 'result'],
      ['data', 'recordId', 'result'],
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});

describe('dataClassOfStream', () => {
  it('reads the class from names and ARNs', () => {
    expect(dataClassOfStream('transaction-logs')).toBe('transaction-logs');
    expect(
      dataClassOfStream(
        'arn:aws:firehose:r:1:deliverystream/prod-interactions',
      ),
    ).toBe('interactions');
    expect(dataClassOfStream('other')).toBeUndefined();
  });
});
