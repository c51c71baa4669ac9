import { randomBytes } from 'node:crypto';
import { isBase64 } from './firehoseApi';
import { decodeBase64, parseRecordsBody } from './recordsBody';

/** What the JSON.parse path reads from a body, when every record is valid. */
function reference(
  body: Buffer,
  operation: 'PutRecord' | 'PutRecordBatch',
): { deliveryStreamName: unknown; records: Buffer[] } | undefined {
  let input: any;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const list = operation === 'PutRecord' ? [input?.Record] : input?.Records;
  if (!Array.isArray(list)) return undefined;
  const records: Buffer[] = [];
  for (const record of list) {
    if (typeof record?.Data !== 'string' || !isBase64(record.Data)) {
      return undefined;
    }
    records.push(Buffer.from(record.Data, 'base64'));
  }
  return { deliveryStreamName: input.DeliveryStreamName, records };
}

// A small deterministic generator, so a failure can be replayed.
function prng(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
}

const batch = (records: Buffer[], name = 'rti-interactions') =>
  Buffer.from(
    JSON.stringify({
      DeliveryStreamName: name,
      Records: records.map(r => ({ Data: r.toString('base64') })),
    }),
  );

describe('parseRecordsBody', () => {
  it('decodes base64 as Buffer.from does, at every padding length', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = randomBytes(length);
      const text = Buffer.from(bytes.toString('base64'));
      expect(decodeBase64(text, 0, text.length)).toEqual(bytes);
    }
    // Bits past the last whole byte are ignored, as Buffer.from ignores them.
    for (const text of ['QR==', 'QUJ=', 'QUJD', '']) {
      expect(decodeBase64(Buffer.from(text), 0, text.length)).toEqual(
        Buffer.from(text, 'base64'),
      );
    }
    for (const text of [
      'QQ=',
      'Q===',
      '====',
      'QQ=A',
      'QU-D',
      'QU_D',
      'QQ\n=',
    ]) {
      expect([text, decodeBase64(Buffer.from(text), 0, text.length)]).toEqual([
        text,
        undefined,
      ]);
    }
  });

  it('reads the bodies the SDK sends, as JSON.parse reads them', () => {
    const records = [0, 1, 2, 3, 250, 2700].map(n => randomBytes(n));
    const bodies = [
      batch(records),
      batch([records[1]]),
      // Whitespace anywhere JSON allows it.
      Buffer.from(
        JSON.stringify(
          {
            Records: records.map(r => ({ Data: r.toString('base64') })),
            DeliveryStreamName: 'rti-sensor-readings',
          },
          null,
          '\t',
        ).replace(/\n/g, '\r\n '),
      ),
      Buffer.from('{"DeliveryStreamName":"s","Records":[]}'),
    ];
    for (const body of bodies) {
      const parsed = parseRecordsBody(body, 'PutRecordBatch');
      expect(parsed).toBeDefined();
      expect(parsed).toEqual(reference(body, 'PutRecordBatch'));
    }
    const one = Buffer.from(
      JSON.stringify({
        DeliveryStreamName: 'ström',
        Record: { Data: records[5].toString('base64') },
      }),
    );
    expect(parseRecordsBody(one, 'PutRecord')).toEqual({
      deliveryStreamName: 'ström',
      records: [records[5]],
    });
  });

  it('leaves every other body to JSON.parse', () => {
    const data = Buffer.from('record').toString('base64');
    const bodies = [
      `{"DeliveryStreamName":"s","Records":[{"Data":"${data}"}]}\u0000`,
      `{"DeliveryStreamName":"s","Records":[{"Data":"${data}"}]} x`,
      `{"DeliveryStreamName":"s","Records":[{"Data":"${data}"}],}`,
      `{"DeliveryStreamName":"s","Records":[{"Data":"${data}"},]}`,
      `{"DeliveryStreamName":"s","DeliveryStreamName":"t","Records":[]}`,
      `{"DeliveryStreamName":"s","Records":[],"Records":[]}`,
      `{"DeliveryStreamName":"s","Records":[{"Data":"cmVj\\/b3Jk"}]}`,
      `{"DeliveryStreamName":"s\\u0074","Records":[]}`,
      `{"DeliveryStreamName":"s","Records":[{"Data":"cmVjb3Jk","X":1}]}`,
      `{"DeliveryStreamName":"s","Records":[{"Data":"cmVjb3J"}]}`,
      `{"DeliveryStreamName":"s","Records":[{"Data":null}]}`,
      `{"DeliveryStreamName":"s","Records":{"Data":"${data}"}}`,
      `{"DeliveryStreamName":"s","Record":{"Data":"${data}"}}`,
      `{"DeliveryStreamName":1,"Records":[]}`,
      `{"Records":[]}`,
      `{"DeliveryStreamName":"s"}`,
      `{"DeliveryStreamName":"s","Records":[],"Other":true}`,
      `["DeliveryStreamName","s"]`,
      `{"DeliveryStreamName":"s\u0001","Records":[]}`,
      '',
    ];
    for (const body of bodies) {
      expect([
        body,
        parseRecordsBody(Buffer.from(body), 'PutRecordBatch'),
      ]).toEqual([body, undefined]);
    }
  });

  it('agrees with JSON.parse on damaged bodies whenever it reads one', () => {
    const random = prng(7);
    const original = batch([randomBytes(40), randomBytes(41), randomBytes(3)]);
    const alphabet = Buffer.from('{}[]":,\\ =/+Aa0\u0000\n');
    let read = 0;
    for (let round = 0; round < 20000; round++) {
      const body = Buffer.from(original);
      const damaged =
        random(2) === 0
          ? Buffer.concat([
              body.subarray(0, random(body.length)),
              body.subarray(random(body.length)),
            ])
          : body;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        damaged[random(damaged.length)] = alphabet[random(alphabet.length)];
      }
      const parsed = parseRecordsBody(damaged, 'PutRecordBatch');
      if (!parsed) continue;
      read++;
      expect(parsed).toEqual(reference(damaged, 'PutRecordBatch'));
    }
    // The damage sometimes leaves a readable body (in the base64 or the name).
    expect(read).toBeGreaterThan(100);
  });
});
