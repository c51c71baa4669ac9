import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { RealtimeInsightsConfig } from '../../config';

/** One object of a listing: key plus ETag names its content forever. */
export type ObjectRef = {
  key: string;
  etag: string;
  size: number;
  /** Epoch ms. */
  lastModified: number;
};

/** The S3 operations the engine needs, so tests can inject faults. */
export interface ObjectStore {
  /** Every object under `prefix` (after `startAfter`, when given), in key order. */
  list(
    bucket: string,
    prefix: string,
    startAfter?: string,
  ): Promise<ObjectRef[]>;
  /** The object's bytes as a stream. */
  open(bucket: string, key: string): Promise<Readable>;
}

export function createS3Client(config: RealtimeInsightsConfig['s3']): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: config.credentials,
    // Throttling (503 SlowDown) backs off adaptively instead of failing.
    retryMode: 'adaptive',
    maxAttempts: 5,
    // S3-compatible servers (s3rver) mishandle the newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Reads Firehose objects through the AWS SDK. Listings never use a
 * delimiter: hour prefixes hold objects directly, and some S3-compatible
 * servers drop nested keys under delimiter listings.
 */
export class S3ObjectStore implements ObjectStore {
  constructor(private readonly client: S3Client) {}

  async list(
    bucket: string,
    prefix: string,
    startAfter?: string,
  ): Promise<ObjectRef[]> {
    const objects: ObjectRef[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          StartAfter: continuationToken ? undefined : startAfter,
          ContinuationToken: continuationToken,
        }),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        objects.push({
          key: item.Key,
          etag: (item.ETag ?? '').replace(/"/g, ''),
          size: item.Size ?? 0,
          lastModified: item.LastModified?.getTime() ?? 0,
        });
      }
      continuationToken = page.IsTruncated
        ? page.NextContinuationToken
        : undefined;
    } while (continuationToken);
    return objects;
  }

  async open(bucket: string, key: string): Promise<Readable> {
    const response = await this.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
    );
    return response.Body as Readable;
  }
}
