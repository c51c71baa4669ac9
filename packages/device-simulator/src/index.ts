/**
 * Simulated mobile devices that send interactions, sensor readings and
 * transaction logs to Amazon Data Firehose (or firehose-local) through the
 * AWS SDK, for demos and load tests.
 *
 * @packageDocumentation
 */

export {
  generateRecord,
  createFleet,
  encodeRecord,
  createRng,
  MALFORMED_KINDS,
} from './generate';
export type {
  SimulatedDevice,
  GeneratedRecord,
  MalformedKind,
  Rng,
} from './generate';
export { FirehoseSender, PUT_RECORD_BATCH_LIMITS } from './FirehoseSender';
export type {
  FirehoseSenderOptions,
  SendResult,
  SimulatorLogger,
} from './FirehoseSender';
export { startSimulator } from './startSimulator';
export type {
  SimulatorOptions,
  Simulator,
  SimulatorStats,
  ClassStats,
  BatchStats,
} from './startSimulator';
