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
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
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

/**
 * `Content-Disposition` of a download named `fileName`: as Express's
 * `res.attachment` writes it, with an RFC 5987 `filename*` for names
 * beyond printable ASCII.
 */
export function attachmentDisposition(fileName: string): string {
  if (/^[\x20-\x7e]*$/.test(fileName) && !/["\\]/.test(fileName)) {
    return `attachment; filename="${fileName}"`;
  }
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** S3 parts of 8 MiB, up to 3 being sent while the next fills (32 MiB). */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 3;

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
    let stored = false;
    let failure: Error | undefined;
    // The multipart upload starts with the first full part.
    let created: Promise<string> | undefined;
    const uploadId = () =>
      (created ??= client
        .send(
          new CreateMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            ContentType: contentType,
            ...encryption,
          }),
        )
        .then(answer => answer.UploadId!));
    const parts: Array<{ PartNumber: number; ETag: string }> = [];
    const inFlight = new Set<Promise<void>>();

    const sendPart = (body: Buffer) => {
      const PartNumber = parts.length + 1;
      parts.push({ PartNumber, ETag: '' });
      const sent: Promise<void> = (async () => {
        const answer = await client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: await uploadId(),
            PartNumber,
            Body: body,
            ContentLength: body.length,
          }),
        );
        parts[PartNumber - 1].ETag = answer.ETag!;
      })()
        .catch(error => {
          failure ??= error;
        })
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
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
        if (bufferedBytes >= PART_BYTES) sendPart(takeBuffered());
        // A few parts in flight while the next fills; then wait for one.
        if (inFlight.size < PARTS_IN_FLIGHT) {
          callback(failure);
          return;
        }
        Promise.race(inFlight).then(() => callback(failure));
      },
      final(callback) {
        (async () => {
          if (!created) {
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
          if (bufferedBytes > 0) sendPart(takeBuffered());
          await Promise.all(inFlight);
          if (failure) throw failure;
          await client.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: await uploadId(),
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
        if (!created) {
          callback(error);
          return;
        }
        // Best effort: the bucket's lifecycle rule cleans up what is left.
        Promise.all(inFlight)
          .then(() => uploadId())
          .then(UploadId =>
            client.send(
              new AbortMultipartUploadCommand({
                Bucket: bucket,
                Key: key,
                UploadId,
              }),
            ),
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

  /**
   * A pre-signed GET URL of the file, downloading as `fileName`: anyone
   * holding it reads the file, without other credentials, for
   * `expiresInSeconds` (or until the signing credentials expire).
   */
  presignedDownloadUrl(
    key: string,
    options: { fileName: string; expiresInSeconds: number },
  ): Promise<string> {
    const { bucket } = this.location();
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentDisposition: attachmentDisposition(options.fileName),
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }

  async delete(key: string): Promise<void> {
    const { bucket } = this.location();
    await this.client.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: key }),
    );
  }
}
