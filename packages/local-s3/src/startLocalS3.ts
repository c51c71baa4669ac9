import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

// s3rver ships no type declarations; this is the part we use.
type S3rverInstance = {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
};
type S3rverConstructor = new (options: object) => S3rverInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver: S3rverConstructor = require('s3rver');

/** s3rver accepts exactly these credentials. */
export const LOCAL_S3_CREDENTIALS = {
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
};

/**
 * An S3 client for an S3-compatible server: path-style buckets, and
 * checksums only where required (newer default checksums on streamed bodies
 * are silently corrupted by s3rver).
 */
export function createLocalS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export type StartLocalS3Options = {
  buckets: string[];
  /** 0 (default) picks a free port. */
  port?: number;
  /** Where objects are kept; default a fresh temporary directory, removed on stop. */
  directory?: string;
};

/** Starts s3rver on 127.0.0.1 with the given buckets, plus read/write helpers. */
export async function startLocalS3(options: StartLocalS3Options | string[]) {
  const {
    buckets,
    port = 0,
    directory,
  } = Array.isArray(options) ? { buckets: options } : options;
  const dir = directory ?? mkdtempSync(path.join(tmpdir(), 'rti-s3-'));
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({
    port,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: buckets.map(name => ({ name })),
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = createLocalS3Client(endpoint);

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

  return {
    endpoint,
    port: address.port,
    credentials: LOCAL_S3_CREDENTIALS,
    client,
    listKeys,
    getObject,
    /** The object's bytes, gunzipped when the key ends in `.gz`. */
    async readText(bucket: string, key: string): Promise<string> {
      const body = await getObject(bucket, key);
      return (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
    },
    async put(bucket: string, key: string, body: Buffer | string) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
      );
    },
    async stop() {
      client.destroy();
      await server.close();
      if (!directory) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type LocalS3 = Awaited<ReturnType<typeof startLocalS3>>;
