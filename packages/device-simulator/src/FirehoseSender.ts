import {
  FirehoseClient,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';

/**
 * Where the simulator reports what it does. `console` fits, and so does a
 * Backstage `LoggerService`.
 *
 * @public
 */
export type SimulatorLogger = {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
};

/** @public */
export type FirehoseSenderOptions = {
  /**
   * The client to send with. Its own retries multiply with this sender's;
   * build it with `maxAttempts: 1` to let the sender own the retry policy.
   */
  client: FirehoseClient;
  /** Attempts per record, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff ceiling; doubles per attempt. Default 100 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 5,000 ms. */
  maxDelayMs?: number;
  /** PutRecordBatch calls in flight at once (across streams). Default 4. */
  maxConcurrentCalls?: number;
  /** Records per call; Firehose allows at most 500. Default 500. */
  maxRecordsPerCall?: number;
  /** Record bytes per call; Firehose allows at most 4 MiB. Default 4 MiB. */
  maxBytesPerCall?: number;
  logger?: SimulatorLogger;
  /** Jitter source; default `Math.random`. */
  random?: () => number;
  /** How to wait between attempts; tests may make it instant. */
  sleep?: (ms: number) => Promise<void>;
};

/**
 * What became of the records handed to one `send` call.
 *
 * @public
 */
export type SendResult = {
  /** Records handed in. */
  records: number;
  /** Records Firehose accepted (a RecordId came back). */
  acked: number;
  /** Records given up on: attempts exhausted, a non-retryable error, or too large. */
  failedPermanently: number;
  /** Re-sends of records (one record sent three times counts 2). */
  retried: number;
  /** PutRecordBatch calls made, failed calls included. */
  calls: number;
  /** Why the permanently failed records failed: error code → record count. */
  failureCodes: Record<string, number>;
};

/** Firehose's hard limits for PutRecordBatch. */
export const PUT_RECORD_BATCH_LIMITS = {
  records: 500,
  bytes: 4 * 1024 * 1024,
  recordBytes: 1000 * 1024,
} as const;

// Whole-call failures worth another try: Firehose's own "back off" answer,
// throttling, server-side faults and network trouble. Anything else (a
// missing stream, bad credentials, an invalid argument) will not get better.
const RETRYABLE_ERROR_NAMES = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'InternalFailure',
  'InternalFailureException',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

type ErrorLike = {
  name?: string;
  message?: string;
  code?: string;
  cause?: { code?: string };
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
};

/** Whether a failed PutRecordBatch call (as a whole) deserves another try. */
export function isRetryableCallError(error: unknown): boolean {
  const e = (error ?? {}) as ErrorLike;
  if (e.name && RETRYABLE_ERROR_NAMES.has(e.name)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  const code = networkCodeOf(e);
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

function networkCodeOf(e: ErrorLike): string | undefined {
  // The SDK may hand over a network error re-wrapped with only its message
  // left ("AWS SDK error wrapper for Error: connect ECONNREFUSED …").
  const fromMessage =
    typeof e.message === 'string'
      ? e.message.match(/\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/)?.[1]
      : undefined;
  return (
    e.code ??
    e.cause?.code ??
    (fromMessage && RETRYABLE_NETWORK_CODES.has(fromMessage)
      ? fromMessage
      : undefined)
  );
}

function errorCodeOf(error: unknown): string {
  const e = (error ?? {}) as ErrorLike;
  return e.name && e.name !== 'Error'
    ? e.name
    : networkCodeOf(e) ?? 'UnknownError';
}

/**
 * Sends records to Firehose delivery streams with PutRecordBatch, the way a
 * careful producer must:
 *
 * - splits into calls of at most 500 records and 4 MiB;
 * - a call can succeed while some of its records fail (`FailedPutCount`,
 *   a per-record `ErrorCode`): only those records are sent again;
 * - whole-call failures that may pass (ServiceUnavailableException,
 *   throttling, 5xx, network) are retried;
 * - retries back off exponentially with full jitter, for a bounded number of
 *   attempts, after which records count as failed permanently;
 * - at most `maxConcurrentCalls` calls are in flight; others queue.
 *
 * Re-sent records may be duplicated downstream (Firehose is at-least-once);
 * the transform's deterministic event ids let readers de-duplicate.
 *
 * @public
 */
export class FirehoseSender {
  readonly #client: FirehoseClient;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxConcurrentCalls: number;
  readonly #maxRecordsPerCall: number;
  readonly #maxBytesPerCall: number;
  readonly #logger?: SimulatorLogger;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  #callsInFlight = 0;
  readonly #waitingForSlot: Array<() => void> = [];
  #pendingRecords = 0;
  readonly #lastLoggedAt = new Map<string, number>();
  readonly #activeSends = new Set<Promise<SendResult>>();

  constructor(options: FirehoseSenderOptions) {
    this.#client = options.client;
    this.#maxAttempts = positiveInteger('maxAttempts', options.maxAttempts, 5);
    this.#baseDelayMs = options.baseDelayMs ?? 100;
    this.#maxDelayMs = options.maxDelayMs ?? 5000;
    this.#maxConcurrentCalls = positiveInteger(
      'maxConcurrentCalls',
      options.maxConcurrentCalls,
      4,
    );
    this.#maxRecordsPerCall = Math.min(
      PUT_RECORD_BATCH_LIMITS.records,
      positiveInteger('maxRecordsPerCall', options.maxRecordsPerCall, 500),
    );
    this.#maxBytesPerCall = Math.min(
      PUT_RECORD_BATCH_LIMITS.bytes,
      options.maxBytesPerCall ?? PUT_RECORD_BATCH_LIMITS.bytes,
    );
    this.#logger = options.logger;
    this.#random = options.random ?? Math.random;
    this.#sleep =
      options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
  }

  /** Records handed to `send` whose outcome is not yet known. */
  get pendingRecords(): number {
    return this.#pendingRecords;
  }

  /** PutRecordBatch calls currently waiting for an answer. */
  get callsInFlight(): number {
    return this.#callsInFlight;
  }

  /**
   * Sends records to one delivery stream. Never rejects: every record ends
   * up either acked or failed permanently, and the result says which.
   */
  send(
    deliveryStreamName: string,
    records: readonly Uint8Array[],
  ): Promise<SendResult> {
    this.#pendingRecords += records.length;
    const sending = this.#sendAll(deliveryStreamName, records).finally(() => {
      this.#pendingRecords -= records.length;
      this.#activeSends.delete(sending);
    });
    this.#activeSends.add(sending);
    return sending;
  }

  /** Resolves once every `send` so far (and any started meanwhile) settled. */
  async idle(): Promise<void> {
    while (this.#activeSends.size > 0) {
      await Promise.allSettled([...this.#activeSends]);
    }
  }

  async #sendAll(
    stream: string,
    records: readonly Uint8Array[],
  ): Promise<SendResult> {
    const result: SendResult = {
      records: records.length,
      acked: 0,
      failedPermanently: 0,
      retried: 0,
      calls: 0,
      failureCodes: {},
    };
    const sendable: Uint8Array[] = [];
    for (const record of records) {
      if (record.byteLength > PUT_RECORD_BATCH_LIMITS.recordBytes) {
        // Firehose would reject the whole call; fail just this record.
        fail(result, 'RecordTooLarge', 1);
      } else {
        sendable.push(record);
      }
    }
    await Promise.all(
      this.#split(sendable).map(chunk =>
        this.#sendChunk(stream, chunk, result),
      ),
    );
    return result;
  }

  #split(records: Uint8Array[]): Uint8Array[][] {
    const chunks: Uint8Array[][] = [];
    let chunk: Uint8Array[] = [];
    let bytes = 0;
    for (const record of records) {
      if (
        chunk.length === this.#maxRecordsPerCall ||
        (chunk.length > 0 && bytes + record.byteLength > this.#maxBytesPerCall)
      ) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(record);
      bytes += record.byteLength;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }

  async #sendChunk(
    stream: string,
    chunk: Uint8Array[],
    result: SendResult,
  ): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        result.retried += pending.length;
        await this.#sleep(this.#backoffMs(attempt - 1));
      }
      const sending = pending;
      let failed: Uint8Array[];
      let failedCodes: string[];
      try {
        const command = new PutRecordBatchCommand({
          DeliveryStreamName: stream,
          Records: sending.map(Data => ({ Data })),
        });
        const output = await this.#withCallSlot(() =>
          this.#client.send(command),
        );
        result.calls++;
        const responses = output.RequestResponses ?? [];
        if (
          (output.FailedPutCount ?? 0) > 0 &&
          responses.length !== pending.length
        ) {
          // A count without a usable per-record answer: resend all of them.
          failed = pending;
          failedCodes = pending.map(() => 'UnknownRecordFailure');
        } else {
          failed = [];
          failedCodes = [];
          for (let i = 0; i < responses.length; i++) {
            const code = responses[i].ErrorCode;
            if (code) {
              failed.push(sending[i]);
              failedCodes.push(code);
            }
          }
        }
      } catch (error) {
        result.calls++;
        const code = errorCodeOf(error);
        if (!isRetryableCallError(error)) {
          fail(result, code, pending.length);
          this.#log(
            'error',
            `${stream}:${code}`,
            `PutRecordBatch to ${stream} failed with ${code}, not retrying ${
              pending.length
            } records: ${(error as Error)?.message}`,
          );
          return;
        }
        failed = pending;
        failedCodes = pending.map(() => code);
      }

      result.acked += pending.length - failed.length;
      pending = failed;
      if (pending.length === 0) return;
      if (attempt >= this.#maxAttempts) {
        for (const code of failedCodes) fail(result, code, 1);
        this.#log(
          'warn',
          `${stream}:${failedCodes[0]}`,
          `PutRecordBatch to ${stream}: ${pending.length} records still failing after ${attempt} attempts (${failedCodes[0]}), giving up on them`,
        );
        return;
      }
    }
  }

  /** Logs a kind of failure at most every 10 s, so a wrong stream name does not flood the log. */
  #log(level: 'warn' | 'error', kind: string, message: string) {
    const now = Date.now();
    if (now - (this.#lastLoggedAt.get(kind) ?? -Infinity) < 10_000) return;
    this.#lastLoggedAt.set(kind, now);
    this.#logger?.[level](message);
  }

  /** Full jitter: uniform in [0, min(max, base · 2^(retry-1))]. */
  #backoffMs(retry: number): number {
    const ceiling = Math.min(
      this.#maxDelayMs,
      this.#baseDelayMs * Math.pow(2, retry - 1),
    );
    return Math.round(this.#random() * ceiling);
  }

  async #withCallSlot<T>(call: () => Promise<T>): Promise<T> {
    while (this.#callsInFlight >= this.#maxConcurrentCalls) {
      await new Promise<void>(resolve => this.#waitingForSlot.push(resolve));
    }
    this.#callsInFlight++;
    try {
      return await call();
    } finally {
      this.#callsInFlight--;
      this.#waitingForSlot.shift()?.();
    }
  }
}

function fail(result: SendResult, code: string, count: number) {
  result.failedPermanently += count;
  result.failureCodes[code] = (result.failureCodes[code] ?? 0) + count;
}

function positiveInteger(
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}
