import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type {
  DetailedTransformationResult,
  FirehoseTransformationEvent,
} from '@internal/record-transform';
import type { ResolvedDeliveryStreamConfig } from './config';
import type { Logger } from './logger';
import type { ObjectStore } from './objectStore';
import { ErrorOutputType, evaluatePrefix, objectName } from './prefix';
import type { LoggedRecord, WriteAheadLog } from './writeAheadLog';

const gzip = promisify(gzipCallback);
const MiB = 1024 * 1024;
/** Firehose hands the Lambda at most ~1 MB of records per invocation by default. */
// Firehose batches up to the processor buffer size (0.2–3 MB, 1 MB by
// default) per Lambda invocation; a quarter MiB keeps each in-process
// invocation short enough not to stall acknowledgements.
const PROCESSOR_INVOCATION_BYTES = MiB / 4;
const NEWLINE = Buffer.from('\n');
const yieldToEventLoop = () =>
  new Promise<void>(resolve => setImmediate(resolve));

/** The transform contract, in-process: what the Lambda handler computes. */
export type RecordTransform = (
  event: FirehoseTransformationEvent,
) => DetailedTransformationResult | Promise<DetailedTransformationResult>;

/** Retry policy of S3 writes. */
export type DeliveryRetryOptions = {
  retryWindowSeconds: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
};

/** Bytes of record data held in memory across all streams, bounded. */
export class MemoryBudget {
  used = 0;
  constructor(readonly limit: number) {}

  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  /** For records that must be held whatever the limit (WAL replay). */
  forceReserve(bytes: number) {
    this.used += bytes;
  }

