import type { DataClass } from '@internal/plugin-realtime-insights-common';
import { z } from 'zod';
import { validatePrefixExpression } from './prefix';

/** The prefix the design card asks for: Hive-style, one folder per hour. */
export const DEFAULT_PREFIX =
  'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

/** Failed records, split by error type, then the same hourly folders. */
export const DEFAULT_ERROR_OUTPUT_PREFIX =
  'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

const prefixExpression = (kind: 'prefix' | 'errorOutputPrefix') =>
  z
    .string()
    .max(1024, 'must be at most 1024 characters')
    .superRefine((value, ctx) => {
      const problem = validatePrefixExpression(value, kind);
      if (problem)
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    });

// S3 bucket naming rules, loosely: what an S3-compatible store accepts too.
const bucketName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)',
  );

const credentialsSchema = z.object({
  accessKeyId: z.string().min(1, 'must not be empty'),
  secretAccessKey: z.string().min(1, 'must not be empty'),
});

const deliveryStreamSchema = z.object({
  // Firehose's own constraint on delivery stream names.
  name: z
    .string()
    .regex(
      /^[a-zA-Z0-9_.-]{1,64}$/,
      'must be 1-64 characters of letters, digits, underscore, dot, hyphen',
    ),
  bucket: bucketName,
  prefix: prefixExpression('prefix').default(DEFAULT_PREFIX),
  errorOutputPrefix: prefixExpression('errorOutputPrefix').default(
    DEFAULT_ERROR_OUTPUT_PREFIX,
  ),
  bufferingHints: z
    .object({
      sizeInMBs: z.number().int().min(1).max(128).default(5),
      intervalInSeconds: z.number().int().min(0).max(900).default(300),
    })
    .default({}),
  compression: z.enum(['GZIP', 'UNCOMPRESSED']).default('GZIP'),
  newlineDelimiter: z.boolean().default(false),
  processor: z.enum(['record-transform', 'none']).default('none'),
  backup: z
    .object({
      bucket: bucketName,
      prefix: prefixExpression('prefix').optional(),
    })
    .optional(),
});

/**
 * Configuration of `firehose-local`. Stream fields follow the CloudFormation /
 * CDK S3 destination so infra can share them.
 */
export const firehoseLocalConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(4573),
    region: z.string().min(1).default('us-east-1'),
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .default('000000000000'),
    /** When set, requests must be signed with one of these access key ids. */
    accessKeys: z.array(credentialsSchema).min(1).optional(),
    walDir: z.string().min(1, 'must name the write-ahead log directory'),
    /** Upper bound on record bytes held in memory; above it requests get 503. */
    maxBufferedMBs: z.number().positive().max(4096).default(256),
    s3: z
      .object({
        endpoint: z.string().url().optional(),
        region: z.string().min(1).optional(),
        forcePathStyle: z.boolean().optional(),
        credentials: credentialsSchema.optional(),
      })
      .default({}),
    delivery: z
      .object({
        /** How long an S3 write is retried before the records go to the error prefix. */
        retryWindowSeconds: z.number().min(0).max(86400).default(60),
        initialBackoffMs: z.number().int().min(1).max(60000).default(200),
        maxBackoffMs: z.number().int().min(1).max(300000).default(10000),
      })
      .default({}),
    streams: z
      .array(deliveryStreamSchema)
      .min(1, 'must configure at least one delivery stream')
      .superRefine((streams, ctx) => {
        const seen = new Set<string>();
        streams.forEach((stream, index) => {
          if (seen.has(stream.name)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [index, 'name'],
              message: `duplicate delivery stream name '${stream.name}'`,
            });
          }
          seen.add(stream.name);
        });
      }),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Without keys any request is accepted: only this machine may send.
    if (!config.accessKeys && !isLoopback(config.host)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['host'],
        message: `'${config.host}' is not a loopback address, and without accessKeys firehose-local accepts unsigned requests: bind to 127.0.0.1 (or ::1), or set accessKeys`,
      });
    }
  });

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** Configuration as written by a user (defaults optional). */
export type FirehoseLocalConfig = z.input<typeof firehoseLocalConfigSchema>;
/** Configuration after validation, every default filled in. */
export type ResolvedFirehoseLocalConfig = z.output<
  typeof firehoseLocalConfigSchema
>;
/** One delivery stream as written by a user. */
export type DeliveryStreamConfig = z.input<typeof deliveryStreamSchema>;
/** One delivery stream after validation. */
export type ResolvedDeliveryStreamConfig = z.output<
  typeof deliveryStreamSchema
>;

/** Data classes with a default delivery stream (see the architecture page). */
export type DefaultStreamDataClass = DataClass;

/** Names of the raw-backup bucket shared by the default streams. */
export const DEFAULT_BACKUP_BUCKET = 'rti-raw-backup';

/**
 * The delivery stream the platform uses for one data class: transform,
 * GZIP, Hive-style prefixes and a raw backup of every record. The transform
 * already writes newline-terminated NDJSON, so no delimiter is added.
 */
export function defaultStreamConfig(
  dataClass: DefaultStreamDataClass,
  overrides: Partial<DeliveryStreamConfig> = {},
): DeliveryStreamConfig {
  return {
    name: `rti-${dataClass}`,
    bucket: `rti-${dataClass}`,
    prefix: DEFAULT_PREFIX,
    errorOutputPrefix: DEFAULT_ERROR_OUTPUT_PREFIX,
    bufferingHints: { sizeInMBs: 5, intervalInSeconds: 60 },
    compression: 'GZIP',
    newlineDelimiter: false,
    processor: 'record-transform',
    backup: { bucket: DEFAULT_BACKUP_BUCKET, prefix: `${dataClass}/` },
    ...overrides,
  };
}

/** Validates a config; the error message names every bad field. */
export function parseFirehoseLocalConfig(
  config: unknown,
): ResolvedFirehoseLocalConfig {
  const result = firehoseLocalConfigSchema.safeParse(config);
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const field = issue.path.length ? issue.path.join('.') : 'config';
      return `${field}: ${issue.message}`;
    });
    throw new Error(`Invalid firehose-local config: ${problems.join('; ')}`);
  }
  return result.data;
}
