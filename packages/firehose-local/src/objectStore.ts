import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ResolvedFirehoseLocalConfig } from './config';

/** Where delivered objects go. S3 in practice; a fake in some tests. */
export interface ObjectStore {
  putObject(object: {
    bucket: string;
    key: string;
    body: Buffer;
    contentType: string;
  }): Promise<void>;
}

/** An S3 (or S3-compatible) store through the AWS SDK. */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;

  constructor(s3: ResolvedFirehoseLocalConfig['s3'], defaultRegion: string) {
    this.client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region ?? defaultRegion,
      // A custom endpoint is nearly always an S3-compatible server that
      // cannot do virtual-hosted buckets.
      forcePathStyle: s3.forcePathStyle ?? Boolean(s3.endpoint),
      credentials: s3.credentials,
      // Checksums on streamed bodies break some S3-compatible servers; the
      // body is a Buffer with a Content-MD5-free PUT either way.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Delivery does its own retries with backoff over a time window.
      maxAttempts: 1,
    });
  }

  async putObject(object: {
    bucket: string;
    key: string;
    body: Buffer;
    contentType: string;
  }) {
    await this.client.send(
      new PutObjectCommand({
        Bucket: object.bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
        ContentLength: object.body.length,
      }),
    );
  }

  destroy() {
    this.client.destroy();
  }
}
