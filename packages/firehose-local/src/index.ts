/**
 * A local, Amazon Data Firehose-compatible delivery server: the real
 * `@aws-sdk/client-firehose` talks to it, records are made durable in a
 * write-ahead log, buffered, transformed and delivered to any S3-compatible
 * store the way Firehose does.
 *
 * @packageDocumentation
 */
export {
  firehoseLocalConfigSchema,
  defaultStreamConfig,
  parseFirehoseLocalConfig,
} from './config';
export type {
  FirehoseLocalConfig,
  DeliveryStreamConfig,
  DefaultStreamDataClass,
} from './config';
export { startFirehoseLocal } from './startFirehoseLocal';
export type {
  FirehoseLocal,
  StartFirehoseLocalOptions,
  FirehoseLocalMetrics,
  DeliveryStreamMetrics,
} from './startFirehoseLocal';
export type { Logger } from './logger';
