import { InputError } from '@backstage/errors';
import {
  BUCKET_WIDTHS,
  BucketWidth,
  REPORT_FORMAT_FILES,
  ReportRequest,
  defaultBucketWidth,
  parseIsoTime,
} from '@internal/plugin-realtime-insights-common';
import { EngineStream } from '../QueryEngine';

/** Fields every event has, besides the stream's own. */
const COMMON_FIELDS = ['eventId', 'arrivedAt', 'deviceId', 'customerId'];
/** Fields filters may name besides the stream's dimensions. */
const FILTERABLE_IDS = new Set(['deviceId', 'customerId']);

export type ReportLimits = { maxRangeHours: number; maxBuckets: number };

/** A request checked against its stream, with the range in epoch ms. */
export type ResolvedReport = ReportRequest & {
  fromMs: number;
  toMs: number;
  /** Summary: the bucket width used (asked for, or fitting the range). */
  bucketWidth?: BucketWidth;
  /** Raw CSV/XLSX: the columns written (asked for, or every known field). */
  columnsWritten: string[];
  fileName: string;
};

/** Every field a stream's events are known to have, for raw reports. */
export function defaultColumns(stream: EngineStream): string[] {
  return [
    ...new Set([
      COMMON_FIELDS[0],
      stream.timestampField,
      ...COMMON_FIELDS.slice(1),
      ...stream.dimensions,
      ...stream.measures,
    ]),
  ];
}

const compactTime = (ms: number) =>
  new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '');

/**
 * Checks what zod cannot (the range, and fields against the stream's
 * dimensions) and names the offending field in an `InputError`.
 */
export function resolveReportRequest(
  stream: EngineStream,
  request: ReportRequest,
  limits: ReportLimits,
): ResolvedReport {
  // The schema admitted only times parseIsoTime reads.
  const fromMs = parseIsoTime(request.from)!;
  const toMs = parseIsoTime(request.to)!;
  if (fromMs >= toMs) {
    throw new InputError(`Invalid field 'from': must be before 'to'`);
  }
  if (toMs - fromMs > limits.maxRangeHours * 3_600_000) {
    throw new InputError(
      `Invalid field 'to': a report may span at most ${limits.maxRangeHours} hours`,
    );
  }
  const dimensions = new Set(stream.dimensions);
  const known = stream.dimensions.join(', ') || 'none';
  for (const filter of request.filters) {
    if (!dimensions.has(filter.field) && !FILTERABLE_IDS.has(filter.field)) {
      throw new InputError(
        `Invalid field 'filters': '${filter.field}' is not a dimension of stream '${stream.name}' (dimensions: ${known})`,
      );
    }
  }
  let bucketWidth: BucketWidth | undefined;
  if (request.kind === 'summary') {
    if (request.groupBy && !dimensions.has(request.groupBy)) {
      throw new InputError(
        `Invalid field 'groupBy': '${request.groupBy}' is not a dimension of stream '${stream.name}' (dimensions: ${known})`,
      );
    }
    bucketWidth =
      request.bucket ??
      defaultBucketWidth((toMs - fromMs) / 1000, limits.maxBuckets);
    const bucketMs = BUCKET_WIDTHS[bucketWidth] * 1000;
    const buckets = Math.ceil(
      (toMs - Math.floor(fromMs / bucketMs) * bucketMs) / bucketMs,
    );
    if (buckets > limits.maxBuckets) {
      throw new InputError(
        `Invalid field 'bucket': ${buckets} buckets of ${bucketWidth} exceed the maximum of ${limits.maxBuckets}; choose a wider bucket or a shorter range`,
      );
    }
  }
  return {
    ...request,
    fromMs,
    toMs,
    ...(bucketWidth ? { bucketWidth } : {}),
    columnsWritten: request.columns ?? defaultColumns(stream),
    fileName: `${stream.name}-${request.kind}-${compactTime(
      fromMs,
    )}-${compactTime(toMs)}.${REPORT_FORMAT_FILES[request.format].extension}`,
  };
}
