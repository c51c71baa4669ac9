import { LoggerService } from '@backstage/backend-plugin-api';
import {
  SUMMARY_MEASURE_STATS,
  TimeSeriesBucket,
} from '@internal/plugin-realtime-insights-common';
import { Writable } from 'node:stream';
import { RealtimeInsightsConfig } from '../../config';
import { ObjectRef, ObjectStore } from '../ObjectStore';
import { EngineStream, QueryEngine, bufferIntervalMsOf } from '../QueryEngine';
import { ObjectListing, hoursHolding } from '../QueryEngine/ObjectListing';
import { mapWithConcurrency } from '../QueryEngine/mapWithConcurrency';
import { SummaryCache } from '../SummaryCache';
import { ResolvedReport } from './reportRequest';
import { latestProgress } from './latestProgress';
import { rowFormatOf } from './objectRows';
import { ObjectRowsSource, scanEvents, scanFields } from './scanEvents';
import { createReportWriter } from './writers';

/** What a report will read: its stream's objects over the range. */
export type ReportPlan = { objects: ObjectRef[]; bytesEstimated: number };

export type ExportProgress = {
  bytesEstimated: number;
  bytesScanned: number;
  eventsScanned: number;
  rowsWritten: number;
  outputBytes: number;
  /** Summary reports: objects summarised, of those the range covers. */
  objectsDone?: number;
  objectsTotal?: number;
};

export type ExportResult = ExportProgress & {
  duplicateEvents: number;
  badLines: number;
  unreadableObjects: number;
};

/** Firehose buffers a record for up to 15 minutes before it lands. */
const FIREHOSE_MAX_BUFFER_MS = 15 * 60_000;

/**
 * Writes reports: `summary` from the query engine's time series (cached
 * summaries), `raw` by streaming the events of the range from S3 into the
 * chosen format. Output goes to any writable (an HTTP response, an upload)
 * with back-pressure: memory stays flat whatever the size.
 */
export class ReportExporter {
  private readonly listings = new Map<ObjectStore, ObjectListing>();

  constructor(
    private readonly options: {
      engine: QueryEngine;
      storeFor: (stream: EngineStream) => ObjectStore;
      cache: SummaryCache;
      settings: () => RealtimeInsightsConfig;
      logger: LoggerService;
      /** False for streams an admin turned the cache off for (as the engine). */
      cacheEnabled?: (stream: EngineStream) => boolean;
      /** Where raw reports' objects become rows; default this thread. */
      rowsSource?: ObjectRowsSource;
    },
  ) {}

  /**
   * The objects that can hold events of the range (its hours, plus the
   * lateness window) in key order, and their bytes: the size estimate.
   */
  async plan(
    stream: EngineStream,
    report: Pick<ResolvedReport, 'fromMs' | 'toMs'>,
    now = Date.now(),
  ): Promise<ReportPlan> {
    const { query, s3 } = this.options.settings();
    const hours = hoursHolding(report, {
      bufferIntervalMs: bufferIntervalMsOf(stream),
      latenessMs: query.latenessMinutes * 60_000,
      now,
    });
    const listing = this.listingFor(stream);
    const useCache = this.options.cacheEnabled?.(stream) !== false;
    const perHour = await mapWithConcurrency(hours, s3.maxConcurrency, hour =>
      listing.hour(stream, hour, now, useCache),
    );
    const objects = perHour.flat().sort((a, b) => (a.key < b.key ? -1 : 1));
    return {
      objects,
      bytesEstimated: objects.reduce((n, o) => n + o.size, 0),
    };
  }

  /** Writes the report into `sink` and ends it. */
  async write(
    stream: EngineStream,
    report: ResolvedReport,
    sink: Writable,
    options: {
      plan?: ReportPlan;
      signal?: AbortSignal;
      onProgress?: (progress: ExportProgress) => void | Promise<void>;
      now?: number;
    } = {},
  ): Promise<ExportResult> {
    const now = options.now ?? Date.now();
    const plan = options.plan ?? (await this.plan(stream, report, now));
    return report.kind === 'summary'
      ? this.writeSummary(stream, report, sink, plan, now, options)
      : this.writeRaw(stream, report, sink, plan, options);
  }

