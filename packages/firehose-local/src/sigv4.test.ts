import {
  FirehoseClient,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import type { IncomingHttpHeaders } from 'node:http';
import { MAX_CLOCK_SKEW_MS, SigV4Verifier } from './sigv4';

const KEY = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

type Captured = {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
};

/** Signs a request with the real AWS SDK and captures it instead of sending it. */
async function signedBySdk(
  credentials = KEY,
  systemClockOffset = 0,
): Promise<Captured> {
  let captured: Captured | undefined;
  const client = new FirehoseClient({
    endpoint: 'http://127.0.0.1:4573',
    region: 'eu-west-1',
    credentials,
    maxAttempts: 1,
    systemClockOffset,
    requestHandler: {
      handle: async (request: {
        method: string;
        path: string;
        headers: Record<string, string>;
        body: string;
      }) => {
        const headers: IncomingHttpHeaders = {};
        for (const [k, v] of Object.entries(request.headers)) {
          headers[k.toLowerCase()] = v;
        }
        captured = {
          method: request.method,
          url: request.path,
          headers,
          body: Buffer.from(request.body),
        };
        throw new Error('captured');
      },
    },
  });
  await expect(
    client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'rti-interactions',
        Records: [{ Data: Buffer.from('{"a":1}\n') }],
      }),
    ),
  ).rejects.toThrow('captured');
  return captured!;
}

describe('SigV4Verifier', () => {
  const verifier = new SigV4Verifier([KEY]);

  it('accepts a request the AWS SDK signed with a configured key', async () => {
    const request = await signedBySdk();
    expect(verifier.verify(request)).toEqual({ accessKeyId: 'AKIDLOCAL' });
  });

  it('refuses a body changed after signing', async () => {
    const request = await signedBySdk();
    const tampered = Buffer.from(
      request.body
        .toString()
        .replace('rti-interactions', 'rti-sensor-readings'),
    );
    expect(() => verifier.verify({ ...request, body: tampered })).toThrow(
      expect.objectContaining({ type: 'InvalidSignatureException' }),
    );
  });

  it('refuses a signed header changed after signing', async () => {
    const request = await signedBySdk();
    const headers = {
      ...request.headers,
      'x-amz-target': 'Firehose_20150804.DeleteDeliveryStream',
    };
    expect(() => verifier.verify({ ...request, headers })).toThrow(
      expect.objectContaining({ type: 'InvalidSignatureException' }),
    );
  });

  it('refuses the right key id signed with the wrong secret', async () => {
    const request = await signedBySdk({ ...KEY, secretAccessKey: 'guess' });
    expect(() => verifier.verify(request)).toThrow(
      expect.objectContaining({
        type: 'InvalidSignatureException',
        message: expect.stringMatching(/does not match/),
      }),
    );
  });

  it('refuses unknown keys and unsigned requests', async () => {
    const request = await signedBySdk({ ...KEY, accessKeyId: 'AKIDOTHER' });
    expect(() => verifier.verify(request)).toThrow(
      expect.objectContaining({ type: 'UnrecognizedClientException' }),
    );
    const { authorization, ...unsigned } = request.headers;
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDOTHER\//);
    expect(() => verifier.verify({ ...request, headers: unsigned })).toThrow(
      expect.objectContaining({ type: 'MissingAuthenticationTokenException' }),
    );
    expect(() =>
      verifier.verify({
        ...request,
        headers: { ...request.headers, authorization: 'Bearer abc' },
      }),
    ).toThrow(
      expect.objectContaining({ type: 'IncompleteSignatureException' }),
    );
  });

  it('refuses requests signed more than 15 minutes away from its clock', async () => {
    const late = await signedBySdk(KEY, -(MAX_CLOCK_SKEW_MS + 60_000));
    expect(() => verifier.verify(late)).toThrow(
      expect.objectContaining({
        type: 'InvalidSignatureException',
        message: expect.stringMatching(/Signature expired/),
      }),
    );
    // Within the window is fine.
    const skewed = await signedBySdk(KEY, -(MAX_CLOCK_SKEW_MS - 60_000));
    expect(verifier.verify(skewed).accessKeyId).toBe('AKIDLOCAL');
  });
});
