import { transformRecords } from '@internal/record-transform';
import { parentPort } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import {
  BufferedRecord,
  ObjectBodies,
  ObjectBodiesBuilder,
  ObjectBodiesOptions,
} from './objectBodies';
import { lowerThisThreadsPriority } from './threadPriority';

/** Records of one invocation as they cross to the worker. */
export type RecordsMessage = {
  type: 'add';
  id: number;
  options: ObjectBodiesOptions;
  recordIds: string[];
  arrivals: number[];
  data: Uint8Array[];
};

export type FinishMessage = { type: 'finish'; id: number };

export type BodiesMessage =
  | { id: number; bodies: ObjectBodies }
  | { id: number; error: string };

/** A copy that owns its whole ArrayBuffer, so it can be transferred. */
function transferable(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
    ? bytes
    : new Uint8Array(bytes);
}

/** The delivery worker's main: builds object bodies, one buffer per id. */
export function runDeliveryWorker() {
  const port = parentPort!;
  lowerThisThreadsPriority();
  const builds = new Map<
    number,
    { builder: ObjectBodiesBuilder; done: Promise<void> }
  >();
  port.on('message', (message: RecordsMessage | FinishMessage) => {
    if (message.type === 'add') {
      let build = builds.get(message.id);
      if (!build) {
        build = {
          builder: new ObjectBodiesBuilder(
            message.options,
            transformRecords,
            gzipSync,
          ),
          done: Promise.resolve(),
        };
        builds.set(message.id, build);
      }
      const records: BufferedRecord[] = message.recordIds.map(
        (recordId, i) => ({
          recordId,
          arrival: message.arrivals[i],
          data: message.data[i],
        }),
      );
      const { builder } = build;
      build.done = build.done.then(() => builder.add(records));
      return;
    }
    const build = builds.get(message.id);
    builds.delete(message.id);
    if (!build) {
      const reply: BodiesMessage = {
        id: message.id,
        error: 'no records were sent for this buffer',
      };
      port.postMessage(reply);
      return;
    }
    build.done
      .then(() => build.builder.finish())
      .then(
        bodies => {
          const owned: ObjectBodies = { dropped: bodies.dropped };
          const transfer: ArrayBuffer[] = [];
          const own = (bytes: Uint8Array) => {
            const copy = transferable(bytes);
            transfer.push(copy.buffer as ArrayBuffer);
            return copy;
          };
          if (bodies.backup) owned.backup = own(bodies.backup);
          if (bodies.main) {
            owned.main = { ...bodies.main, body: own(bodies.main.body) };
          }
          if (bodies.processingFailed) {
            owned.processingFailed = {
              ...bodies.processingFailed,
              body: own(bodies.processingFailed.body),
            };
          }
          const reply: BodiesMessage = { id: message.id, bodies: owned };
          port.postMessage(reply, transfer);
        },
        error => {
          const reply: BodiesMessage = {
            id: message.id,
            error: String(error),
          };
          port.postMessage(reply);
        },
      );
  });
}