  private async writeSummary(
    stream: EngineStream,
    report: ResolvedReport,
    sink: Writable,
    plan: ReportPlan,
    now: number,
    {
      signal,
      onProgress,
    }: {
      signal?: AbortSignal;
      onProgress?: (progress: ExportProgress) => void | Promise<void>;
    },
  ): Promise<ExportResult> {
    let objects = { objectsDone: 0, objectsTotal: plan.objects.length };
    const progressOf = () => ({
      bytesEstimated: plan.bytesEstimated,
      bytesScanned: 0,
      eventsScanned: 0,
      rowsWritten: 0,
      outputBytes: 0,
      ...objects,
    });
    // The engine reports each object summarised; recorded one at a time.
    const progress = onProgress && latestProgress(onProgress);
    const series = await this.options.engine.timeSeries(
      stream,
      {
        fromMs: report.fromMs,
        toMs: report.toMs,
        bucket: report.bucketWidth!,
        groupBy: report.groupBy,
        top: report.top,
        filters: report.filters,
      },
      now,
      {
        signal,
        onProgress: progress
          ? p => {
              objects = p;
              progress.report(progressOf());
            }
          : undefined,
      },
    );
    // A cancel seen while summarising stops the report here.
    await progress?.settled();
    const writer = createReportWriter(report.format, sink, {
      name: stream.name,
    });
    const groups = series.groupBy ? [...series.groupBy.values, '(other)'] : [];
    const columns = [
      'bucketStart',
      'count',
      'devices',
      'customers',
      ...stream.measures.flatMap(m =>
        SUMMARY_MEASURE_STATS.map(stat => `${m}.${stat}`),
      ),
      ...groups.map(value => `${series.groupBy!.dimension}=${value}`),
    ];
    const cells = (bucket: TimeSeriesBucket) => [
      bucket.start,
      bucket.count,
      bucket.devices,
      bucket.customers,
      ...stream.measures.flatMap(m =>
        SUMMARY_MEASURE_STATS.map(stat => bucket.measures[m]?.[stat] ?? null),
      ),
      ...groups.map(value => bucket.groups?.[value] ?? 0),
    ];
    if (report.format !== 'ndjson') writer.header(columns);
    let events = 0;
    for (const bucket of series.buckets) {
      events += bucket.count;
      if (report.format === 'ndjson') writer.record(bucket);
      else writer.row(cells(bucket));
      if (writer.full) await writer.flush();
    }
    await writer.end();
    return {
      bytesEstimated: plan.bytesEstimated,
      bytesScanned: plan.bytesEstimated,
      eventsScanned: events,
      rowsWritten: series.buckets.length,
      outputBytes: writer.bytesWritten,
      ...objects,
      duplicateEvents: series.stats.duplicateEvents,
      badLines: series.stats.badLines,
      unreadableObjects: series.stats.corruptObjects,
    };
  }

  private async writeRaw(
    stream: EngineStream,
    report: ResolvedReport,
    sink: Writable,
    plan: ReportPlan,
    options: {
      signal?: AbortSignal;
      onProgress?: (progress: ExportProgress) => void | Promise<void>;
    },
  ): Promise<ExportResult> {
    const { query, s3 } = this.options.settings();
    const columns = report.columnsWritten;
    const fields = scanFields(columns, stream.timestampField, report.filters);
    const writer = createReportWriter(report.format, sink, {
      name: stream.name,
    });
    // NDJSON without a column choice keeps events exactly as stored.
    const asStored = report.format === 'ndjson' && !report.columns;
    if (!asStored) writer.header(columns);
    let rows = 0;
    const progressOf = (bytesScanned: number, eventsScanned: number) => ({
      bytesEstimated: plan.bytesEstimated,
      bytesScanned,
      eventsScanned,
      rowsWritten: rows,
      outputBytes: writer.bytesWritten,
    });
    const scanned = await scanEvents({
      store: this.options.storeFor(stream),
      bucket: stream.bucket,
      objects: plan.objects,
      request: {
        rowFormat: rowFormatOf(report.format),
        fields: [...fields.names],
        columns: asStored ? [] : [...columns],
        timestampField: stream.timestampField,
        fromMs: report.fromMs,
        toMs: report.toMs,
        filters: report.filters,
      },
      dedupeWindowMs: query.latenessMinutes * 60_000 + FIREHOSE_MAX_BUFFER_MS,
      maxConcurrency: s3.maxConcurrency,
      rowsSource: this.options.rowsSource,
      signal: options.signal,
      logger: this.options.logger,
      onRows: (bytes, start, end, count) => {
        writer.formatted(bytes, start, end);
        rows += count;
        return writer.full ? writer.flush() : undefined;
      },
      onObject: options.onProgress
        ? p => options.onProgress!(progressOf(p.bytesScanned, p.eventsScanned))
        : undefined,
    });
    await writer.end();
    return {
      ...progressOf(scanned.bytesScanned, scanned.eventsScanned),
      duplicateEvents: scanned.duplicateEvents,
      badLines: scanned.badLines,
      unreadableObjects: scanned.unreadableObjects,
    };
  }

  private listingFor(stream: EngineStream): ObjectListing {
    const store = this.options.storeFor(stream);
    let listing = this.listings.get(store);
    if (!listing) {
      listing = new ObjectListing(store, this.options.cache, {
        settleMinutes: this.options.settings().query.hourClosesAfterMinutes,
        ttlSeconds: () => this.options.settings().cache.ttlSeconds,
      });
      this.listings.set(store, listing);
    }
    return listing;
  }
}
