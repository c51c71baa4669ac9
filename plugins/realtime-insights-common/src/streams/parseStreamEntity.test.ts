import { STREAM_ANNOTATIONS as A } from './annotations';
import { StreamEntity, parseStreamEntity } from './parseStreamEntity';

function entity(
  annotations: Record<string, string>,
  overrides: Partial<StreamEntity> = {},
): StreamEntity {
  return {
    kind: 'Resource',
    metadata: {
      name: 'transaction-logs',
      title: 'Transaction logs',
      description: 'Payments',
      annotations,
    },
    spec: { type: 'data-stream', owner: 'group:default/payments' },
    ...overrides,
  };
}

const valid = {
  [A.firehoseStream]: 'rti-transaction-logs',
  [A.bucket]: 'rti-transaction-logs',
  [A.measures]: 'amount, latencyMs',
  [A.dimensions]: 'status,currency,merchantCategory,declineReason',
};

function errorsOf(e: StreamEntity): string[] {
  const result = parseStreamEntity(e);
  if (!('errors' in result)) {
    throw new Error(`expected errors, got ${JSON.stringify(result)}`);
  }
  return result.errors;
}

describe('parseStreamEntity', () => {
  it('reads a valid stream with defaults', () => {
    expect(parseStreamEntity(entity(valid))).toEqual({
      stream: {
        name: 'transaction-logs',
        entityRef: 'resource:default/transaction-logs',
        title: 'Transaction logs',
        description: 'Payments',
        owner: 'group:default/payments',
        firehoseStream: 'rti-transaction-logs',
        bucket: 'rti-transaction-logs',
        prefix: 'events/',
        timestampField: 'ts',
        measures: ['amount', 'latencyMs'],
        dimensions: ['status', 'currency', 'merchantCategory', 'declineReason'],
        bufferIntervalSeconds: 900,
      },
    });
  });

  it('reads the optional annotations', () => {
    const result = parseStreamEntity(
      entity({
        ...valid,
        [A.prefix]: 'data/payments/',
        [A.region]: 'eu-west-1',
        [A.endpoint]: 'http://127.0.0.1:4569',
        [A.timestampField]: 'eventTime',
        [A.bufferIntervalSeconds]: ' 60 ',
      }),
    );
    expect(result).toMatchObject({
      stream: {
        bufferIntervalSeconds: 60,
        prefix: 'data/payments/',
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:4569',
        timestampField: 'eventTime',
      },
    });
  });

  it('names streams outside the default namespace by namespace/name', () => {
    const result = parseStreamEntity(
      entity(valid, {
        metadata: { name: 'clicks', namespace: 'web', annotations: valid },
        spec: { type: 'data-stream', owner: 'web-team' },
      }),
    );
    expect(result).toMatchObject({
      stream: {
        name: 'web/clicks',
        entityRef: 'resource:web/clicks',
        title: 'clicks',
        owner: 'group:web/web-team',
      },
    });
  });

  it('prefers the ownedBy relation the catalog resolved', () => {
    const result = parseStreamEntity(
      entity(valid, {
        spec: { type: 'data-stream', owner: 'payments' },
        relations: [
          { type: 'ownedBy', targetRef: 'group:default/payments' },
          { type: 'partOf', targetRef: 'system:default/x' },
        ],
      }),
    );
    expect(result).toMatchObject({
      stream: { owner: 'group:default/payments' },
    });
    expect(
      parseStreamEntity(
        entity(valid, { spec: { type: 'data-stream', owner: 'user:alice' } }),
      ),
    ).toMatchObject({ stream: { owner: 'user:default/alice' } });
  });

  it('names each missing required annotation with an example', () => {
    expect(errorsOf(entity({}))).toEqual([
      `${A.firehoseStream}: is missing: set it to the name of the Firehose delivery stream, e.g. "rti-interactions"`,
      `${A.bucket}: is missing: set it to the S3 bucket the delivery stream writes to, e.g. "rti-interactions"`,
    ]);
  });

  it('rejects malformed values, quoting them with an example', () => {
    const errors = errorsOf(
      entity({
        [A.firehoseStream]: 'rti interactions',
        [A.bucket]: 'RTI_Interactions',
        [A.prefix]: 'events',
        [A.region]: 'Europe',
        [A.endpoint]: 'ftp://user:pw@example.com',
        [A.timestampField]: '1ts',
      }),
    );
    expect(errors).toEqual([
      `${A.firehoseStream}: "rti interactions" is not a Firehose delivery stream name (1-64 letters, digits, _ . -), e.g. "rti-interactions"`,
      `${A.bucket}: "RTI_Interactions" is not an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens), e.g. "rti-interactions"`,
      `${A.prefix}: "events" is not an S3 key prefix ending with "/" (no leading "/", no "//", no !{...} expressions), e.g. "events/"`,
      `${A.region}: "Europe" is not an AWS region, e.g. "eu-west-1"`,
      `${A.endpoint}: "ftp://user:pw@example.com" is not an http(s) URL without credentials or query, e.g. "https://s3.eu-west-1.amazonaws.com"`,
      `${A.timestampField}: "1ts" is not a field name (letters, digits and _, not starting with a digit), e.g. "ts"`,
    ]);
  });

  it.each([['/events/'], ['events//x/'], ['events/!{timestamp:yyyy}/']])(
    'rejects the prefix %s',
    prefix => {
      expect(errorsOf(entity({ ...valid, [A.prefix]: prefix }))).toEqual([
        expect.stringMatching(
          /^realtime-insights\.io\/prefix: .* e\.g\. "events\/"$/,
        ),
      ]);
    },
  );

  it.each([['3601'], ['-1'], ['1.5'], ['5m'], ['']])(
    'rejects the buffer interval %p',
    seconds => {
      expect(
        errorsOf(entity({ ...valid, [A.bufferIntervalSeconds]: seconds })),
      ).toEqual([
        expect.stringMatching(
          /^realtime-insights\.io\/buffer-interval-seconds: .*(e\.g\. "300"|at most 3600 seconds)/,
        ),
      ]);
    },
  );

  it.each([['ab'], ['192.168.0.1'], ['a..b'], ['-ab'], ['xn--abc']])(
    'rejects the bucket %s',
    bucket => {
      expect(errorsOf(entity({ ...valid, [A.bucket]: bucket }))).toHaveLength(
        1,
      );
    },
  );

  it('rejects bad field lists', () => {
    expect(
      errorsOf(
        entity({
          ...valid,
          [A.measures]: 'amount,amount,latency-ms',
          [A.dimensions]: 'status,amount,ts',
        }),
      ),
    ).toEqual([
      `${A.measures}: "latency-ms" is not a field name (letters, digits and _, not starting with a digit); list numeric fields separated by commas, e.g. "amount,latencyMs"`,
      `${A.measures}: lists "amount" more than once`,
      `${A.dimensions}: lists "amount", also in ${A.measures}; a field is either a measure (numeric) or a dimension (categorical)`,
      `${A.dimensions}: lists the timestamp field "ts"; time is always the x-axis, remove it here`,
    ]);
    const many = Array.from({ length: 33 }, (_, i) => `f${i}`).join(',');
    expect(errorsOf(entity({ ...valid, [A.measures]: many }))).toEqual([
      `${A.measures}: lists 33 fields; at most 32 are supported`,
    ]);
  });

  it('flags misspelt annotations', () => {
    expect(
      errorsOf(entity({ ...valid, 'realtime-insights.io/measure': 'amount' })),
    ).toEqual([
      expect.stringMatching(
        /^realtime-insights\.io\/measure: is not a Real-time Insights annotation; known ones are .*realtime-insights\.io\/measures/,
      ),
    ]);
  });

  it('rejects entities that are not streams or have no owner', () => {
    expect(
      errorsOf(entity(valid, { kind: 'Component', spec: { type: 'service' } })),
    ).toEqual([
      'kind: is "Component"; a stream is kind "Resource"',
      'spec.type: is "service"; a stream has type "data-stream"',
      'spec.owner: is missing: set it to the team that owns the stream, e.g. "group:default/payments"',
    ]);
  });

  it('accepts an entity without stream schema annotations (count-only)', () => {
    const result = parseStreamEntity(
      entity({ [A.firehoseStream]: 'x', [A.bucket]: 'abc' }),
    );
    expect(result).toMatchObject({ stream: { measures: [], dimensions: [] } });
  });
});
