import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';

// s3rver ships no type declarations; this is the part we use.
type S3rverInstance = {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
};
type S3rverConstructor = new (options: object) => S3rverInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver: S3rverConstructor = require('s3rver');

export const S3RVER_CREDENTIALS = {
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
};

/** An s3rver on loopback with the given buckets, plus read helpers. */
export async function startLocalS3(buckets: string[]) {
  const directory = mkdtempSync(path.join(tmpdir(), 'firehose-local-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map(name => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  // Never with a Delimiter: s3rver drops keys two levels below one.
  async function listKeys(bucket: string, prefix?: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      keys.push(...(page.Contents ?? []).map(o => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async function getObject(bucket: string, key: string): Promise<Buffer> {
    const response = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
    );
    return Buffer.from(await response.Body!.transformToByteArray());
  }

  /** The object's bytes, gunzipped when the key ends in `.gz`. */
  async function readText(bucket: string, key: string): Promise<string> {
    const body = await getObject(bucket, key);
    return (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
  }

  return {
    endpoint,
    client,
    listKeys,
    getObject,
    readText,
    async stop() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export type LocalS3 = Awaited<ReturnType<typeof startLocalS3>>;
