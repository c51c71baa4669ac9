import { randomUUID } from 'node:crypto';
import type {
  DetailedTransformationResult,
  FirehoseTransformationEvent,
} from '@internal/record-transform';

/** The transform contract, in-process: what the Lambda handler computes. */
export type RecordTransform = (
  event: FirehoseTransformationEvent,
) => DetailedTransformationResult | Promise<DetailedTransformationResult>;

/** GZIP or not; synchronous in the delivery worker, async in-process. */
export type Compress = (body: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** What the objects of one buffer are built from, per record. */
export type BufferedRecord = {
  recordId: string;
  /** Arrival time, milliseconds since the epoch. */
  arrival: number;
  data: Uint8Array;
};

/** How a stream turns its buffer into objects. */
export type ObjectBodiesOptions = {
  processor: 'none' | 'record-transform';
  compressed: boolean;
  newlineDelimiter: boolean;
  backup: boolean;
  deliveryStreamArn: string;
  lambdaArn: string;
  region: string;
};

/**
 * The bodies of the objects one buffer becomes. `records` are indexes into
 * the buffer, in order, so the caller can name keys and count.
 */
export type ObjectBodies = {
  /** Every raw record, newline-delimited (backup mode ALL). */
  backup?: Uint8Array;
  main?: { body: Uint8Array; records: number[] };
  processingFailed?: { body: Uint8Array; records: number[] };
  dropped: number;
};

/** Why a record went under the error prefix. */
export type RecordFailure = {
  errorCode: string;
  errorMessage: string;
  attemptsMade: number;
  attemptEndingTimestamp: number;
};

// Firehose batches up to the processor buffer size (0.2–3 MB, 1 MB by
// default) per Lambda invocation; a quarter MiB keeps each invocation (and
// each hand-over to the delivery worker) short.
const PROCESSOR_INVOCATION_BYTES = 256 * 1024;
const NEWLINE = new Uint8Array([0x0a]);

const endsWithNewline = (data: Uint8Array) =>
  data.length > 0 && data[data.length - 1] === 0x0a;

const base64 = (data: Uint8Array) =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');

/** Splits a buffer into the record lists of successive transform invocations. */
export function* invocationChunks<T extends { data: Uint8Array }>(
  records: T[],
): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const record of records) {
    if (
      chunk.length &&
      bytes + record.data.length > PROCESSOR_INVOCATION_BYTES
    ) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += record.data.length;
  }
  if (chunk.length) yield chunk;
}

/** One line of an error object, as Firehose documents it. */
export function errorDocumentLine(
  record: BufferedRecord,
  failure: RecordFailure,
  lambdaArn?: string,
): string {
  return `${JSON.stringify({
    attemptsMade: failure.attemptsMade,
    arrivalTimestamp: record.arrival,
    errorCode: failure.errorCode,
    errorMessage: failure.errorMessage,
    attemptEndingTimestamp: failure.attemptEndingTimestamp,
    rawData: base64(record.data),
    ...(lambdaArn ? { lambdaArn } : {}),
  })}\n`;
}

/**
 * Builds the objects of one buffer, one transform invocation at a time:
 * the raw backup, the transformed records (`Ok`), the error documents of
 * `ProcessingFailed` records; `Dropped` ones are counted. Runs in the
 * delivery worker (and in-process when a test supplies its own transform),
 * so none of this work shares the event loop that acknowledges requests.
 */
export class ObjectBodiesBuilder {
  private readonly backupParts: Uint8Array[] = [];
  private readonly mainParts: Uint8Array[] = [];
  private readonly mainRecords: number[] = [];
  private readonly failedLines: string[] = [];
  private readonly failedRecords: number[] = [];
  private dropped = 0;
  private added = 0;

  constructor(
    private readonly options: ObjectBodiesOptions,
    private readonly transform: RecordTransform,
    private readonly compress: Compress,
  ) {}

