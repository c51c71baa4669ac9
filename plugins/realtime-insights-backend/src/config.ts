import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { z } from 'zod';

/**
 * The `realtimeInsights` config section; admins' overrides are checked
 * against it too. Every number has bounds: a value past them would let one
 * request or job run away (a records page of a million lines, a range from
 * year 0) or write times no date can hold.
 */
export const realtimeInsightsConfigSchema = z.object({
  s3: z
    .object({
      endpoint: z.string().url().optional(),
      region: z.string().default('us-east-1'),
      forcePathStyle: z.boolean().default(false),
      maxConcurrency: z.number().int().min(1).max(64).default(8),
      /** Longest wait for a connection to S3, ms. */
      connectTimeoutMs: z.number().int().min(100).max(60_000).default(3_000),
      /** Longest silence of an S3 request (no byte sent or received), ms. */
      requestTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
      credentials: z
        .object({ accessKeyId: z.string(), secretAccessKey: z.string() })
        .optional(),
    })
    .default({}),
  cache: z
    .object({
      type: z.enum(['auto', 'redis', 'memory']).default('auto'),
      ttlSeconds: z
        .number()
        .int()
        .min(1)
        .max(30 * 86_400)
        .default(86_400),
      redis: z
        .object({
          url: z
            .string()
            .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
            .default('redis://127.0.0.1:6379'),
          /** `cluster`: Redis Cluster, `url` is the configuration endpoint. */
          mode: z.enum(['standalone', 'cluster']).default('standalone'),
          commandTimeoutMs: z.number().int().min(1).max(60_000).default(250),
        })
        .default({}),
      memory: z
        .object({
          maxEntries: z.number().int().min(1).max(10_000_000).default(50_000),
        })
        .default({}),
    })
    .default({}),
  query: z
    .object({
      maxRangeHours: z.number().min(1).max(744).default(168),
      maxBuckets: z.number().int().min(1).max(10_000).default(1440),
      maxPageSize: z.number().int().min(1).max(10_000).default(1000),
      defaultPageSize: z.number().int().min(1).max(10_000).default(100),
      maxObjectsPerPage: z.number().int().min(1).max(10_000).default(200),
      latenessMinutes: z.number().min(0).max(1440).default(15),
      hourClosesAfterMinutes: z.number().min(0).max(1440).default(20),
    })
    .default({}),
  workers: z
    .object({
      /**
       * Threads that gunzip and read objects (summaries, report rows);
       * unset: one per core, at most 4. 0: on the thread serving requests.
       */
      threads: z.number().int().min(0).max(64).optional(),
      /**
       * Summarise with the native addon where it is built (the same
       * summaries, about twice as fast); false: always in TypeScript.
       */
      native: z.boolean().default(true),
    })
    .default({}),
  catalog: z
    .object({
      allowedBuckets: z.array(z.string().min(3)).optional(),
      allowedEndpoints: z.array(z.string().url()).default([]),
    })
    .default({}),
  live: z
    .object({
      /** How often the open hour of each stream is followed, seconds. */
      followIntervalSeconds: z.number().int().min(1).max(3600).default(5),
    })
    .default({}),
  reports: z
    .object({
      /** Where finished report files are written. */
      s3: z
        .object({
          bucket: z.string().min(3).default('rti-reports'),
          prefix: z.string().default('reports/'),
          /** SSE-KMS key for report files (AWS); unset: the bucket's default. */
          kmsKeyId: z.string().min(1).optional(),
        })
        .default({}),
      /**
       * Reports over at most this many bytes of stream objects download at
       * once; larger ones run as jobs.
       */
      directMaxBytes: z
        .number()
        .int()
        .min(0)
        .max(4 * 1024 * 1024 * 1024)
        .default(64 * 1024 * 1024),
      /** Longest range a report may span, in hours. */
      maxRangeHours: z.number().min(1).max(8784).default(744),
      /** Days a finished report is kept (S3 and database). */
      retentionDays: z.number().min(0.001).max(3650).default(7),
      jobs: z
        .object({
          /** How often queued jobs are looked for, seconds. */
          pollIntervalSeconds: z.number().int().min(1).max(3600).default(5),
          /** Jobs run at the same time (on the one replica running them). */
          concurrency: z.number().int().min(1).max(16).default(2),
          /** Runs of a failing job before it is marked failed. */
          maxAttempts: z.number().int().min(1).max(10).default(3),
          /** Wait before a failed job runs again, seconds (times the attempt). */
          retryDelaySeconds: z.number().min(0).max(86_400).default(30),
          /** Longest run of one job, minutes. */
          timeoutMinutes: z.number().min(1).max(1440).default(60),
        })
        .default({}),
      sharing: z
        .object({
          /** Whether finished reports can be shared through expiring links. */
          enabled: z.boolean().default(true),
          /** Longest lifetime of a shared link, hours. */
          maxLifetimeHours: z.number().min(1).max(8760).default(168),
          /**
           * HMAC key of shared links; default a random key kept in the
           * plugin's database (the same on every replica).
           */
          secret: z.string().min(32).optional(),
          /**
           * How a shared link's file reaches its recipient: `proxy` streams
           * it through the backend; `presigned` answers each download with a
           * redirect to a short-lived S3 pre-signed URL (for AWS: the file
           * no longer passes through the backend). The link itself stays
           * the credential: pre-signed URLs cannot be revoked.
           */
          download: z
            .discriminatedUnion('type', [
              z.object({ type: z.literal('proxy') }),
              z.object({
                type: z.literal('presigned'),
                /** Lifetime of each pre-signed URL (never past the link's). */
                urlLifetimeSeconds: z
                  .number()
                  .int()
                  .min(1)
                  .max(3600)
                  .default(300),
              }),
            ])
            .default({ type: 'proxy' }),
        })
        .default({}),
    })
    .default({}),
});

/** @public */
export type RealtimeInsightsConfig = z.infer<
  typeof realtimeInsightsConfigSchema
>;

/**
 * Reads and validates `realtimeInsights` at startup, so a bad value stops the
 * backend with a message naming the key instead of failing a later request.
 */
export function readRealtimeInsightsConfig(
  config: Config,
): RealtimeInsightsConfig {
  const raw = config.getOptional('realtimeInsights') ?? {};
  const parsed = realtimeInsightsConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `Invalid config at realtimeInsights.${issue.path.join('.')}: ${
        issue.message
      }`,
    );
  }
  return parsed.data;
}
