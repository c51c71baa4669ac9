import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  BodiesMessage,
  FinishMessage,
  RecordsMessage,
} from './deliveryWorkerThread';
import {
  BufferedRecord,
  invocationChunks,
  ObjectBodies,
  ObjectBodiesOptions,
} from './objectBodies';

type Pending = {
  resolve(bodies: ObjectBodies): void;
  reject(error: Error): void;
};

const yieldToEventLoop = () =>
  new Promise<void>(resolve => setImmediate(resolve));

/**
 * Builds the objects of a buffer (base64, the record transform, NDJSON,
 * GZIP) in a worker thread at a lower priority. In AWS the Lambda runs
 * apart from Firehose's API; here the API's event loop only hands each
 * invocation's records over, so acknowledgements never wait behind
 * delivery work.
 *
 * A worker that dies fails its pending buffers (the caller treats their
 * records as `Lambda.FunctionError`) and is started again on next use.
 */
export class DeliveryWorker {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  async build(
    records: BufferedRecord[],
    options: ObjectBodiesOptions,
  ): Promise<ObjectBodies> {
    const id = this.nextId++;
    const result = new Promise<ObjectBodies>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
    });
    // Handled by the caller once returned; not an unhandled rejection if
    // the worker dies while this is still handing records over.
    result.catch(() => {});
    let first = true;
    for (const chunk of invocationChunks(records)) {
      if (!first) await yieldToEventLoop();
      first = false;
      // The worker died meanwhile: the result is already a rejection.
      if (!this.pending.has(id)) return result;
      this.post(id, options, chunk);
    }
    if (this.pending.has(id)) {
      const finish: FinishMessage = { type: 'finish', id };
      this.ensureWorker().postMessage(finish);
    }
    return result;
  }

  /** Starts the thread ahead of the first buffer (else it starts then). */
  start() {
    this.ensureWorker();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failPending(new Error('delivery worker stopped'));
    await worker?.terminate();
  }

  /**
   * One invocation's records. Structured cloning copies each record's
   * buffer into the message (records that arrived together share a pool
   * slab, cloned once), so the API's event loop allocates nothing for it.
   */
  private post(
    id: number,
    options: ObjectBodiesOptions,
    records: BufferedRecord[],
  ) {
    const message: RecordsMessage = {
      type: 'add',
      id,
      options,
      recordIds: records.map(record => record.recordId),
      arrivals: records.map(record => record.arrival),
      data: records.map(record => compactView(record.data)),
    };
    this.ensureWorker().postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startDeliveryWorker();
    worker.unref();
    worker.on('message', (message: BodiesMessage) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if ('error' in message) pending.reject(new Error(message.error));
      else pending.resolve(message.bodies);
    });
    worker.on('error', error => this.onExit(worker, error));
    worker.on('exit', code =>
      this.onExit(worker, new Error(`delivery worker exited (${code})`)),
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
 * Cloning a view copies the whole buffer under it: a record that is a small
 * part of a large buffer is copied out first.
 */
function compactView(data: Uint8Array): Uint8Array {
  return data.buffer.byteLength > Math.max(8192, 2 * data.byteLength)
    ? data.slice()
    : data;
}

/**
 * The file of one of this package's modules: the TypeScript source in the
 * monorepo and under Jest (whose transform does not reach worker threads;
 * tsx compiles it there), the compiled module of a build otherwise.
 */
function ownModule(name: string): string {
  const root = path.dirname(
    require.resolve('@internal/firehose-local/package.json'),
  );
  const source = path.join(root, 'src', `${name}.ts`);
  return existsSync(source)
    ? source
    : path.join(root, 'dist', `${name}.cjs.js`);
}

function startDeliveryWorker(): Worker {
  const file = ownModule('deliveryWorkerThread');
  const code = `
    ${
      file.endsWith('.ts')
        ? `require(${JSON.stringify(
            require.resolve('tsx/cjs/api'),
          )}).register();`
        : ''
    }
    require(${JSON.stringify(file)}).runDeliveryWorker();
  `;
  return new Worker(code, { eval: true, name: 'delivery-worker' });
}