  /** Adds the records of one invocation (see {@link invocationChunks}). */
  async add(records: BufferedRecord[]) {
    const first = this.added;
    this.added += records.length;
    if (this.options.backup) {
      for (const record of records) {
        this.backupParts.push(record.data);
        if (!endsWithNewline(record.data)) this.backupParts.push(NEWLINE);
      }
    }
    if (this.options.processor === 'none') {
      records.forEach((record, i) => this.ok(first + i, record.data));
      return;
    }
    await this.invoke(records, first);
  }

  async finish(): Promise<ObjectBodies> {
    const bodies: ObjectBodies = { dropped: this.dropped };
    if (this.backupParts.length) {
      bodies.backup = await this.body(Buffer.concat(this.backupParts));
    }
    if (this.mainRecords.length) {
      bodies.main = {
        body: await this.body(Buffer.concat(this.mainParts)),
        records: this.mainRecords,
      };
    }
    if (this.failedRecords.length) {
      bodies.processingFailed = {
        body: await this.body(Buffer.from(this.failedLines.join(''), 'utf8')),
        records: this.failedRecords,
      };
    }
    return bodies;
  }

  private async body(data: Uint8Array) {
    return this.options.compressed ? await this.compress(data) : data;
  }

  private ok(index: number, data: Uint8Array) {
    this.mainRecords.push(index);
    this.mainParts.push(data);
    if (this.options.newlineDelimiter && !endsWithNewline(data)) {
      this.mainParts.push(NEWLINE);
    }
  }

  private fail(index: number, record: BufferedRecord, failure: RecordFailure) {
    this.failedRecords.push(index);
    this.failedLines.push(
      errorDocumentLine(record, failure, this.options.lambdaArn),
    );
  }

  /** The transform contract: Ok / Dropped / ProcessingFailed per record. */
  private async invoke(records: BufferedRecord[], first: number) {
    const event: FirehoseTransformationEvent = {
      invocationId: randomUUID(),
      deliveryStreamArn: this.options.deliveryStreamArn,
      region: this.options.region,
      records: records.map(record => ({
        recordId: record.recordId,
        approximateArrivalTimestamp: record.arrival,
        data: base64(record.data),
      })),
    };
    let results: Map<string, DetailedTransformationResult['records'][number]>;
    try {
      const result = await this.transform(event);
      results = new Map(result.records.map(r => [r.recordId, r]));
    } catch (error) {
      const failure = {
        errorCode: 'Lambda.FunctionError',
        errorMessage: `The Lambda function was successfully invoked but it returned an error result: ${
          (error as Error)?.message ?? error
        }`,
        attemptsMade: 1,
        attemptEndingTimestamp: Date.now(),
      };
      records.forEach((record, i) => this.fail(first + i, record, failure));
      return;
    }
    const now = Date.now();
    records.forEach((record, i) => {
      const result = results.get(record.recordId);
      if (!result) {
        this.fail(first + i, record, {
          errorCode: 'Lambda.MissingRecordId',
          errorMessage: 'The transform returned no result for this record id',
          attemptsMade: 1,
          attemptEndingTimestamp: now,
        });
      } else if (result.result === 'Ok') {
        this.ok(first + i, Buffer.from(result.data, 'base64'));
      } else if (result.result === 'Dropped') {
        this.dropped++;
      } else {
        this.fail(first + i, record, {
          errorCode: 'Lambda.ProcessingFailed',
          errorMessage:
            result.reason ??
            (result.result === 'ProcessingFailed'
              ? 'The transform marked the record ProcessingFailed'
              : `The transform returned an invalid result '${result.result}'`),
          attemptsMade: 1,
          attemptEndingTimestamp: now,
        });
      }
    });
  }
}

/**
 * Builds in-process (a test's own transform; a failed delivery worker),
 * one invocation per turn of the event loop.
 */
export async function buildObjectBodies(
  records: BufferedRecord[],
  options: ObjectBodiesOptions,
  transform: RecordTransform,
  compress: Compress,
): Promise<ObjectBodies> {
  const builder = new ObjectBodiesBuilder(options, transform, compress);
  for (const chunk of invocationChunks(records)) {
    await new Promise<void>(resolve => setImmediate(resolve));
    await builder.add(chunk);
  }
  return builder.finish();
}
