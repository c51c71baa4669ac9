import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedFirehoseLocalConfig } from './config';
import type { DeliveryStream } from './deliveryStream';
import type { Logger } from './logger';
import { parseRecordsBody, RecordsBody } from './recordsBody';
import { SigV4Verifier, SignatureError } from './sigv4';

/** Firehose's limits on PutRecord / PutRecordBatch. */
export const LIMITS = {
  recordsPerBatch: 500,
  bytesPerRecord: 1000 * 1024,
  bytesPerBatch: 4 * 1024 * 1024,
  // The JSON body carries base64 (4/3) plus framing; anything far beyond the
  // 4 MiB of data cannot be a valid request.
  bodyBytes: 8 * 1024 * 1024,
};

const TARGET_PREFIX = 'Firehose_20150804.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** 1 for the characters of the standard base64 alphabet. */
const BASE64_ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
  BASE64_ALPHABET[c.charCodeAt(0)] = 1;
}

/**
 * Strict, padded standard base64, as the service requires: a character loop
 * (the equivalent regular expression cost more than the rest of the request).
 */
export function isBase64(text: string): boolean {
  const length = text.length;
  if (length % 4 !== 0) return false;
  let end = length;
  if (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  if (length - end > 0 && end % 4 < 2) return false;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code > 127 || BASE64_ALPHABET[code] === 0) return false;
  }
  return true;
}

/** An error the AWS SDK turns into the exception class named by `type`. */
export class FirehoseApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

/** What the API needs from the server around it. */
export type FirehoseApiContext = {
  config: ResolvedFirehoseLocalConfig;
  streams: Map<string, DeliveryStream>;
  logger: Logger;
  /** Makes records durable and buffers them; resolves with their ids. */
  accept(stream: DeliveryStream, records: Buffer[]): Promise<string[]>;
  health(): object;
  count(event: 'request' | 'throttled' | 'clientError' | 'serverError'): void;
};

type Json = Record<string, unknown>;

function send(res: ServerResponse, status: number, body: unknown) {
  // A string body goes out with the headers in one write.
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(payload);
}

function sendError(res: ServerResponse, error: FirehoseApiError) {
  res.setHeader('x-amzn-ErrorType', error.type);
  send(res, error.status, { __type: error.type, message: error.message });
}

/** Reads the body; a body over the limit is drained and reported. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= LIMITS.bodyBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > LIMITS.bodyBytes) {
        reject(
          new FirehoseApiError(
            'InvalidArgumentException',
            `Request body of ${size} bytes exceeds the ${LIMITS.bodyBytes}-byte limit`,
            413,
          ),
        );
      } else {
        // Most bodies arrive in one chunk: no copy then.
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      }
    });
    req.on('error', reject);
  });
}

function invalid(message: string): FirehoseApiError {
  return new FirehoseApiError('InvalidArgumentException', message);
}

function streamOf(context: FirehoseApiContext, input: Json): DeliveryStream {
  const name = input.DeliveryStreamName;
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid('DeliveryStreamName is required');
  }
  const stream = context.streams.get(name);
  if (!stream) {
    throw new FirehoseApiError(
      'ResourceNotFoundException',
      `Firehose ${name} under account ${context.config.accountId} not found.`,
    );
  }
  return stream;
}

const recordName = (index?: number) =>
  index === undefined ? 'Record' : `Records[${index}]`;

function checkRecordSize(bytes: Buffer, index?: number) {
  if (bytes.length > LIMITS.bytesPerRecord) {
    throw invalid(
      `${recordName(index)} size ${bytes.length} bytes exceeds the limit of ${
        LIMITS.bytesPerRecord
      } bytes (1,000 KiB)`,
    );
  }
}

function decodeRecord(record: unknown, index?: number): Buffer {
  const where = recordName(index);
  const data = (record as Json | null)?.Data;
  if (typeof data !== 'string') {
    throw invalid(`${where}.Data is required (base64)`);
  }
  if (!isBase64(data)) {
    throw new FirehoseApiError(
      'SerializationException',
      `${where}.Data is not valid base64`,
    );
  }
  const bytes = Buffer.from(data, 'base64');
  checkRecordSize(bytes, index);
  return bytes;
}

function checkBatchLength(length: number) {
  if (length === 0) throw invalid('Records must hold at least one record');
  if (length > LIMITS.recordsPerBatch) {
    throw invalid(
      `Records holds ${length} records; the limit is ${LIMITS.recordsPerBatch}`,
    );
  }
}

async function putRecord(
  context: FirehoseApiContext,
  stream: DeliveryStream,
  data: Buffer,
) {
  const [recordId] = await context.accept(stream, [data]);
  return { RecordId: recordId, Encrypted: false };
}

async function putRecordBatch(
  context: FirehoseApiContext,
  stream: DeliveryStream,
  data: Buffer[],
) {
  const total = data.reduce((sum, d) => sum + d.length, 0);
  if (total > LIMITS.bytesPerBatch) {
    throw invalid(
      `Records total ${total} bytes; the limit is ${LIMITS.bytesPerBatch} bytes (4 MiB)`,
    );
  }
  const recordIds = await context.accept(stream, data);
  return {
    FailedPutCount: 0,
    Encrypted: false,
    RequestResponses: recordIds.map(RecordId => ({ RecordId })),
  };
}

/**
 * PutRecord / PutRecordBatch from a body the fast path parsed (every record
 * valid base64): the checks of the operations below, in the same order.
 */
