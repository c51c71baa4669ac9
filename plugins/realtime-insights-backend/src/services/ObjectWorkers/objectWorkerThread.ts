import { parentPort } from 'node:worker_threads';
import { releaseNow } from '../events/decompressedChunks';
import { SummaryShape, summariseBytes } from '../QueryEngine/summariseObject';
import { encodeSummary } from '../QueryEngine/summary';
import {
  ObjectRowsReader,
  RowsRequest,
  rowsOfObject,
} from '../Reports/objectRows';

/** What to make of an object: its summary, or its report rows. */
export type WorkerTask =
  | { task: 'summary'; shape: SummaryShape }
  | { task: 'rows'; request: RowsRequest };

/** One object's stored bytes, and what to make of them. */
export type WorkerRequest = WorkerTask & { id: number; body: Uint8Array };

/**
 * The answer to a request: the summary encoded as the cache keeps it, or
 * the object's rows; `ready` once the worker has loaded.
 */
export type WorkerReply =
  | { id: number; summary: Uint8Array }
  | {
      id: number;
      rows: Uint8Array;
      ends: Uint32Array;
      ids: Uint32Array;
      hasId: Uint8Array;
      eventsScanned: number;
      badLines: number;
    }
  | { id: number; error: string }
  | { ready: true };

/** A copy that owns its whole ArrayBuffer, so it can be transferred. */
function ownBuffer(bytes: Buffer): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}

/**
 * The reader of the last report request, used again for its next objects
 * (an export sends the same request for each).
 */
let lastReader: { key: string; reader: ObjectRowsReader } | undefined;

function readerFor(request: RowsRequest): ObjectRowsReader {
  const key = JSON.stringify(request);
  if (lastReader?.key !== key) {
    lastReader = { key, reader: new ObjectRowsReader(request) };
  }
  return lastReader.reader;
}

function answer(request: WorkerRequest): {
  reply: WorkerReply;
  transfer: ArrayBuffer[];
} {
  const { id, body } = request;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (request.task === 'summary') {
    const summary = ownBuffer(
      encodeSummary(summariseBytes(bytes, request.shape)),
    );
    return {
      reply: { id, summary },
      transfer: [summary.buffer as ArrayBuffer],
    };
  }
  // Rows come in a buffer of their own (`ObjectRowsReader.take`).
  const made = rowsOfObject(bytes, request.request, readerFor(request.request));
  return {
    reply: { ...made, id },
    transfer: [made.rows.buffer, made.ends.buffer, made.ids.buffer].map(
      b => b as ArrayBuffer,
    ),
  };
}

/**
 * Main of an object worker thread (the package's `./objectWorker` entry
 * point): gunzips the objects it is sent and summarises them for the query
 * engine or makes them into report rows — the same code as on the main
 * thread — and answers with bytes that are transferred, not copied.
 */
export function runObjectWorker() {
  const port = parentPort;
  if (!port) throw new Error('runObjectWorker must run in a worker thread');
  port.on('message', (request: WorkerRequest) => {
    try {
      const { reply, transfer } = answer(request);
      port.postMessage(reply, transfer);
    } catch (error) {
      port.postMessage({ id: request.id, error: String(error) });
    } finally {
      releaseNow(request.body.buffer); // this thread's copy
    }
  });
  port.postMessage({ ready: true } satisfies WorkerReply);
}
