import type {
  DetailedTransformationResult,
  FirehoseTransformationEvent,
} from '@internal/record-transform';
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
 * The worker's code: it loads the record-transform package by its resolved
 * path (TypeScript sources through tsx in the monorepo and under Jest,
 * whose transform does not reach worker threads; compiled JavaScript from
 * a build) and answers one message per invocation.
 */
function startTransformWorker(): Worker {
  const handlerPath = require.resolve('@internal/record-transform');
  const code = `
    ${
      handlerPath.endsWith('.ts')
        ? `require(${JSON.stringify(
            require.resolve('tsx/cjs/api'),
          )}).register();`
        : ''
    }
    const { transformRecords } = require(${JSON.stringify(handlerPath)});
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', ({ id, event }) => {
      try {
        parentPort.postMessage({ id, result: transformRecords(event) });
      } catch (error) {
        parentPort.postMessage({ id, error: String(error) });
      }
    });
  `;
  return new Worker(code, { eval: true });
}