function putParsedRecords(
  context: FirehoseApiContext,
  operation: 'PutRecord' | 'PutRecordBatch',
  body: RecordsBody,
) {
  const stream = streamOf(context, {
    DeliveryStreamName: body.deliveryStreamName,
  });
  if (operation === 'PutRecord') {
    checkRecordSize(body.records[0]);
    return putRecord(context, stream, body.records[0]);
  }
  checkBatchLength(body.records.length);
  body.records.forEach((data, index) => checkRecordSize(data, index));
  return putRecordBatch(context, stream, body.records);
}

const operations: Record<
  string,
  (context: FirehoseApiContext, input: Json) => Promise<Json> | Json
> = {
  PutRecord(context, input) {
    const stream = streamOf(context, input);
    return putRecord(context, stream, decodeRecord(input.Record));
  },

  PutRecordBatch(context, input) {
    const stream = streamOf(context, input);
    const records = input.Records;
    checkBatchLength(Array.isArray(records) ? records.length : 0);
    return putRecordBatch(
      context,
      stream,
      (records as unknown[]).map((record, index) =>
        decodeRecord(record, index),
      ),
    );
  },

  ListDeliveryStreams(context, input) {
    const limit = input.Limit === undefined ? 10 : Number(input.Limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10000) {
      throw invalid('Limit must be an integer from 1 to 10000');
    }
    if (
      input.DeliveryStreamType !== undefined &&
      input.DeliveryStreamType !== 'DirectPut'
    ) {
      return { DeliveryStreamNames: [], HasMoreDeliveryStreams: false };
    }
    const start =
      typeof input.ExclusiveStartDeliveryStreamName === 'string'
        ? input.ExclusiveStartDeliveryStreamName
        : undefined;
    const names = [...context.streams.keys()]
      .sort()
      .filter(name => start === undefined || name > start);
    return {
      DeliveryStreamNames: names.slice(0, limit),
      HasMoreDeliveryStreams: names.length > limit,
    };
  },

  DescribeDeliveryStream(context, input) {
    const stream = streamOf(context, input);
    return { DeliveryStreamDescription: describe(context, stream) };
  },
};

