import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  BucketWidth,
  ListStreamsResponse,
  StreamDefinition,
  breakdownQuerySchema,
  defaultBucketWidth,
  parseIsoTime,
  recordsQuerySchema,
  timeSeriesQuerySchema,
} from '@internal/plugin-realtime-insights-common';
import express from 'express';
import Router from 'express-promise-router';
import { parseQuery } from './routes/validation';
import { EngineStream, QueryEngine } from './services/QueryEngine';
import { StreamRegistry } from './services/StreamRegistry';

export type QueryLimits = { maxRangeHours: number; maxBuckets: number };

export type RouterOptions = {
  httpAuth: HttpAuthService;
  streams: StreamRegistry;
  engine: QueryEngine;
  limits: () => QueryLimits;
};

const DEFAULT_RANGE_MS = 30 * 60_000;

/** The engine's view of a registered stream; names never come from requests. */
export function toEngineStream(stream: StreamDefinition): EngineStream {
  return {
    name: stream.name,
    bucket: stream.bucket,
    prefix: stream.prefix,
    firehoseStream: stream.firehoseStream,
    timestampField: stream.timestampField,
    measures: stream.measures,
    dimensions: stream.dimensions,
    ...(stream.region ? { region: stream.region } : {}),
    ...(stream.endpoint ? { endpoint: stream.endpoint } : {}),
  };
}

/** Validates, authenticates and authorises, then delegates to the services. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, streams, engine, limits } = options;
  const router = Router();

  const resolveRange = (q: { from?: string; to?: string }) => {
    // The schema admitted only times parseIsoTime reads.
    const toMs = q.to ? parseIsoTime(q.to)! : Date.now();
    const fromMs = q.from ? parseIsoTime(q.from)! : toMs - DEFAULT_RANGE_MS;
    if (fromMs >= toMs) {
      throw new InputError(
        `Invalid query parameter 'from': must be before 'to'`,
      );
    }
    const { maxRangeHours } = limits();
    if (toMs - fromMs > maxRangeHours * 3_600_000) {
      throw new InputError(
        `Invalid query parameter 'from': the range may span at most ${maxRangeHours} hours`,
      );
    }
    return { fromMs, toMs };
  };

  /** The stream, if it exists and the caller may read it (else 404). */
  const readableStream = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return toEngineStream(
      await streams.getReadable(req.params.stream, credentials),
    );
  };

  router.get('/streams', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const readable = await streams.listReadable(credentials);
    const body: ListStreamsResponse = {
      items: readable.map(s => ({
        name: s.name,
        title: s.title,
        ...(s.description ? { description: s.description } : {}),
        entityRef: s.entityRef,
        owner: s.owner,
        measures: s.measures,
        dimensions: s.dimensions,
      })),
    };
    res.json(body);
  });

  router.get('/streams/:stream/timeseries', async (req, res) => {
    const stream = await readableStream(req);
    const q = parseQuery(timeSeriesQuerySchema, req.query);
    const range = resolveRange(q);
    const bucket: BucketWidth =
      q.bucket ??
      defaultBucketWidth(
        (range.toMs - range.fromMs) / 1000,
        limits().maxBuckets,
      );
    res.json(
      await engine.timeSeries(stream, {
        ...range,
        bucket,
        groupBy: q.groupBy,
        top: q.top,
        filters: q.filter ?? [],
      }),
    );
  });

  router.get('/streams/:stream/breakdown', async (req, res) => {
    const stream = await readableStream(req);
    const q = parseQuery(breakdownQuerySchema, req.query);
    res.json(
      await engine.breakdown(stream, {
        ...resolveRange(q),
        dimension: q.dimension,
        top: q.top,
        filters: q.filter ?? [],
      }),
    );
  });

  router.get('/streams/:stream/records', async (req, res) => {
    const stream = await readableStream(req);
    const q = parseQuery(recordsQuerySchema, req.query);
    res.json(
      await engine.records(stream, {
        ...resolveRange(q),
        limit: q.limit,
        cursor: q.cursor,
        filters: q.filter ?? [],
      }),
    );
  });

  router.get('/streams/:stream/freshness', async (req, res) => {
    const stream = await readableStream(req);
    res.json(await engine.freshness(stream));
  });

  return router;
}
