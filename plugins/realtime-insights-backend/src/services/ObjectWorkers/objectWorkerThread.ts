import { nativeSummariserError } from '@internal/native-summariser';
import { parentPort } from 'node:worker_threads';
import { releaseNow } from '../events/decompressedChunks';
import { nativeSummary } from '../QueryEngine/nativeSummaries';
import { SummaryShape, summariseBytes } from '../QueryEngine/summariseObject';
import { encodeSummary } from '../QueryEngine/summary';
import {
  ObjectRowsReader,
  RowsRequest,
  rowsOfObject,
} from '../Reports/objectRows';

/** What to make of an object: its summary, or its report rows. */
export type WorkerTask =
  | {
      task: 'summary';
      shape: SummaryShape;
      /** Whether the native summariser may be used (when it loaded). */
      native: boolean;
    }
  | { task: 'rows'; request: RowsRequest };

/** One object's stored bytes, and what to make of them. */
export type WorkerRequest = WorkerTask & { id: number; body: Uint8Array };

/**
 * The answer to a request: the summary encoded as the cache keeps it
 * (`native`: made by the native summariser), or the object's rows; `ready`
 * once the worker has loaded, with why the native summariser did not load.
 */
export type WorkerReply =
  | { id: number; summary: Uint8Array; native: boolean }
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
  | { ready: true; nativeError?: string };

/** A copy that owns its whole ArrayBuffer, so it can be transferred. */
function ownBuffer(bytes: Buffer): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}

/**
 * `make(input)`, made again only when the input differs from the last one
 * (by its JSON): a query or an export asks the same for each object.
 */
function madeForLast<I, T>(make: (input: I) => T): (input: I) => T {
  let last: { key: string; made: T } | undefined;
  return input => {
    const key = JSON.stringify(input);
    if (last?.key !== key) last = { key, made: make(input) };
    return last.made;
  };
}

/** The reader of the last report request, used again for its next objects. */
const readerFor = madeForLast(
  (request: RowsRequest) => new ObjectRowsReader(request),
);

/** The native summariser of the last shape asked for. */
const nativeFor = madeForLast(nativeSummary);

/**
 * The summary encoded: natively where the addon takes the object, in
 * TypeScript otherwise — the same bytes either way.
 */
function encodedSummary(
  bytes: Buffer,
  shape: SummaryShape,
  native: boolean,
): { summary: Uint8Array; native: boolean } {
  const made = native ? nativeFor(shape)?.(bytes) : undefined;
  if (Buffer.isBuffer(made)) return { summary: ownBuffer(made), native: true };
  return {
    summary: ownBuffer(encodeSummary(summariseBytes(bytes, shape))),
    native: false,
  };
}

function answer(request: WorkerRequest): {
  reply: WorkerReply;
  transfer: ArrayBuffer[];
} {
  const { id, body } = request;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (request.task === 'summary') {
    const made = encodedSummary(bytes, request.shape, request.native);
    return {
      reply: { id, ...made },
      transfer: [made.summary.buffer as ArrayBuffer],
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
  port.postMessage({
    ready: true,
    nativeError: nativeSummariserError(),
  } satisfies WorkerReply);
}
