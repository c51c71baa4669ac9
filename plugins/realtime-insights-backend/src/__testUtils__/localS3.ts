import {
  CreateBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** A real S3-compatible server (s3rver) on an ephemeral loopback port. */
export async function startLocalS3(buckets: string[]) {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'rti-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
  });
  const address = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${address.port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  for (const bucket of buckets) {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  return {
    endpoint,
    credentials,
    client,
    put: (bucket: string, key: string, body: Buffer | string) =>
      client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
      ),
    async stop() {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

export const REDIS_URL =
  process.env.RTI_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
