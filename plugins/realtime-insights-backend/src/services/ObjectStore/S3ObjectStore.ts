import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { Readable } from 'node:stream';
import { RealtimeInsightsConfig } from '../../config';
import { S3RequestMetrics, s3RequestMetrics } from './S3RequestMetrics';

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
  /**
   * Whether the bucket answers at all (one cheap listing; bound the SDK's
   * retries with the signal): resolves, or rejects with why not. For
   * health checks.
   */
  probe?(bucket: string, signal?: AbortSignal): Promise<void>;
  /** Requests, errors, throttling and latency of this store's client. */
  readonly metrics?: S3RequestMetrics;
}

export function createS3Client(
  config: Omit<
    RealtimeInsightsConfig['s3'],
    'connectTimeoutMs' | 'requestTimeoutMs'
  > &
    Partial<
      Pick<
        RealtimeInsightsConfig['s3'],
        'connectTimeoutMs' | 'requestTimeoutMs'
      >
    >,
): S3Client {
  return new S3Client({
    region: config.region,
    // A hung S3 fails a request instead of holding the query: no
    // connection in connectTimeoutMs, or no byte for requestTimeoutMs.
    requestHandler: {
      connectionTimeout: config.connectTimeoutMs ?? 3_000,
      requestTimeout: config.requestTimeoutMs ?? 10_000,
      // Without it the handler only warns and the request waits on.
      throwOnRequestTimeout: true,
    },
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
  readonly metrics: S3RequestMetrics;
  private lastLoggedAt = 0;

  constructor(
    private readonly client: S3Client,
    private readonly options: { logger?: LoggerService } = {},
  ) {
    this.metrics = s3RequestMetrics(client);
  }

  /**
   * A request the SDK gave up on (after its retries) because S3 did not
   * answer or failed (network, timeout, 5xx, throttling): the caller gets a
   * plain 503, the log gets what S3 or the network said (once in 10 s).
   * S3's answers about the request itself (a deleted object, access
   * denied: 4xx) are passed on as they are.
   */
  private unavailable(what: string, error: unknown): unknown {
    const status = (error as { $metadata?: { httpStatusCode?: number } })
      ?.$metadata?.httpStatusCode;
    if (
      status &&
      status >= 400 &&
      status < 500 &&
      status !== 408 &&
      status !== 429
    ) {
      return error;
    }
    const now = Date.now();
    if (now - this.lastLoggedAt > 10_000) {
      this.lastLoggedAt = now;
      const e = error as { name?: string; message?: string };
      this.options.logger?.warn(
        `S3 ${what} failed: ${e?.name ?? 'Error'}: ${e?.message ?? error}`,
      );
    }
    return new ServiceUnavailableError(
      'The object store is unavailable; try again',
    );
  }

  async probe(bucket: string, signal?: AbortSignal): Promise<void> {
    await this.client.send(
      new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }),
      { abortSignal: signal },
    );
  }

  async list(
    bucket: string,
    prefix: string,
    startAfter?: string,
  ): Promise<ObjectRef[]> {
    const objects: ObjectRef[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client
        .send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            StartAfter: continuationToken ? undefined : startAfter,
            ContinuationToken: continuationToken,
          }),
        )
        .catch(error => {
          throw this.unavailable(`list s3://${bucket}/${prefix}`, error);
        });
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
    const response = await this.client
      .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      .catch(error => {
        throw this.unavailable(`read s3://${bucket}/${key}`, error);
      });
    return response.Body as Readable;
  }
}
