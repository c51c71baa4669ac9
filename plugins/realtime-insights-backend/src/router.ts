import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ListStreamsResponse,
  recordCountsQuerySchema,
} from '@internal/plugin-realtime-insights-common';
import express from 'express';
import Router from 'express-promise-router';
import { StreamConfig } from './config';
import { RecordCountService } from './services/RecordCounts';

export type RouterOptions = {
  httpAuth: HttpAuthService;
  streams: StreamConfig[];
  recordCounts: RecordCountService;
  maxRangeHours: number;
  /** Default range of a query without `from`, in minutes. */
  defaultRangeMinutes?: number;
};

/** Validates, authenticates and delegates; the services do the work. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, streams, recordCounts, maxRangeHours } = options;
  const defaultRangeMs = (options.defaultRangeMinutes ?? 30) * 60_000;
  const router = Router();

  const findStream = (name: string) => {
    const stream = streams.find(s => s.name === name);
    if (!stream) throw new NotFoundError(`No stream named '${name}'`);
    return stream;
  };

  router.get('/streams', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const body: ListStreamsResponse = {
      items: streams.map(s => ({
        name: s.name,
        title: s.title ?? s.name,
        ...(s.description ? { description: s.description } : {}),
      })),
    };
    res.json(body);
  });

  router.get('/streams/:stream/record-counts', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const parsed = recordCountsQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(
        `Invalid query parameter '${issue.path.join('.') || issue.message}': ${
          issue.message
        }`,
      );
    }
    const stream = findStream(req.params.stream);
    const to = parsed.data.to ? new Date(parsed.data.to) : new Date();
    const from = parsed.data.from
      ? new Date(parsed.data.from)
      : new Date(to.getTime() - defaultRangeMs);
    if (from.getTime() >= to.getTime()) {
      throw new InputError(
        `Invalid query parameter 'from': must be before 'to'`,
      );
    }
    if (to.getTime() - from.getTime() > maxRangeHours * 3_600_000) {
      throw new InputError(
        `Invalid query parameter 'from': the range may span at most ${maxRangeHours} hours`,
      );
    }
    res.json(await recordCounts.countPerMinute(stream, { from, to }));
  });

  return router;
}
