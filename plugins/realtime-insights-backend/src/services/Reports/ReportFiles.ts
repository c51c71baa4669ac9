import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  ServerSideEncryption,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Readable, Writable } from 'node:stream';

/** Where report files go, read per call (admins may change it). */
export type ReportFilesLocation = {
  bucket: string;
  /** SSE-KMS key; unset: the bucket's default encryption. */
  kmsKeyId?: string;
};

/** An upload in progress: write the file into `stream`, then await `done`. */
export type ReportUpload = {
  stream: Writable;
  /** Resolves with the file's size once it is stored. */
  done: Promise<number>;
};

/** S3 parts are 8 MiB: at most two are held in memory (one being sent). */
const PART_BYTES = 8 * 1024 * 1024;

/**
 * Report files in S3: streamed up as a multipart upload (a small file as one
 * PutObject), read back as a stream, deleted when they expire.
 */
export class ReportFiles {
  constructor(
    private readonly client: S3Client,
    private readonly location: () => ReportFilesLocation,
  ) {}

  private encryption() {
    const { kmsKeyId } = this.location();
    return kmsKeyId
      ? {
          ServerSideEncryption: ServerSideEncryption.aws_kms,
          SSEKMSKeyId: kmsKeyId,
          BucketKeyEnabled: true,
        }
      : {};
  }

  /**
   * Starts storing a file under `key`. Destroying the stream (or a failed
   * part) aborts the upload; nothing partial is left under the key.
   */
  upload(key: string, contentType: string): ReportUpload {
    const { client } = this;
    const { bucket } = this.location();
    const encryption = this.encryption();
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    let total = 0;
    let uploadId: string | undefined;
    const parts: Array<{ PartNumber: number; ETag: string }> = [];
    let sending: Promise<void> = Promise.resolve();
    let stored = false;

    const sendPart = async (body: Buffer) => {
      if (!uploadId) {
        const created = await client.send(
          new CreateMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            ContentType: contentType,
            ...encryption,
          }),
        );
        uploadId = created.UploadId!;
      }
      const PartNumber = parts.length + 1;
      parts.push({ PartNumber, ETag: '' });
      const sent = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber,
          Body: body,
          ContentLength: body.length,
        }),
      );
      parts[PartNumber - 1].ETag = sent.ETag!;
    };
    const takeBuffered = () => {
      const body = Buffer.concat(buffered, bufferedBytes);
      buffered = [];
      bufferedBytes = 0;
      return body;
    };

    let resolveDone!: (bytes: number) => void;
    let rejectDone!: (error: Error) => void;
    const done = new Promise<number>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    done.catch(() => {}); // the caller may only look at the stream's error

    const stream = new Writable({
      highWaterMark: 1024 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        buffered.push(chunk);
        bufferedBytes += chunk.length;
        total += chunk.length;
        if (bufferedBytes < PART_BYTES) {
          callback();
          return;
        }
        // One part in flight while the next fills: wait for the previous.
        const body = takeBuffered();
        sending.then(
          () => {
            sending = sendPart(body);
            sending.catch(() => {});
            callback();
          },
          error => callback(error),
        );
      },
      final(callback) {
        (async () => {
          await sending;
          if (!uploadId) {
            await client.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: key,
                Body: takeBuffered(),
                ContentType: contentType,
                ...encryption,
              }),
            );
            return;
          }
          if (bufferedBytes > 0) await sendPart(takeBuffered());
          await client.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          );
        })().then(
          () => {
            stored = true;
            resolveDone(total);
            callback();
          },
          error => callback(error),
        );
      },
      destroy(error, callback) {
        buffered = [];
        if (stored) {
          callback(error);
          return;
        }
        rejectDone(error ?? new Error('The upload was stopped'));
        if (!uploadId) {
          callback(error);
          return;
        }
        // Best effort: the bucket's lifecycle rule cleans up what is left.
        client
          .send(
            new AbortMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
            }),
          )
          .catch(() => {})
          .finally(() => callback(error));
      },
    });
    stream.on('error', error => rejectDone(error));
    return { stream, done };
  }

  /** The file's bytes and size. */
  async open(key: string): Promise<{ body: Readable; size: number }> {
    const { bucket } = this.location();
    const response = await this.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
    );
    return {
      body: response.Body as Readable,
      size: response.ContentLength ?? 0,
    };
  }

  async delete(key: string): Promise<void> {
    const { bucket } = this.location();
    await this.client.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: key }),
    );
  }
}
