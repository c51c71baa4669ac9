/** Kind of the catalog entities that register a stream. @public */
export const STREAM_ENTITY_KIND = 'Resource';

/** `spec.type` of the catalog entities that register a stream. @public */
export const STREAM_ENTITY_TYPE = 'data-stream';

/** Prefix shared by every Real-time Insights annotation. @public */
export const STREAM_ANNOTATION_PREFIX = 'realtime-insights.io/';

/** Firehose's largest buffering interval, seconds. @public */
export const MAX_BUFFER_INTERVAL_SECONDS = 900;

/**
 * Annotations of a stream entity. Only `firehose-stream` and `bucket` are
 * required; the rest have defaults or are optional.
 *
 * @public
 */
export const STREAM_ANNOTATIONS = {
  /** Name of the Firehose delivery stream, e.g. `rti-interactions`. */
  firehoseStream: 'realtime-insights.io/firehose-stream',
  /** S3 bucket the delivery stream writes to. */
  bucket: 'realtime-insights.io/bucket',
  /** Key prefix of delivered objects (default `events/`, ends with `/`). */
  prefix: 'realtime-insights.io/prefix',
  /** AWS region of the bucket, when not the portal's default. */
  region: 'realtime-insights.io/region',
  /** S3 endpoint URL, when not the portal's default (S3-compatible stores). */
  endpoint: 'realtime-insights.io/endpoint',
  /** Field of the flattened event holding its time (default `ts`). */
  timestampField: 'realtime-insights.io/timestamp-field',
  /** Comma-separated numeric fields (sum, avg, min, max, quantiles). */
  measures: 'realtime-insights.io/measures',
  /** Comma-separated categorical fields (top-N, group-by, filters). */
  dimensions: 'realtime-insights.io/dimensions',
  /**
   * How long after its oldest record's arrival (which names it) an object
   * can hold records, in seconds: the delivery stream's buffering interval,
   * plus a processor's buffering if it has one (0-3600; default 900,
   * Firehose's largest buffering interval). A range's events can sit in
   * objects of the hour before it.
   */
  bufferIntervalSeconds: 'realtime-insights.io/buffer-interval-seconds',
} as const;
