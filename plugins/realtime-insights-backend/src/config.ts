import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { z } from 'zod';

const streamSchema = z.object({
  name: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      'must be lower-case letters, digits and dashes',
    ),
  title: z.string().optional(),
  description: z.string().optional(),
  bucket: z.string().min(3),
  prefix: z
    .string()
    .default('events/')
    .refine(p => p === '' || p.endsWith('/'), 'must end with "/"'),
});

const configSchema = z.object({
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
      latenessMinutes: z.number().min(0).default(15),
      hourClosesAfterMinutes: z.number().min(0).default(20),
    })
    .default({}),
  streams: z
    .array(streamSchema)
    .default([])
    .refine(
      streams => new Set(streams.map(s => s.name)).size === streams.length,
      'stream names must be unique',
    ),
});

/** @public */
export type RealtimeInsightsConfig = z.infer<typeof configSchema>;
/** @public */
export type StreamConfig = RealtimeInsightsConfig['streams'][number];

/**
 * Reads and validates `realtimeInsights` at startup, so a bad value stops the
 * backend with a message naming the key instead of failing a later request.
 */
export function readRealtimeInsightsConfig(
  config: Config,
): RealtimeInsightsConfig {
  const raw = config.getOptional('realtimeInsights') ?? {};
  const parsed = configSchema.safeParse(raw);
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
