import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { ResolvedDeliveryStreamConfig } from './config';
import type { Logger } from './logger';
import {
  BufferedRecord,
  buildObjectBodies,
  errorDocumentLine,
  ObjectBodies,
  ObjectBodiesOptions,
  RecordFailure,
} from './objectBodies';
import type { ObjectStore } from './objectStore';
import { ErrorOutputType, evaluatePrefix, objectName } from './prefix';
import type { LoggedRecord, WriteAheadLog } from './writeAheadLog';

export type { RecordTransform } from './objectBodies';

const gzip = promisify(gzipCallback);
const MiB = 1024 * 1024;

/** Builds the objects of one buffer (in the delivery worker, or in-process). */
export type BuildObjectBodies = (
  records: BufferedRecord[],
  options: ObjectBodiesOptions,
) => Promise<ObjectBodies>;

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
  buildBodies: BuildObjectBodies;
};

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
      const fallback = await this.s3FailedOutput(output.records, {
        errorCode: `S3.${(error as Error).name || 'Error'}`,
        errorMessage: (error as Error).message || String(error),
        attemptsMade: (error as { attempts?: number }).attempts ?? 1,
        attemptEndingTimestamp: Date.now(),
      });
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
    const options: ObjectBodiesOptions = {
      processor: this.config.processor,
      compressed: this.config.compression === 'GZIP',
      newlineDelimiter: this.config.newlineDelimiter,
      backup: Boolean(this.config.backup),
      deliveryStreamArn: this.arn,
      lambdaArn: this.lambdaArn,
      region: this.deps.region,
    };
    let bodies: ObjectBodies;
    try {
      bodies = await this.deps.buildBodies(batch, options);
    } catch (error) {
      // The worker died (as a Lambda can): its records fail like a
      // throwing function's; the raw backup is still written.
      this.deps.logger.error(
        'delivery worker failed; transform counted as failed',
        {
          stream: this.name,
          records: batch.length,
          error: String(error),
        },
      );
      bodies = await buildObjectBodies(
        batch,
        options,
        () => {
          throw error;
        },
        gzip,
      );
    }
    this.counters.recordsDropped += bodies.dropped;
    const outputs: Output[] = [];
    const { backup } = this.config;
    if (bodies.backup && backup) {
      outputs.push(
        this.output(
          'backup',
          backup.bucket,
          backup.prefix ?? '',
          bodies.backup,
          batch,
        ),
      );
    }
    if (bodies.main) {
      outputs.push(
        this.output(
          'main',
          this.config.bucket,
          this.config.prefix,
          bodies.main.body,
          bodies.main.records.map(i => batch[i]),
        ),
      );
    }
    if (bodies.processingFailed) {
      outputs.push(
        this.output(
          'processing-failed',
          this.config.bucket,
          this.config.errorOutputPrefix,
          bodies.processingFailed.body,
          bodies.processingFailed.records.map(i => batch[i]),
        ),
      );
    }
    return outputs;
  }

  private output(
    kind: Output['kind'],
    bucket: string,
    prefix: string,
    body: Uint8Array,
    records: LoggedRecord[],
  ): Output {
    const oldest = oldestArrival(records);
    const errorType = kind === 'main' || kind === 'backup' ? undefined : kind;
    return {
      kind,
      bucket,
      key: this.objectKey(evaluatePrefix(prefix, oldest, errorType), oldest),
      body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      records,
      done: false,
    };
  }

  /** Error documents of records S3 would not take (built here: rare). */
  private async s3FailedOutput(
    records: LoggedRecord[],
    failure: RecordFailure,
  ): Promise<Output> {
    const lines = records.map(record => errorDocumentLine(record, failure));
    const body = Buffer.from(lines.join(''), 'utf8');
    return this.output(
      's3-failed',
      this.config.bucket,
      this.config.errorOutputPrefix,
      this.config.compression === 'GZIP' ? await gzip(body) : body,
      records,
    );
  }

  private objectKey(prefix: string, oldest: number) {
    const extension = this.config.compression === 'GZIP' ? '.gz' : '';
    return `${prefix}${objectName(this.name, oldest, extension)}`;
  }
}
