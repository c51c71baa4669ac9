import { LoggerService } from '@backstage/backend-plugin-api';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import {
  InProcessSummarisers,
  ObjectSummarisers,
  SummarisedObject,
} from '../QueryEngine/ObjectSummarisers';
import { SummaryShape, summariseObject } from '../QueryEngine/summariseObject';
import { packSummaries } from '../QueryEngine/nativeSummaries';
import { corruptSummary } from '../QueryEngine/summary';
import { readWhole, releaseViews } from '../events/decompressedChunks';
import { ObjectRows, RowsRequest } from '../Reports/objectRows';
import { ObjectRowsSource } from '../Reports/scanEvents';
import type {
  WorkerReply,
  WorkerRequest,
  WorkerTask,
} from './objectWorkerThread';

/** Objects larger than this (compressed) are summarised as they stream, here. */
const MAX_WORKER_OBJECT_BYTES = 64 * 1024 * 1024;

/**
 * Objects under way per worker thread beyond the query's bound on object
 * reads: one being summarised, one waiting, one arriving.
 */
const IN_FLIGHT_PER_THREAD = 3;

/** Workers that died: after this many the pool stops starting new ones. */
const MAX_WORKER_FAILURES = 3;

type Job = {
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
};

type PoolWorker = {
  worker: Worker;
  jobs: Map<number, Job>;
  /** Resolves once the worker has loaded, or has failed. */
  ready: Promise<void>;
};

/**
 * Worker threads that gunzip objects and read them — into summaries for the
 * query engine, into rows for reports — and roll up closed hours from
 * their summaries (natively), so cold queries and exports use every core
 * while this thread fetches objects and serves requests. A request goes
 * to the least busy worker; workers start on first use (or `warmUp`).
 * Answers are transferred, not copied; summaries and rollups come encoded,
 * as the cache stores them, and are decoded here only when used.
 *
 * Never fails a query or a report for a worker: the work of a worker that
 * dies or cannot load is done on this thread from the bytes still held
 * here (summaries and rollups here, report rows by the caller), and after
 * three deaths the pool does everything in process. An object that a
 * worker fails on is read again in process, which answers as it always
 * does.
 */
export class ObjectWorkerPool implements ObjectSummarisers, ObjectRowsSource {
  private readonly workers: PoolWorker[] = [];
  private readonly inProcess = new InProcessSummarisers();
  private nextId = 0;
  private failures = 0;
  private closed = false;
  private toldNative = false;
  /** Whether the workers loaded the native code and may use it. */
  private nativeReady = false;
  /** Summaries the workers made natively, and in TypeScript. */
  readonly made = { native: 0, typescript: 0 };
  /** Closed hours the workers rolled up natively, and in TypeScript. */
  readonly rolledUp = { native: 0, typescript: 0 };

  constructor(
    private readonly options: {
      threads: number;
      logger: LoggerService;
      /** Starts one worker; default: the package's `./objectWorker` entry. */
      startWorker?: () => Worker;
      /**
       * Whether workers summarise with the native addon where it is built
       * (default); false: always in TypeScript (the same summaries).
       */
      native?: boolean;
    },
  ) {}

  /** Worker threads running now. */
  get size(): number {
    return this.workers.length;
  }

  /** Objects read whole, and how many to have under way per thread. */
  get wholeObjects() {
    return this.usable
      ? {
          maxBytes: MAX_WORKER_OBJECT_BYTES,
          inFlight: IN_FLIGHT_PER_THREAD * this.options.threads,
        }
      : undefined;
  }

  async summarise(
    body: Readable | Buffer,
    size: number,
    shape: SummaryShape,
  ): Promise<SummarisedObject> {
    if (!this.usable || size > MAX_WORKER_OBJECT_BYTES) {
      return this.inProcess.summarise(body, size, shape);
    }
    const bytes = Buffer.isBuffer(body) ? body : await readWhole(body);
    if (!bytes) return SummarisedObject.of(corruptSummary());
    const made = await this.encoded(
      bytes,
      { task: 'summary', shape, native: this.options.native ?? true },
      this.made,
    );
    // Decoded only if it is used on this thread (not for a closed hour).
    return made
      ? SummarisedObject.encoded(made)
      : SummarisedObject.of(await summariseObject(bytes, shape));
  }

