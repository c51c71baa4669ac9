/*
 * Worker-thread side of WorkerRecordTransform: runs the record-transform
 * handler for each invocation message, like a Lambda execution environment
 * that is separate from the Firehose API.
 */
import { transformRecords } from '@internal/record-transform';
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', ({ id, event }) => {
  try {
    parentPort!.postMessage({ id, result: transformRecords(event) });
  } catch (error) {
    parentPort!.postMessage({ id, error: String(error) });
  }
});