  release(bytes: number) {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** One line of an error object, as Firehose documents it. */
type ErrorDocument = {
  attemptsMade: number;
  arrivalTimestamp: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
  rawData: string;
  lambdaArn?: string;
};

type Output = {
  kind: 'main' | 'backup' | ErrorOutputType;
  bucket: string;
  key: string;
  body: Buffer;
  /** The source records the object carries (for the s3-failed fallback). */
  records: LoggedRecord[];
  done: boolean;
};

type Dependencies = {
  store: ObjectStore;
  wal: WriteAheadLog;
  logger: Logger;
  region: string;
  accountId: string;
  retry: DeliveryRetryOptions;
  memory: MemoryBudget;
  transform: RecordTransform;
};

const endsWithNewline = (data: Buffer) =>
  data.length > 0 && data[data.length - 1] === 0x0a;

const oldestArrival = (records: LoggedRecord[]) =>
  records.reduce((min, r) => Math.min(min, r.arrival), Infinity);

const bytesOf = (records: LoggedRecord[]) =>
  records.reduce((sum, r) => sum + r.data.length, 0);

/**
 * One delivery stream: buffers records by size and interval, then delivers
 * each buffer as one object (plus error and backup objects) to S3. Records
 * are released from the write-ahead log only once every object holding them
 * is written.
 */
export class DeliveryStream {
  readonly createdAt = new Date();
  private buffer: LoggedRecord[] = [];
  private bufferBytes = 0;
  private timer?: NodeJS.Timeout;
  private deliveries: Promise<void> = Promise.resolve();
  private inDelivery = { records: 0, bytes: 0, batches: 0 };
  private stopping = false;
  private readonly crashed = new AbortController();
  private readonly counters = {
    recordsIn: 0,
    bytesIn: 0,
    recordsDelivered: 0,
    recordsDropped: 0,
    recordsProcessingFailed: 0,
    recordsS3Failed: 0,
    recordsBackedUp: 0,
    objectsWritten: 0,
    bytesWritten: 0,
    s3WriteErrors: 0,
    deliveries: 0,
  };
  private latency = { lastMs: 0, maxMs: 0, totalMs: 0 };
  private lastError?: { at: string; message: string };

  constructor(
    readonly config: ResolvedDeliveryStreamConfig,
    private readonly deps: Dependencies,
  ) {}

  get name() {
    return this.config.name;
  }

  get arn() {
    return `arn:aws:firehose:${this.deps.region}:${this.deps.accountId}:deliverystream/${this.name}`;
  }

  get lambdaArn() {
    return `arn:aws:lambda:${this.deps.region}:${this.deps.accountId}:function:record-transform`;
  }

  /** Takes durable records into the buffer; flushes when a hint is reached. */
  add(records: LoggedRecord[], options: { replayed?: boolean } = {}) {
    if (!records.length || this.crashed.signal.aborted) return;
    for (const record of records) {
      this.buffer.push(record);
      this.bufferBytes += record.data.length;
    }
    if (!options.replayed) {
      this.counters.recordsIn += records.length;
      this.counters.bytesIn += bytesOf(records);
    }
    const { sizeInMBs, intervalInSeconds } = this.config.bufferingHints;
    if (this.bufferBytes >= sizeInMBs * MiB) {
      this.flushBuffer('size');
    } else if (!this.timer && !this.stopping) {
      // The interval starts with the first record of an empty buffer.
      this.timer = setTimeout(
        () => this.flushBuffer('interval'),
        intervalInSeconds * 1000,
      );
    }
  }

  /** Delivers everything buffered now; resolves when it is in S3. */
  async flush() {
    this.flushBuffer('flush');
    await this.deliveries;
  }

  /** Flushes, and gives up retrying S3 after one full window. */
  async stop() {
    this.stopping = true;
    await this.flush();
  }

  /** Test hook: forget everything in memory, as a killed process would. */
  crash() {
    this.crashed.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.buffer = [];
    this.bufferBytes = 0;
  }

  metrics() {
    const delivered = this.counters.deliveries;
    return {
      ...this.counters,
      bufferedRecords: this.buffer.length + this.inDelivery.records,
      bufferedBytes: this.bufferBytes + this.inDelivery.bytes,
      deliveriesInProgress: this.inDelivery.batches,
      deliveryLatencyMs: {
        last: this.latency.lastMs,
        max: this.latency.maxMs,
        mean: delivered ? Math.round(this.latency.totalMs / delivered) : 0,
      },
      lastError: this.lastError,
    };
  }

  private flushBuffer(reason: string) {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer.length || this.crashed.signal.aborted) return;
    const batch = this.buffer;
    const bytes = this.bufferBytes;
    this.buffer = [];
    this.bufferBytes = 0;
    this.inDelivery.records += batch.length;
    this.inDelivery.bytes += bytes;
    this.inDelivery.batches++;
    // One delivery at a time per stream: objects land in arrival order, and
    // while S3 is down buffers pile up against the memory budget (503s)
    // instead of as parallel retries.
    this.deliveries = this.deliveries.then(async () => {
      try {
        await this.deliver(batch, reason);
      } catch (error) {
        this.deps.logger.error('delivery failed unexpectedly', {
          stream: this.name,
          error: String(error),
        });
      } finally {
        this.inDelivery.records -= batch.length;
        this.inDelivery.bytes -= bytes;
        this.inDelivery.batches--;
        this.deps.memory.release(bytes);
      }
    });
  }

  private async deliver(batch: LoggedRecord[], reason: string) {
    const outputs = await this.prepareOutputs(batch);
    for (let round = 1; ; round++) {
      for (const output of outputs) {
        if (output.done) continue;
        if (this.crashed.signal.aborted) return;
        await this.writeOutput(output);
      }
      if (outputs.every(o => o.done)) break;
      if (this.crashed.signal.aborted) return;
      if (this.stopping) {
        this.deps.logger.error(
          'stopping with undelivered records; they stay in the write-ahead log',
          { stream: this.name, records: batch.length },
        );
        return;
      }
      // Never drop: keep the records (they are in the WAL) and try again.
      this.deps.logger.error('delivery still failing; retrying later', {
        stream: this.name,
        records: batch.length,
        round,
      });
      try {
        await sleep(this.deps.retry.maxBackoffMs, undefined, {
          signal: this.crashed.signal,
        });
      } catch {
        return;
      }
    }
    if (this.crashed.signal.aborted) return;
    this.deps.wal.release(batch);
    const latencyMs = Date.now() - oldestArrival(batch);
    this.counters.deliveries++;
    this.latency.lastMs = latencyMs;
    this.latency.maxMs = Math.max(this.latency.maxMs, latencyMs);
    this.latency.totalMs += latencyMs;
    this.deps.logger.debug?.('delivered buffer', {
      stream: this.name,
      reason,
      records: batch.length,
      objects: outputs.map(o => `s3://${o.bucket}/${o.key}`),
      latencyMs,
    });
  }

  /** Writes one object; if S3 keeps failing, its records go to s3-failed. */
  private async writeOutput(output: Output) {
    try {
      await this.putWithRetry(output);
      output.done = true;
      this.countWritten(output);
      return;
    } catch (error) {
      if (this.crashed.signal.aborted) return;
      this.recordError(error);
      if (output.kind !== 'main' && output.kind !== 'backup') {
        this.deps.logger.error('could not write error output', {
          stream: this.name,
          key: output.key,
          error: String(error),
        });
        return;
      }
      this.deps.logger.error('S3 write failed for the whole retry window', {
        stream: this.name,
        bucket: output.bucket,
        key: output.key,
        error: String(error),
      });
      const fallback = await this.errorOutput(
        's3-failed',
        output.records.map(record => ({
          record,
          errorCode: `S3.${(error as Error).name || 'Error'}`,
          errorMessage: (error as Error).message || String(error),
          attemptsMade: (error as { attempts?: number }).attempts ?? 1,
          attemptEndingTimestamp: Date.now(),
        })),
      );
      try {
        await this.putWithRetry(fallback);
        output.done = true;
        this.countWritten(fallback);
        this.deps.logger.warn('records written to the s3-failed error prefix', {
          stream: this.name,
          key: fallback.key,
          records: output.records.length,
        });
      } catch (fallbackError) {
        this.recordError(fallbackError);
        this.deps.logger.error(
          'could not write s3-failed error output either',
          {
            stream: this.name,
            key: fallback.key,
            error: String(fallbackError),
          },
        );
      }
    }
  }

  private countWritten(output: Output) {
    this.counters.objectsWritten++;
    this.counters.bytesWritten += output.body.length;
    if (output.kind === 'main') {
      this.counters.recordsDelivered += output.records.length;
    } else if (output.kind === 'backup') {
      this.counters.recordsBackedUp += output.records.length;
    } else if (output.kind === 'processing-failed') {
      this.counters.recordsProcessingFailed += output.records.length;
    } else {
      this.counters.recordsS3Failed += output.records.length;
    }
  }

  private recordError(error: unknown) {
    this.lastError = {
      at: new Date().toISOString(),
      message: String((error as Error)?.message ?? error),
    };
  }

  private async putWithRetry(output: Output) {
    const { retryWindowSeconds, initialBackoffMs, maxBackoffMs } =
      this.deps.retry;
    const deadline = Date.now() + retryWindowSeconds * 1000;
    let backoff = initialBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.store.putObject({
          bucket: output.bucket,
          key: output.key,
          body: output.body,
          contentType: 'application/octet-stream',
        });
        return;
      } catch (error) {
        this.counters.s3WriteErrors++;
        // Full jitter on half the backoff: retries of several streams spread.
        const wait =
          Math.min(backoff, maxBackoffMs) * (0.5 + Math.random() / 2);
        if (this.crashed.signal.aborted || Date.now() + wait > deadline) {
          Object.assign(error as object, { attempts: attempt });
          throw error;
        }
        this.deps.logger.warn('S3 write failed; retrying', {
          stream: this.name,
          bucket: output.bucket,
          key: output.key,
          attempt,
          error: String(error),
        });
        try {
          await sleep(wait, undefined, { signal: this.crashed.signal });
        } catch {
          throw error;
        }
        backoff *= 2;
      }
    }
  }

  /** Runs the processor and builds every object this buffer becomes. */
  private async prepareOutputs(batch: LoggedRecord[]): Promise<Output[]> {
    const outputs: Output[] = [];
    const { backup } = this.config;
    if (backup) {
      outputs.push(
        await this.dataOutput(
          'backup',
          backup.bucket,
          backup.prefix ?? '',
          batch.map(record => ({ record, data: record.data })),
          true,
        ),
      );
    }

    const { ok, failed } = await this.process(batch);
    if (ok.length) {
      outputs.push(
        await this.dataOutput(
          'main',
          this.config.bucket,
          this.config.prefix,
          ok,
          this.config.newlineDelimiter,
        ),
      );
    }
    if (failed.length) {
      outputs.push(await this.errorOutput('processing-failed', failed));
    }
    return outputs;
  }

  private async dataOutput(
    kind: 'main' | 'backup',
    bucket: string,
    prefix: string,
    items: Array<{ record: LoggedRecord; data: Buffer }>,
    newlineDelimiter: boolean,
  ): Promise<Output> {
    const records = items.map(i => i.record);
    const oldest = oldestArrival(records);
    const parts: Buffer[] = [];
    for (const { data } of items) {
      parts.push(data);
      if (newlineDelimiter && !endsWithNewline(data)) parts.push(NEWLINE);
    }
    return {
      kind,
      bucket,
      key: this.objectKey(evaluatePrefix(prefix, oldest), oldest),
      body: await this.compress(Buffer.concat(parts)),
      records,
      done: false,
    };
  }

  private async errorOutput(
    type: ErrorOutputType,
    failures: Array<{
      record: LoggedRecord;
      errorCode: string;
      errorMessage: string;
      attemptsMade: number;
      attemptEndingTimestamp: number;
    }>,
  ): Promise<Output> {
    const records = failures.map(f => f.record);
    const oldest = oldestArrival(records);
    const lines = failures.map(failure => {
      const document: ErrorDocument = {
        attemptsMade: failure.attemptsMade,
        arrivalTimestamp: failure.record.arrival,
        errorCode: failure.errorCode,
        errorMessage: failure.errorMessage,
        attemptEndingTimestamp: failure.attemptEndingTimestamp,
        rawData: failure.record.data.toString('base64'),
      };
      if (type === 'processing-failed') document.lambdaArn = this.lambdaArn;
      return `${JSON.stringify(document)}\n`;
    });
    return {
      kind: type,
      bucket: this.config.bucket,
      key: this.objectKey(
        evaluatePrefix(this.config.errorOutputPrefix, oldest, type),
        oldest,
      ),
      body: await this.compress(Buffer.from(lines.join(''), 'utf8')),
      records,
      done: false,
    };
  }

  private objectKey(prefix: string, oldest: number) {
    const extension = this.config.compression === 'GZIP' ? '.gz' : '';
    return `${prefix}${objectName(this.name, oldest, extension)}`;
  }

  private async compress(body: Buffer) {
    return this.config.compression === 'GZIP' ? await gzip(body) : body;
  }

  /** The transform contract: Ok / Dropped / ProcessingFailed per record. */
  private async process(batch: LoggedRecord[]) {
    const ok: Array<{ record: LoggedRecord; data: Buffer }> = [];
    const failed: Array<{
      record: LoggedRecord;
      errorCode: string;
      errorMessage: string;
      attemptsMade: number;
      attemptEndingTimestamp: number;
    }> = [];
    if (this.config.processor === 'none') {
      return {
        ok: batch.map(record => ({ record, data: record.data })),
        failed,
      };
    }
    for (const chunk of invocationChunks(batch)) {
      // The Lambda runs elsewhere in AWS; here it shares the event loop with
      // the API, so let waiting requests be acknowledged between invocations.
      await yieldToEventLoop();
      const event: FirehoseTransformationEvent = {
        invocationId: randomUUID(),
        deliveryStreamArn: this.arn,
        region: this.deps.region,
        records: chunk.map(record => ({
          recordId: record.recordId,
          approximateArrivalTimestamp: record.arrival,
          data: record.data.toString('base64'),
        })),
      };
      let results: Map<string, DetailedTransformationResult['records'][number]>;
      try {
        const result = await this.deps.transform(event);
        results = new Map(result.records.map(r => [r.recordId, r]));
      } catch (error) {
        const now = Date.now();
        this.deps.logger.error('record transform threw', {
          stream: this.name,
          records: chunk.length,
          error: String(error),
        });
        for (const record of chunk) {
          failed.push({
            record,
            errorCode: 'Lambda.FunctionError',
            errorMessage: `The Lambda function was successfully invoked but it returned an error result: ${
              (error as Error)?.message ?? error
            }`,
            attemptsMade: 1,
            attemptEndingTimestamp: now,
          });
        }
        continue;
      }
      const now = Date.now();
      for (const record of chunk) {
        const result = results.get(record.recordId);
        if (!result) {
          failed.push({
            record,
            errorCode: 'Lambda.MissingRecordId',
            errorMessage: 'The transform returned no result for this record id',
            attemptsMade: 1,
            attemptEndingTimestamp: now,
          });
        } else if (result.result === 'Ok') {
          ok.push({ record, data: Buffer.from(result.data, 'base64') });
        } else if (result.result === 'Dropped') {
          this.counters.recordsDropped++;
        } else {
          failed.push({
            record,
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
      }
    }
    return { ok, failed };
  }
}

function* invocationChunks(batch: LoggedRecord[]) {
  let chunk: LoggedRecord[] = [];
  let bytes = 0;
  for (const record of batch) {
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
