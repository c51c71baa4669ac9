import { nativeSummariserError } from '@internal/native-summariser';
import { parentPort } from 'node:worker_threads';
import { releaseNow } from '../events/decompressedChunks';
import {
  nativeRollUp,
  nativeSummary,
  unpackSummaries,
} from '../QueryEngine/nativeSummaries';
import { rollUp } from '../QueryEngine/rollup';
import { SummaryShape, summariseBytes } from '../QueryEngine/summariseObject';
import { decodeSummary, encodeSummary } from '../QueryEngine/summary';
import {
  ObjectRowsReader,
  RowsRequest,
  rowsOfObject,
} from '../Reports/objectRows';

/**
 * What to make of a body: an object's summary or its report rows, or (from
 * a closed hour's encoded object summaries, packed by `packSummaries`)
 * the hour's rollup.
 */
export type WorkerTask =
  | {
      task: 'summary';
      shape: SummaryShape;
      /** Whether the native summariser may be used (when it loaded). */
      native: boolean;
    }
  | { task: 'rows'; request: RowsRequest }
  /** Natively (asked for only where the native code loaded), else in TypeScript. */
  | { task: 'rollup' };

/** One object's stored bytes (or summaries to roll up), and what to make of them. */
export type WorkerRequest = WorkerTask & { id: number; body: Uint8Array };

/**
 * The answer to a request: the summary or rollup encoded as the cache
 * keeps it (`native`: made by the native code), or the object's rows;
 * `ready` once the worker has loaded, with why the native summariser did
 * not load.
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

/** A closed hour's rollup encoded: natively where the addon takes it, the same bytes either way. */
function encodedRollup(packed: Buffer): {
  summary: Uint8Array;
  native: boolean;
} {
  const made = nativeRollUp()?.(packed);
  if (Buffer.isBuffer(made)) return { summary: ownBuffer(made), native: true };
  const summaries = unpackSummaries(packed).map(bytes => {
    const summary = decodeSummary(bytes);
    if (!summary) throw new Error('A summary to roll up could not be decoded');
    return summary;
  });
  return {
    summary: ownBuffer(encodeSummary(rollUp(summaries))),
    native: false,
  };
}

function answer(request: WorkerRequest): {
  reply: WorkerReply;
  transfer: ArrayBuffer[];
} {
  const { id, body } = request;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (request.task === 'summary' || request.task === 'rollup') {
    const made =
      request.task === 'summary'
        ? encodedSummary(bytes, request.shape, request.native)
        : encodedRollup(bytes);
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
 * engine or makes them into report rows, and rolls up closed hours — the
 * same code as on the main thread — and answers with bytes that are
 * transferred, not copied.
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
