import {
  defaultStreamConfig,
  firehoseLocalConfigSchema,
  parseFirehoseLocalConfig,
} from './config';

const minimal = {
  walDir: '/tmp/wal',
  streams: [{ name: 's', bucket: 'bucket-a' }],
};

describe('config', () => {
  it('fills in defaults', () => {
    const config = parseFirehoseLocalConfig(minimal);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 4573,
      region: 'us-east-1',
      accountId: '000000000000',
      delivery: { retryWindowSeconds: 60 },
    });
    expect(config.streams[0]).toEqual({
      name: 's',
      bucket: 'bucket-a',
      prefix:
        'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
      errorOutputPrefix:
        'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
      bufferingHints: { sizeInMBs: 5, intervalInSeconds: 300 },
      compression: 'GZIP',
      newlineDelimiter: false,
      processor: 'none',
    });
  });

  it.each([
    [{ ...minimal, walDir: undefined }, /walDir: Required/],
    [{ ...minimal, streams: [{ name: 's' }] }, /streams\.0\.bucket: Required/],
    [
      {
        ...minimal,
        streams: [
          { name: 's', bucket: 'b-1', bufferingHints: { sizeInMBs: 200 } },
        ],
      },
      /streams\.0\.bufferingHints\.sizeInMBs: Number must be less than or equal to 128/,
    ],
    [
      {
        ...minimal,
        streams: [
          {
            name: 's',
            bucket: 'b-1',
            bufferingHints: { intervalInSeconds: 901 },
          },
        ],
      },
      /streams\.0\.bufferingHints\.intervalInSeconds/,
    ],
    [
      { ...minimal, streams: [{ name: 's', bucket: 'Bad_Bucket' }] },
      /streams\.0\.bucket: must be a valid S3 bucket name/,
    ],
    [
      {
        ...minimal,
        streams: [{ name: 's', bucket: 'b-1', compression: 'ZIP' }],
      },
      /streams\.0\.compression/,
    ],
    [
      {
        ...minimal,
        streams: [{ name: 's', bucket: 'b-1', prefix: 'x/!{timestamp:yyyy' }],
      },
      /streams\.0\.prefix: malformed expression/,
    ],
    [
      {
        ...minimal,
        streams: [
          {
            name: 's',
            bucket: 'b-1',
            prefix: 'x/!{firehose:error-output-type}/',
          },
        ],
      },
      /streams\.0\.prefix: .*only allowed in errorOutputPrefix/,
    ],
    [
      {
        ...minimal,
        streams: [
          {
            name: 's',
            bucket: 'b-1',
            errorOutputPrefix: 'e/!{timestamp:yyyy}/',
          },
        ],
      },
      /streams\.0\.errorOutputPrefix: .*must contain !\{firehose:error-output-type\}/,
    ],
    [
      {
        ...minimal,
        streams: [{ name: 's', bucket: 'b-1', prefix: 'x/!{timestamp:EEEE}/' }],
      },
      /streams\.0\.prefix: unsupported date pattern letter 'EEEE'/,
    ],
    [
      { ...minimal, streams: [minimal.streams[0], minimal.streams[0]] },
      /streams\.1\.name: duplicate delivery stream name 's'/,
    ],
    [
      { ...minimal, streams: [] },
      /streams: must configure at least one delivery stream/,
    ],
    [
      { ...minimal, port: 70000 },
      /port: Number must be less than or equal to 65535/,
    ],
    [
      { ...minimal, accountId: '12' },
      /accountId: must be a 12-digit AWS account id/,
    ],
    [
      { ...minimal, s3: { endpoint: 'not a url' } },
      /s3\.endpoint: Invalid url/,
    ],
    [
      { ...minimal, prot: 1 },
      /config: Unrecognized key\(s\) in object: 'prot'/,
    ],
  ])('names the bad field (%#)', (config, message) => {
    expect(() => parseFirehoseLocalConfig(config)).toThrow(message);
  });

  it('binds beyond loopback only with access keys', () => {
    expect(() =>
      parseFirehoseLocalConfig({ ...minimal, host: '0.0.0.0' }),
    ).toThrow(/host: '0\.0\.0\.0' is not a loopback address.*set accessKeys/);
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) {
      expect(parseFirehoseLocalConfig({ ...minimal, host }).host).toBe(host);
    }
    expect(
      parseFirehoseLocalConfig({
        ...minimal,
        host: '0.0.0.0',
        accessKeys: [{ accessKeyId: 'AKID', secretAccessKey: 'secret' }],
      }).host,
    ).toBe('0.0.0.0');
  });

  it('builds the default stream of a data class', () => {
    const stream = defaultStreamConfig('sensor-readings');
    expect(stream).toMatchObject({
      name: 'rti-sensor-readings',
      bucket: 'rti-sensor-readings',
      processor: 'record-transform',
      compression: 'GZIP',
      newlineDelimiter: false,
      backup: { bucket: 'rti-raw-backup', prefix: 'sensor-readings/' },
    });
    expect(
      firehoseLocalConfigSchema.safeParse({ walDir: '/w', streams: [stream] })
        .success,
    ).toBe(true);
    expect(
      defaultStreamConfig('interactions', {
        bufferingHints: { intervalInSeconds: 0 },
      }).bufferingHints,
    ).toEqual({ intervalInSeconds: 0 });
  });
});
