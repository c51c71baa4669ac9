import { parentPort } from 'node:worker_threads';
import { SummaryShape, summariseBytes } from './summariseObject';
import { encodeSummary } from './summary';

/** One object's compressed bytes, to be summarised. */
export type SummaryRequest = {
  id: number;
  body: Uint8Array;
  shape: SummaryShape;
};

/** The object's summary, encoded as the cache keeps it; `ready` once loaded. */
export type SummaryReply =
  | { id: number; summary: Uint8Array }
  | { id: number; error: string }
  | { ready: true };

/** A copy that owns its whole ArrayBuffer, so it can be transferred. */
function ownBuffer(bytes: Buffer): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}

/**
 * Main of a summary worker thread (the `./summaryWorker` entry point):
 * summarises the objects it is sent, each with the same `summariseObject`
 * as the main thread, and answers with the encoded summary.
 */
export function runSummaryWorker() {
  const port = parentPort;
  if (!port) throw new Error('runSummaryWorker must run in a worker thread');
  port.on('message', async ({ id, body, shape }: SummaryRequest) => {
    try {
      const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const summary = ownBuffer(
        encodeSummary(await summariseBytes(bytes, shape)),
      );
      port.postMessage({ id, summary } satisfies SummaryReply, [
        summary.buffer as ArrayBuffer,
      ]);
    } catch (error) {
      port.postMessage({ id, error: String(error) } satisfies SummaryReply);
    }
  });
  port.postMessage({ ready: true } satisfies SummaryReply);
}