/** A DeliveryStreamDescription as the real service returns it. */
function describe(context: FirehoseApiContext, stream: DeliveryStream) {
  const { config } = stream;
  const account = context.config.accountId;
  const roleArn = `arn:aws:iam::${account}:role/firehose-local`;
  const bufferingHints = {
    SizeInMBs: config.bufferingHints.sizeInMBs,
    IntervalInSeconds: config.bufferingHints.intervalInSeconds,
  };
  const s3Description = {
    RoleARN: roleArn,
    BucketARN: `arn:aws:s3:::${config.bucket}`,
    Prefix: config.prefix,
    ErrorOutputPrefix: config.errorOutputPrefix,
    BufferingHints: bufferingHints,
    CompressionFormat: config.compression,
    EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
    CloudWatchLoggingOptions: { Enabled: false },
  };
  const processors = [];
  if (config.processor === 'record-transform') {
    processors.push({
      Type: 'Lambda',
      Parameters: [
        { ParameterName: 'LambdaArn', ParameterValue: stream.lambdaArn },
      ],
    });
  }
  if (config.newlineDelimiter) {
    processors.push({ Type: 'AppendDelimiterToRecord', Parameters: [] });
  }
  const createdAt = Math.floor(stream.createdAt.getTime() / 1000);
  return {
    DeliveryStreamName: stream.name,
    DeliveryStreamARN: stream.arn,
    DeliveryStreamStatus: 'ACTIVE',
    DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
    DeliveryStreamType: 'DirectPut',
    VersionId: '1',
    CreateTimestamp: createdAt,
    LastUpdateTimestamp: createdAt,
    Destinations: [
      {
        DestinationId: 'destinationId-000000000001',
        S3DestinationDescription: s3Description,
        ExtendedS3DestinationDescription: {
          ...s3Description,
          ProcessingConfiguration: {
            Enabled: processors.length > 0,
            Processors: processors,
          },
          S3BackupMode: config.backup ? 'Enabled' : 'Disabled',
          ...(config.backup
            ? {
                S3BackupDescription: {
                  RoleARN: roleArn,
                  BucketARN: `arn:aws:s3:::${config.backup.bucket}`,
                  Prefix: config.backup.prefix ?? '',
                  BufferingHints: bufferingHints,
                  CompressionFormat: config.compression,
                  EncryptionConfiguration: {
                    NoEncryptionConfig: 'NoEncryption',
                  },
                  CloudWatchLoggingOptions: { Enabled: false },
                },
              }
            : {}),
        },
      },
    ],
    HasMoreDestinations: false,
  };
}

/** The node:http request listener speaking AWS JSON 1.1 for Firehose. */
export function firehoseRequestListener(context: FirehoseApiContext) {
  // Without configured keys any signature (or none) is accepted, as local
  // tools expect; with them, requests must be signed correctly with one.
  const verifier = context.config.accessKeys
    ? new SigV4Verifier(context.config.accessKeys)
    : undefined;
  return async (req: IncomingMessage, res: ServerResponse) => {
    context.count('request');
    try {
      if (
        req.method === 'GET' &&
        (req.url === '/health' || req.url === '/health/')
      ) {
        req.resume();
        send(res, 200, context.health());
        return;
      }
      if (verifier && req.method === 'POST') {
        // Unsigned, unknown or stale requests are refused before their
        // body (up to 8 MiB) is read.
        try {
          verifier.verifyHeaders({
            method: req.method,
            url: req.url ?? '/',
            headers: req.headers,
          });
        } catch (error) {
          req.resume();
          if (error instanceof SignatureError) {
            throw new FirehoseApiError(error.type, error.message);
          }
          throw error;
        }
      }
      const body = await readBody(req);
      if (req.method !== 'POST') {
        throw new FirehoseApiError(
          'UnknownOperationException',
          `${req.method} ${req.url} is not supported; POST AWS JSON 1.1 requests to /`,
          404,
        );
      }
      if (verifier) {
        try {
          verifier.verify({
            method: req.method ?? '',
            url: req.url ?? '/',
            headers: req.headers,
            body,
          });
        } catch (error) {
          if (error instanceof SignatureError) {
            throw new FirehoseApiError(error.type, error.message);
          }
          throw error;
        }
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const name = target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : '';
      const operation = Object.hasOwn(operations, name)
        ? operations[name]
        : undefined;
      if (!operation) {
        throw new FirehoseApiError(
          'UnknownOperationException',
          target
            ? `Operation ${target} is not supported`
            : 'Missing X-Amz-Target header',
        );
      }
      if (name === 'PutRecord' || name === 'PutRecordBatch') {
        const parsed = parseRecordsBody(body, name);
        if (parsed) {
          send(res, 200, await putParsedRecords(context, name, parsed));
          return;
        }
      }
      let input: unknown;
      try {
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch (error) {
        throw new FirehoseApiError(
          'SerializationException',
          `Request body is not valid JSON: ${(error as Error).message}`,
        );
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new FirehoseApiError(
          'SerializationException',
          'Request body must be a JSON object',
        );
      }
      send(res, 200, await operation(context, input as Json));
    } catch (error) {
      if (error instanceof FirehoseApiError) {
        context.count(error.status === 503 ? 'throttled' : 'clientError');
        sendError(res, error);
        return;
      }
      context.count('serverError');
      context.logger.error('request failed', { error: String(error) });
      sendError(
        res,
        new FirehoseApiError(
          'InternalFailure',
          'An internal error occurred.',
          500,
        ),
      );
    }
  };
}
