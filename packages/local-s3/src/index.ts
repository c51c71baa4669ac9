/**
 * The local object store: s3rver on loopback, for `npm start` and tests.
 *
 * @packageDocumentation
 */
export * from './startLocalS3';
export {
  cpuSeconds,
  peakRssMiB,
  startS3Child,
  startNodeChild,
  stopChild,
} from './childProcess';
