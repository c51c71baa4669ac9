import { LoggerService } from '@backstage/backend-plugin-api';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { SummaryShape, summariseObject } from './summariseObject';
import { ObjectSummary, decodeSummary, emptySummary } from './summary';
import type { SummaryReply, SummaryRequest } from './summaryWorkerThread';

/** An object's summary, and its cache encoding when it was made encoded. */
export type SummarisedObject = { summary: ObjectSummary; encoded?: Buffer };

/** Where objects are summarised: this thread, or worker threads. */
export interface ObjectSummarisers {
  summarise(
    body: Readable,
    size: number,
    shape: SummaryShape,
  ): Promise<SummarisedObject>;
  close(): Promise<void>;
}

/** Summarises on the calling thread: gunzip on libuv's pool, the rest here. */
export class InProcessSummarisers implements ObjectSummarisers {
  async summarise(body: Readable, _size: number, shape: SummaryShape) {
    return { summary: await summariseObject(body, shape) };
  }

  async close() {}
}

/** Objects larger than this (compressed) are streamed on this thread. */
const MAX_WORKER_OBJECT_BYTES = 64 * 1024 * 1024;

/** Workers that died: after this many the pool stops starting new ones. */
const MAX_WORKER_FAILURES = 3;

type Job = {
  request: SummaryRequest;
  resolve: (result: SummarisedObject) => void;
  reject: (error: Error) => void;
};

type PoolWorker = {
  worker: Worker;
  jobs: Map<number, Job>;
  /** Resolves once the worker has loaded, or has failed. */
  ready: Promise<void>;
};

/**
 * Summarises objects on worker threads, so a cold query uses every core:
 * this thread fetches each object's compressed bytes and sends them to the
 * least busy worker, which gunzips and summarises them (`summariseObject`,
 * the same code as in process) and answers with the encoded summary — the
 * bytes the cache stores. Workers start on first use.
 *
 * Never fails a query for a worker: the jobs of a worker that dies are
 * summarised on this thread from the bytes still held here, and after
 * `MAX_WORKER_FAILURES` deaths the pool summarises everything in process.
 * Very large objects are streamed in process rather than held whole.
 */
export class SummaryWorkerPool implements ObjectSummarisers {
  private readonly workers: PoolWorker[] = [];
  private readonly inProcess = new InProcessSummarisers();
  private nextId = 0;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly options: {
      threads: number;
      logger: LoggerService;
      /** Starts one worker; default: the package's `./summaryWorker` entry. */
      startWorker?: () => Worker;
    },
  ) {}

  /** Worker threads running now. */
  get size(): number {
    return this.workers.length;
  }

  async summarise(
    body: Readable,
    size: number,
    shape: SummaryShape,
  ): Promise<SummarisedObject> {
    if (!this.usable || size > MAX_WORKER_OBJECT_BYTES) {
      return this.inProcess.summarise(body, size, shape);
    }
    let bytes: Buffer;
    try {
      bytes = await readAll(body);
    } catch {
      // As in process: an object that cannot be read whole is corrupt.
      return { summary: { ...emptySummary(), corrupt: true } };
    }
    const target = this.leastBusy();
    if (!target)
      return this.inProcess.summarise(Readable.from([bytes]), size, shape);
    const request: SummaryRequest = { id: this.nextId++, body: bytes, shape };
    try {
      return await new Promise<SummarisedObject>((resolve, reject) => {
        target.jobs.set(request.id, { request, resolve, reject });
        target.worker.postMessage(request);
      });
    } catch {
      // The worker died or could not load: this object is summarised here.
      return this.inProcess.summarise(Readable.from([bytes]), size, shape);
    }
  }

  /**
   * Starts every worker now rather than on first use, and resolves once
   * they have loaded (or failed to): the first cold query then does not
   * wait for them.
   */
  async warmUp(): Promise<void> {
    while (this.usable && this.workers.length < this.options.threads) {
      if (!this.start()) break;
    }
    await Promise.all(this.workers.map(w => w.ready));
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map(w => w.worker.terminate()));
  }

  private get usable() {
    return (
      !this.closed &&
      this.options.threads > 0 &&
      this.failures < MAX_WORKER_FAILURES
    );
  }

  /** The worker with the fewest jobs, started when there are fewer than `threads`. */
  private leastBusy(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const candidate of this.workers) {
      if (!best || candidate.jobs.size < best.jobs.size) best = candidate;
    }
    if (
      (!best || best.jobs.size > 0) &&
      this.workers.length < this.options.threads
    ) {
      best = this.start() ?? best;
    }
    return best;
  }

  private start(): PoolWorker | undefined {
    let worker: Worker;
    try {
      worker = (this.options.startWorker ?? startSummaryWorker)();
    } catch (error) {
      this.failed(undefined, error as Error);
      return undefined;
    }
    worker.unref();
    let loaded = () => {};
    const entry: PoolWorker = {
      worker,
      jobs: new Map(),
      ready: new Promise(resolve => {
        loaded = resolve;
      }),
    };
    worker.once('exit', () => loaded());
    worker.on('message', (reply: SummaryReply) => {
      if ('ready' in reply) {
        loaded();
        return;
      }
      const job = entry.jobs.get(reply.id);
      if (!job) return;
      entry.jobs.delete(reply.id);
      const encoded =
        'summary' in reply
          ? Buffer.from(
              reply.summary.buffer,
              reply.summary.byteOffset,
              reply.summary.byteLength,
            )
          : undefined;
      const summary = encoded && decodeSummary(encoded);
      if (summary) job.resolve({ summary, encoded });
      else {
        job.reject(
          new Error('error' in reply ? reply.error : 'unreadable summary'),
        );
      }
    });
    worker.on('error', error => this.failed(entry, error));
    worker.on('exit', code => {
      if (entry.jobs.size > 0 || (!this.closed && code !== 0)) {
        this.failed(entry, new Error(`exited with code ${code}`));
      }
      this.remove(entry);
    });
    this.workers.push(entry);
    return entry;
  }

  private remove(entry: PoolWorker) {
    const index = this.workers.indexOf(entry);
    if (index >= 0) this.workers.splice(index, 1);
  }

  private failed(entry: PoolWorker | undefined, error: Error) {
    if (entry && !this.workers.includes(entry)) return; // already counted
    this.failures++;
    const fallback =
      this.failures >= MAX_WORKER_FAILURES
        ? '; summarising in process from now on'
        : '';
    this.options.logger.error(
      `Summary worker thread failed: ${error.message}${fallback}`,
    );
    if (!entry) return;
    this.remove(entry);
    void entry.worker.terminate();
    for (const job of entry.jobs.values()) job.reject(error);
    entry.jobs.clear();
  }
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/**
 * Starts a worker on the package's `./summaryWorker` entry point: the
 * compiled module in a build, the TypeScript source in the monorepo and
 * under Jest (whose transform does not reach worker threads; tsx compiles
 * it there).
 */
export function startSummaryWorker(): Worker {
  const file = require.resolve(
    '@internal/plugin-realtime-insights-backend/summaryWorker',
  );
  const register = file.endsWith('.ts')
    ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();`
    : '';
  return new Worker(
    `${register}require(${JSON.stringify(file)}).runSummaryWorker();`,
    { eval: true, name: 'rti-summary-worker' },
  );
}
