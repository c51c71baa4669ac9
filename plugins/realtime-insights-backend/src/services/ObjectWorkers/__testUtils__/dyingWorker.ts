import { Worker } from 'node:worker_threads';

/** A worker that loads but dies on its first job (`startWorker` of a pool). */
export const dyingWorker = () =>
  new Worker(
    `require('node:worker_threads').parentPort.on('message', () => process.exit(3));`,
    { eval: true },
  );
