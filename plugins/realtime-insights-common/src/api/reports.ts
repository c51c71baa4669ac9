import { z } from 'zod';
import { isoTimeSchema } from './isoTime';
import { BUCKET_WIDTHS, BucketWidth, DimensionFilter } from './types';

/** File formats a report can be written in. @public */
export const REPORT_FORMATS = ['csv', 'ndjson', 'xlsx'] as const;
/** @public */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * What a report holds: `summary` is one row per time bucket (counts,
 * distinct devices/customers, measures with percentiles, optional group-by);
 * `raw` is the stream's events in the range.
 *
 * @public
 */
export const REPORT_KINDS = ['summary', 'raw'] as const;
/** @public */
export type ReportKind = (typeof REPORT_KINDS)[number];

/** Life of a report job. @public */
export const REPORT_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;
/** @public */
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** File name extension and media type of each format. @public */
export const REPORT_FORMAT_FILES: Record<
  ReportFormat,
  { extension: string; contentType: string }
> = {
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8' },
  ndjson: { extension: 'ndjson', contentType: 'application/x-ndjson' },
  xlsx: {
    extension: 'xlsx',
    contentType:
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  },
};

const fieldName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/,
    'must be a field name (letters, digits, _ . -)',
  );

/**
 * Body of `POST /reports` (and, JSON-encoded in `request`, the query of the
 * direct download `GET /reports/export`).
 *
 * @public
 */
export const createReportRequestSchema = z
  .object({
    /** The stream's name (its catalog entity name). */
    stream: z.string().min(1).max(253),
    kind: z.enum(REPORT_KINDS),
    format: z.enum(REPORT_FORMATS),
    /** Start of the range (inclusive). */
    from: isoTimeSchema,
    /** End of the range (exclusive). */
    to: isoTimeSchema,
    /** Summary: bucket width; default fits the range. */
    bucket: z
      .enum(Object.keys(BUCKET_WIDTHS) as [BucketWidth, ...BucketWidth[]])
      .optional(),
    /** Summary: a dimension whose top values get a column each. */
    groupBy: fieldName.optional(),
    /** Summary: how many top values of `groupBy`. Default 5. */
    top: z.number().int().min(1).max(50).optional(),
    filters: z
      .array(
        z
          .object({
            field: fieldName,
            values: z.array(z.string().min(1).max(256)).min(1).max(100),
          })
          .strict(),
      )
      .max(20)
      .default([]),
    /** Raw: the fields to write, in order. Default: every known field. */
    columns: z.array(fieldName).min(1).max(200).optional(),
    /**
     * `auto` (default): small reports download at once, large ones become
     * jobs. `job`: always a job (kept for re-download and sharing).
     */
    delivery: z.enum(['auto', 'job']).default('auto'),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.kind === 'raw') {
      for (const key of ['bucket', 'groupBy', 'top'] as const) {
        if (value[key] !== undefined) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: [key],
            message: 'only applies to summary reports',
          });
        }
      }
    } else if (value.columns !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['columns'],
        message: 'only applies to raw reports',
      });
    }
    if (value.columns && new Set(value.columns).size !== value.columns.length) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['columns'],
        message: 'must not repeat a column',
      });
    }
  });

/** @public */
export type CreateReportRequest = z.input<typeof createReportRequestSchema>;
/** A validated request, defaults applied. @public */
export type ReportRequest = z.output<typeof createReportRequestSchema>;

/** Body of `POST /reports/:id/shares`. @public */
export const createReportShareSchema = z
  .object({
    /** Lifetime of the link; at most the configured maximum. */
    expiresInHours: z.number().positive().max(8760),
  })
  .strict();

/** @public */
export type CreateReportShareRequest = z.infer<typeof createReportShareSchema>;

/** Query of `GET /reports`. @public */
export const listReportsQuerySchema = z
  .object({
    /** Admins: every user's reports, not only their own. */
    all: z.enum(['true', 'false']).optional(),
    stream: z.string().min(1).max(253).optional(),
  })
  .strict();

/** How far a job has come. @public */
export type ReportProgress = {
  /** Bytes of the stream's objects in the range (what the job reads). */
  bytesEstimated: number;
  bytesScanned: number;
  eventsScanned: number;
  /** Extrapolated from the bytes read so far; null before any. */
  eventsEstimated: number | null;
  rowsWritten: number;
  /**
   * Summary reports: objects of the range summarised so far (cached
   * summaries count at once) and to summarise; 0 for raw reports.
   */
  objectsDone: number;
  objectsTotal: number;
  /** 0..1; null when it cannot be told yet. */
  fraction: number | null;
};

/** A report job as the API shows it. @public */
export type ReportJob = {
  id: string;
  stream: string;
  kind: ReportKind;
  format: ReportFormat;
  from: string;
  to: string;
  bucket?: BucketWidth;
  groupBy?: string;
  top?: number;
  filters: DimensionFilter[];
  columns?: string[];
  status: ReportStatus;
  /** Set on a running job being stopped. */
  cancelRequested: boolean;
  createdBy: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** When the finished file is deleted. */
  expiresAt?: string;
  attempts: number;
  maxAttempts: number;
  /** The last failure (kept while a retry is queued). */
  error?: string;
  fileName: string;
  /** Size of the finished file. */
  sizeBytes?: number;
  progress: ReportProgress;
};

/** Answer of `POST /reports`. @public */
export type CreateReportResponse =
  | {
      /** Small: download it now from `exportPath` (cookie-authenticated). */
      delivery: 'direct';
      /** Path below the plugin's base URL. */
      exportPath: string;
      fileName: string;
      bytesEstimated: number;
    }
  | { delivery: 'job'; report: ReportJob };

/** @public */
export type ListReportsResponse = { items: ReportJob[] };

/** Answer of `POST /reports/:id/shares`. @public */
export type ReportShareResponse = {
  id: string;
  reportId: string;
  /** Path below the plugin's base URL; works without a portal login. */
  path: string;
  /** Absolute URL (filled in by the client from its discovery API). */
  url?: string;
  expiresAt: string;
};

/** State of a shared link. @public */
export const REPORT_SHARE_STATUSES = ['active', 'expired', 'revoked'] as const;
/** @public */
export type ReportShareStatus = (typeof REPORT_SHARE_STATUSES)[number];

/** A shared link of a report, as `GET /reports/:id/shares` lists it. @public */
export type ReportShare = {
  id: string;
  reportId: string;
  /** User entity ref of who shared it. */
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  /** Set once the link was revoked. */
  revokedAt?: string;
  /** `active` until it expires or is revoked. */
  status: ReportShareStatus;
};

/** Query of `GET /reports/:id/shares`. @public */
export const listReportSharesQuerySchema = z
  .object({
    /** Only links in this state. */
    status: z.enum(REPORT_SHARE_STATUSES).optional(),
  })
  .strict();

/** Answer of `GET /reports/:id/shares`, newest first. @public */
export type ListReportSharesResponse = { items: ReportShare[] };

/** The summary report's columns of a measure, in order. @public */
export const SUMMARY_MEASURE_STATS = [
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'p50',
  'p95',
  'p99',
] as const;
