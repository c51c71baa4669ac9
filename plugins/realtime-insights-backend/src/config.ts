import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { z } from 'zod';

/** The `realtimeInsights` config section; admins' overrides are checked against it too. */
export const realtimeInsightsConfigSchema = z.object({
  s3: z
    .object({
      endpoint: z.string().url().optional(),
      region: z.string().default('us-east-1'),
      forcePathStyle: z.boolean().default(false),
      maxConcurrency: z.number().int().min(1).max(64).default(8),
      credentials: z
        .object({ accessKeyId: z.string(), secretAccessKey: z.string() })
        .optional(),
    })
    .default({}),
  cache: z
    .object({
      type: z.enum(['auto', 'redis', 'memory']).default('auto'),
      ttlSeconds: z.number().int().min(1).default(86_400),
      redis: z
        .object({
          url: z.string().default('redis://127.0.0.1:6379'),
          commandTimeoutMs: z.number().int().min(1).default(250),
        })
        .default({}),
      memory: z
        .object({ maxEntries: z.number().int().min(1).default(50_000) })
        .default({}),
    })
    .default({}),
  query: z
    .object({
      maxRangeHours: z.number().min(1).default(168),
      maxBuckets: z.number().int().min(1).default(1440),
      maxPageSize: z.number().int().min(1).default(1000),
      defaultPageSize: z.number().int().min(1).default(100),
      maxObjectsPerPage: z.number().int().min(1).default(200),
      latenessMinutes: z.number().min(0).default(15),
      hourClosesAfterMinutes: z.number().min(0).default(20),
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
      followIntervalSeconds: z.number().int().min(1).default(5),
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
