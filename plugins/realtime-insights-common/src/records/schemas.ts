import { z } from 'zod/v4';

/**
 * The three classes of records that devices send, one Firehose delivery
 * stream each. The names double as the schema prefix (`<class>/v1`).
 *
 * @public
 */
export const DATA_CLASSES = [
  'interactions',
  'sensor-readings',
  'transaction-logs',
] as const;

/** @public */
export type DataClass = (typeof DATA_CLASSES)[number];

/** Upper bound on events in one device record (one minute of one class). */
export const MAX_EVENTS_PER_RECORD = 1000;

const isoTimestamp = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 timestamp',
});

const identifier = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters');

/** Accepts any letter case and normalises to lower case before checking. */
function lowerCaseEnum<T extends [string, ...string[]]>(values: T) {
  return z.preprocess(
    v => (typeof v === 'string' ? v.toLowerCase() : v),
    z.enum(values),
  );
}

const recordEnvelope = {
  deviceId: identifier,
  customerId: identifier,
  sentAt: isoTimestamp,
};

/** @public */
export const interactionEventSchema = z.object({
  at: isoTimestamp,
  type: lowerCaseEnum(['tap', 'view', 'scroll', 'swipe', 'search']),
  screen: identifier,
  element: identifier.optional(),
  durationMs: z.number().int().nonnegative().max(3_600_000).optional(),
});

/** @public */
export const sensorReadingEventSchema = z.object({
  at: isoTimestamp,
  sensor: lowerCaseEnum([
    'accelerometer',
    'gyroscope',
    'temperature',
    'battery',
    'light',
  ]),
  value: z.number().finite(),
  /** Temperature may arrive in °F or °C; it is stored in °C. */
  unit: z.string().min(1).max(16),
});

/** @public */
export const transactionLogEventSchema = z.object({
  at: isoTimestamp,
  transactionId: identifier,
  amount: z.number().finite().nonnegative(),
  currency: z.preprocess(
    v => (typeof v === 'string' ? v.toUpperCase() : v),
    z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 currency code'),
  ),
  status: lowerCaseEnum(['approved', 'declined', 'pending']),
  latencyMs: z.number().int().nonnegative().max(600_000),
  merchantCategory: identifier.optional(),
  declineReason: identifier.optional(),
});

function eventsOf<T extends z.ZodType>(event: T) {
  return z
    .array(event)
    .min(1, 'must hold at least one event')
    .max(
      MAX_EVENTS_PER_RECORD,
      `must hold at most ${MAX_EVENTS_PER_RECORD} events`,
    );
}

/** @public */
export const interactionsRecordSchema = z.object({
  schema: z.literal('interactions/v1'),
  ...recordEnvelope,
  events: eventsOf(interactionEventSchema),
});

/** @public */
export const sensorReadingsRecordSchema = z.object({
  schema: z.literal('sensor-readings/v1'),
  ...recordEnvelope,
  events: eventsOf(sensorReadingEventSchema),
});

/** @public */
export const transactionLogsRecordSchema = z.object({
  schema: z.literal('transaction-logs/v1'),
  ...recordEnvelope,
  events: eventsOf(transactionLogEventSchema),
});

/**
 * A device record: one minute of one class's events from one device, as the
 * mobile SDK sends it to Firehose.
 *
 * @public
 */
export const deviceRecordSchema = z.discriminatedUnion(
  'schema',
  [
    interactionsRecordSchema,
    sensorReadingsRecordSchema,
    transactionLogsRecordSchema,
  ],
  {
    error: issue =>
      issue.code === 'invalid_union'
        ? `must be one of ${DATA_CLASSES.map(c => `${c}/v1`).join(', ')}`
        : undefined,
  },
);

/** @public */
export type DeviceRecord = z.infer<typeof deviceRecordSchema>;
/** @public */
export type InteractionsRecord = z.infer<typeof interactionsRecordSchema>;
/** @public */
export type SensorReadingsRecord = z.infer<typeof sensorReadingsRecordSchema>;
/** @public */
export type TransactionLogsRecord = z.infer<typeof transactionLogsRecordSchema>;

/** The data class a record's `schema` field names, e.g. `interactions/v1`. */
export function dataClassOfSchema(schema: string): DataClass | undefined {
  const name = schema.split('/')[0];
  return (DATA_CLASSES as readonly string[]).includes(name)
    ? (name as DataClass)
    : undefined;
}

/**
 * One event as the transform writes it: one NDJSON line in S3.
 *
 * @public
 */
export type FlatEvent = {
  /** Deterministic: the same device event always gets the same id. */
  eventId: string;
  class: DataClass;
  deviceId: string;
  customerId: string;
  /** Event time, ISO-8601 UTC. */
  ts: string;
  /** When Firehose received the record, ISO-8601 UTC. */
  arrivedAt: string;
  [field: string]: string | number | boolean | undefined;
};