  /**
   * Rolls up natively, on a worker (which rolls up in TypeScript what the
   * native code declines). Without the native code, rollups are left to
   * the calling thread: the workers are then the busier side.
   */
  async rollUp(summaries: Buffer[]): Promise<Buffer | undefined> {
    if (!this.usable || !this.nativeReady) return undefined;
    return this.encoded(
      packSummaries(summaries),
      { task: 'rollup' },
      this.rolledUp,
    );
  }

  async rows(
    body: Buffer,
    request: RowsRequest,
  ): Promise<ObjectRows | undefined> {
    const reply = this.usable
      ? await this.run(body, { task: 'rows', request })
      : undefined;
    if (!reply || !('rows' in reply)) return undefined; // streamed in process
    releaseViews(body);
    const { id: _id, rows, ...rest } = reply;
    return {
      ...rest,
      rows: Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength),
    };
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

  /** A summary or rollup made by a worker, counted in `made`. */
  private async encoded(
    body: Buffer,
    task: WorkerTask & { task: 'summary' | 'rollup' },
    made: { native: number; typescript: number },
  ): Promise<Buffer | undefined> {
    const reply = await this.run(body, task);
    if (!reply || !('summary' in reply)) return undefined;
    made[reply.native ? 'native' : 'typescript']++;
    return Buffer.from(
      reply.summary.buffer,
      reply.summary.byteOffset,
      reply.summary.byteLength,
    );
  }

  /**
   * The worker's answer to a task on `body` (copied to the worker, so it
   * stays here for a fallback); undefined when no worker could do it.
   */
  private async run(
    body: Buffer,
    task: WorkerTask,
  ): Promise<WorkerReply | undefined> {
    const target = this.leastBusy();
    if (!target) return undefined;
    const id = this.nextId++;
    try {
      return await new Promise<WorkerReply>((resolve, reject) => {
        target.jobs.set(id, { resolve, reject });
        target.worker.postMessage({
          ...task,
          id,
          body,
        } satisfies WorkerRequest);
      });
    } catch {
      return undefined; // the worker died, or could not load
    }
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
      worker = (this.options.startWorker ?? startObjectWorker)();
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
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        this.tellNative(reply.nativeError);
        loaded();
        return;
      }
      const job = entry.jobs.get(reply.id);
      if (!job) return;
      entry.jobs.delete(reply.id);
      if ('error' in reply) job.reject(new Error(reply.error));
      else job.resolve(reply);
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

  /** Says once whether summaries are made natively, and if not why. */
  private tellNative(error: string | undefined) {
    if (this.toldNative) return;
    this.toldNative = true;
    const { logger, native = true } = this.options;
    this.nativeReady = native && !error;
    if (!native) {
      logger.info(
        'Object workers summarise in TypeScript (workers.native: false)',
      );
    } else if (error) {
      logger.warn(
        `The native summariser is not available, so object workers summarise in TypeScript (the same summaries, about half as fast): ${error}`,
      );
    } else {
      logger.info('Object workers summarise with the native summariser');
    }
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
        ? '; working in process from now on'
        : '';
    this.options.logger.error(
      `Object worker thread failed: ${error.message}${fallback}`,
    );
    if (!entry) return;
    this.remove(entry);
    void entry.worker.terminate();
    for (const job of entry.jobs.values()) job.reject(error);
    entry.jobs.clear();
  }
}

/**
 * Starts a worker on the package's `./objectWorker` entry point: the
 * compiled module in a build, the TypeScript source in the monorepo and
 * under Jest (whose transform does not reach worker threads; tsx compiles
 * it there). `file` (relative to the working directory, or absolute)
 * runs another build of it, as benchmarks do.
 */
export function startObjectWorker(
  file = require.resolve(
    '@internal/plugin-realtime-insights-backend/objectWorker',
  ),
): Worker {
  const register = file.endsWith('.ts')
    ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();`
    : '';
  return new Worker(
    `${register}require(${JSON.stringify(
      path.resolve(file),
    )}).runObjectWorker();`,
    {
      eval: true,
      name: 'rti-object-worker',
      // Objects are read a few at a time: a small young generation keeps
      // the worker's memory down at little cost.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    },
  );
}
