import type {
  DetailedTransformationResult,
  FirehoseTransformationEvent,
} from '@internal/record-transform';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

type Pending = {
  resolve(result: DetailedTransformationResult): void;
  reject(error: Error): void;
};

/**
 * Runs the record transform in a worker thread. In AWS the Lambda runs
 * apart from Firehose's API; in-process it would share the event loop with
 * it and stall acknowledgements for as long as each invocation takes.
 *
 * A worker that dies fails its pending invocations (Firehose treats those
 * records as `Lambda.FunctionError`) and is started again on next use.
 */
export class WorkerRecordTransform {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  transform = (
    event: FirehoseTransformationEvent,
  ): Promise<DetailedTransformationResult> =>
    new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.ensureWorker().postMessage({ id, event });
    });

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failPending(new Error('record transform stopped'));
    await worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startTransformWorker();
    worker.unref();
    worker.on(
      'message',
      (message: {
        id: number;
        result?: DetailedTransformationResult;
        error?: string;
      }) => {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.error !== undefined)
          pending.reject(new Error(message.error));
        else pending.resolve(message.result!);
      },
    );
    worker.on('error', error => this.onExit(worker, error));
    worker.on('exit', code =>
      this.onExit(
        worker,
        new Error(`record transform worker exited (${code})`),
      ),
    );
    this.worker = worker;
    return worker;
  }

  private onExit(worker: Worker, error: Error) {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failPending(error);
  }

  private failPending(error: Error) {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/**
 * Starts the worker from this package's sources: compiled JavaScript when
 * running from a build, TypeScript through tsx in the monorepo (and under
 * Jest, whose transform does not reach worker threads).
 */
function startTransformWorker(): Worker {
  const ext = path.extname(__filename);
  const script = path.join(__dirname, `transformWorker${ext}`);
  if (ext !== '.ts') return new Worker(script);
  return new Worker(
    `require('tsx/cjs/api').register(); require(${JSON.stringify(script)});`,
    { eval: true },
  );
}
