import {
  BucketWidth,
  DimensionFilter,
  ReportFormat,
  ReportJob,
  ReportKind,
  ReportStatus,
} from '@internal/plugin-realtime-insights-common';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';

const JOBS = 'report_jobs';
const SHARES = 'report_shares';
const KEYS = 'report_signing_keys';

/** What a job was asked for, as stored. */
export type StoredRequest = {
  from: string;
  to: string;
  bucket?: BucketWidth;
  groupBy?: string;
  top?: number;
  filters: DimensionFilter[];
  columns?: string[];
};

/** A row of `report_jobs`, with numbers and booleans normalised. */
export type JobRecord = {
  id: string;
  createdBy: string;
  stream: string;
  kind: ReportKind;
  format: ReportFormat;
  request: StoredRequest;
  status: ReportStatus;
  cancelRequested: boolean;
  attempts: number;
  maxAttempts: number;
  notBefore: number | null;
  claimedBy: string | null;
  heartbeatAt: number | null;
  bytesEstimated: number;
  bytesScanned: number;
  eventsScanned: number;
  rowsWritten: number;
  /** Summary jobs: objects to summarise, and summarised so far. */
  objectsTotal: number;
  objectsDone: number;
  fileName: string;
  outputKey: string | null;
  outputBytes: number | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  expiresAt: number | null;
};

export type ShareRecord = {
  id: string;
  reportId: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
};

export type JobProgress = Pick<
  JobRecord,
  'bytesEstimated' | 'bytesScanned' | 'eventsScanned' | 'rowsWritten'
> &
  Partial<Pick<JobRecord, 'objectsTotal' | 'objectsDone'>>;

// PostgreSQL answers bigint columns as strings, SQLite booleans as 0/1.
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toJob(row: Record<string, unknown>): JobRecord {
  return {
    id: String(row.id),
    createdBy: String(row.created_by),
    stream: String(row.stream),
    kind: row.kind as ReportKind,
    format: row.format as ReportFormat,
    request: JSON.parse(String(row.request)) as StoredRequest,
    status: row.status as ReportStatus,
    cancelRequested: Boolean(row.cancel_requested),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    notBefore: num(row.not_before),
    claimedBy: (row.claimed_by as string | null) ?? null,
    heartbeatAt: num(row.heartbeat_at),
    bytesEstimated: Number(row.bytes_estimated),
    bytesScanned: Number(row.bytes_scanned),
    eventsScanned: Number(row.events_scanned),
    rowsWritten: Number(row.rows_written),
    objectsTotal: Number(row.objects_total),
    objectsDone: Number(row.objects_done),
    fileName: String(row.file_name),
    outputKey: (row.output_key as string | null) ?? null,
    outputBytes: num(row.output_bytes),
    error: (row.error as string | null) ?? null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
    expiresAt: num(row.expires_at),
  };
}

function toShare(row: Record<string, unknown>): ShareRecord {
  return {
    id: String(row.id),
    reportId: String(row.report_id),
    createdBy: String(row.created_by),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    revokedAt: num(row.revoked_at),
  };
}

const iso = (ms: number | null) =>
  ms === null ? undefined : new Date(ms).toISOString();

/** How far a job has come, 0..1, or null when it cannot be told yet. */
function fractionOf(job: JobRecord): number | null {
  if (job.status === 'succeeded') return 1;
  // Raw reports read bytes; summaries merge (mostly cached) object summaries.
  const [done, total] =
    job.kind === 'raw'
      ? [job.bytesScanned, job.bytesEstimated]
      : [job.objectsDone, job.objectsTotal];
  if (total > 0) return Math.min(1, done / total);
  return job.kind === 'raw' && job.status === 'running' ? 0 : null;
}

/** The API's view of a job. */
export function toReportJob(job: JobRecord): ReportJob {
  const { bytesEstimated, bytesScanned, eventsScanned } = job;
  const out: ReportJob = {
    id: job.id,
    stream: job.stream,
    kind: job.kind,
    format: job.format,
    ...job.request,
    status: job.status,
    cancelRequested: job.cancelRequested,
    createdBy: job.createdBy,
    createdAt: new Date(job.createdAt).toISOString(),
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    fileName: job.fileName,
    progress: {
      bytesEstimated,
      bytesScanned,
      eventsScanned,
      eventsEstimated:
        bytesScanned > 0
          ? Math.round((eventsScanned / bytesScanned) * bytesEstimated)
          : null,
      rowsWritten: job.rowsWritten,
      objectsDone: job.objectsDone,
      objectsTotal: job.objectsTotal,
      fraction: fractionOf(job),
    },
  };
  const startedAt = iso(job.startedAt);
  const finishedAt = iso(job.finishedAt);
  const expiresAt = iso(job.expiresAt);
  if (startedAt) out.startedAt = startedAt;
  if (finishedAt) out.finishedAt = finishedAt;
  if (expiresAt) out.expiresAt = expiresAt;
  if (job.error) out.error = job.error;
  if (job.status === 'succeeded' && job.outputBytes !== null) {
    out.sizeBytes = job.outputBytes;
  }
  return out;
}

/**
 * Report jobs, shares and the link-signing key in the plugin's database.
 * Jobs move between states only through guarded updates (`WHERE status =
 * …`, `WHERE claimed_by = …`), so replicas racing for a job, or a cancel
 * racing a finish, leave one consistent outcome. The same SQL runs on
 * SQLite and PostgreSQL.
 */
export class ReportStore {
  constructor(private readonly db: Knex) {}

  async insert(job: {
    id: string;
    createdBy: string;
    stream: string;
    kind: ReportKind;
    format: ReportFormat;
    request: StoredRequest;
    maxAttempts: number;
    bytesEstimated: number;
    fileName: string;
    now: number;
  }): Promise<JobRecord> {
    await this.db(JOBS).insert({
      id: job.id,
      created_by: job.createdBy,
      stream: job.stream,
      kind: job.kind,
      format: job.format,
      request: JSON.stringify(job.request),
      status: 'queued',
      cancel_requested: false,
      attempts: 0,
      max_attempts: job.maxAttempts,
      bytes_estimated: job.bytesEstimated,
      file_name: job.fileName,
      created_at: job.now,
      updated_at: job.now,
    });
    return (await this.get(job.id))!;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db(JOBS).where({ id }).first();
    return row ? toJob(row) : undefined;
  }

  /** Newest first; `createdBy` limits it to one user's jobs. */
  async list(filter: {
    createdBy?: string;
    stream?: string;
    limit: number;
  }): Promise<JobRecord[]> {
    const query = this.db(JOBS)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(filter.limit);
    if (filter.createdBy) query.where({ created_by: filter.createdBy });
    if (filter.stream) query.where({ stream: filter.stream });
    return (await query).map(toJob);
  }

  /**
   * Takes up to `limit` queued jobs that are due for the run `claim`.
   * Each is taken with an update that only succeeds while it is still
   * queued: of two replicas, one gets it.
   */
  async claim(options: {
    claim: (id: string) => string;
    now: number;
    limit: number;
  }): Promise<JobRecord[]> {
    const candidates: Array<{ id: string }> = await this.db(JOBS)
      .select('id')
      .where({ status: 'queued' })
      .andWhere(q =>
        q.whereNull('not_before').orWhere('not_before', '<=', options.now),
      )
      .orderBy('created_at')
      .limit(options.limit);
    const claimed: JobRecord[] = [];
    for (const { id } of candidates) {
      const count = await this.db(JOBS)
        .where({ id, status: 'queued' })
        .update({
          status: 'running',
          claimed_by: options.claim(id),
          attempts: this.db.raw('attempts + 1'),
          started_at: options.now,
          heartbeat_at: options.now,
          updated_at: options.now,
          not_before: null,
          bytes_scanned: 0,
          events_scanned: 0,
          rows_written: 0,
          objects_done: 0,
        });
      if (count === 1) claimed.push((await this.get(id))!);
    }
    return claimed;
  }

  /**
   * Records a running job's progress (a heartbeat too). `owned` is false
   * when the job is no longer this run's (taken over, or deleted).
   */
  async progress(
    id: string,
    claim: string,
    progress: Partial<JobProgress>,
    now: number,
  ): Promise<{ owned: boolean; cancelRequested: boolean }> {
    const update: Record<string, unknown> = {
      heartbeat_at: now,
      updated_at: now,
    };
    if (progress.bytesEstimated !== undefined)
      update.bytes_estimated = progress.bytesEstimated;
    if (progress.bytesScanned !== undefined)
      update.bytes_scanned = progress.bytesScanned;
    if (progress.eventsScanned !== undefined)
      update.events_scanned = progress.eventsScanned;
    if (progress.rowsWritten !== undefined)
      update.rows_written = progress.rowsWritten;
    if (progress.objectsTotal !== undefined)
      update.objects_total = progress.objectsTotal;
    if (progress.objectsDone !== undefined)
      update.objects_done = progress.objectsDone;
    const count = await this.db(JOBS)
      .where({ id, claimed_by: claim, status: 'running' })
      .update(update);
    if (count !== 1) return { owned: false, cancelRequested: false };
    const row = await this.db(JOBS)
      .select('cancel_requested')
      .where({ id })
      .first();
    return { owned: true, cancelRequested: Boolean(row?.cancel_requested) };
  }

  /** A run's end: succeeded, failed, cancelled, or queued again to retry. */
  async finish(
    id: string,
    claim: string,
    outcome:
      | {
          status: 'succeeded';
          outputKey: string;
          outputBytes: number;
          progress: JobProgress;
          expiresAt: number;
        }
      | { status: 'failed' | 'cancelled'; error?: string; expiresAt: number }
      | { status: 'queued'; error: string; notBefore: number },
    now: number,
  ): Promise<boolean> {
    let update: Record<string, unknown>;
    if (outcome.status === 'succeeded') {
      update = {
        output_key: outcome.outputKey,
        output_bytes: outcome.outputBytes,
        bytes_estimated: outcome.progress.bytesEstimated,
        bytes_scanned: outcome.progress.bytesScanned,
        events_scanned: outcome.progress.eventsScanned,
        rows_written: outcome.progress.rowsWritten,
        ...(outcome.progress.objectsTotal !== undefined
          ? {
              objects_total: outcome.progress.objectsTotal,
              objects_done: outcome.progress.objectsDone,
            }
          : {}),
        error: null,
        finished_at: now,
        expires_at: outcome.expiresAt,
      };
    } else if (outcome.status === 'queued') {
      update = { error: outcome.error, not_before: outcome.notBefore };
    } else {
      update = {
        error: outcome.error ?? null,
        finished_at: now,
        expires_at: outcome.expiresAt,
      };
    }
    const count = await this.db(JOBS)
      .where({ id, claimed_by: claim, status: 'running' })
      .update({
        ...update,
        status: outcome.status,
        claimed_by: null,
        heartbeat_at: null,
        cancel_requested: false,
        updated_at: now,
      });
    return count === 1;
  }

  /**
   * Cancels a queued job at once; asks a running one to stop (its run
   * sees it at its next progress report).
   */
  async requestCancel(id: string, now: number, expiresAt: number) {
    await this.db(JOBS).where({ id, status: 'queued' }).update({
      status: 'cancelled',
      finished_at: now,
      expires_at: expiresAt,
      updated_at: now,
    });
    await this.db(JOBS)
      .where({ id, status: 'running' })
      .update({ cancel_requested: true, updated_at: now });
    return this.get(id);
  }

  /** Queues a failed or cancelled job again, with fresh attempts. */
  async retry(id: string, now: number): Promise<boolean> {
    const count = await this.db(JOBS)
      .where({ id })
      .whereIn('status', ['failed', 'cancelled'])
      .update({
        status: 'queued',
        attempts: 0,
        cancel_requested: false,
        error: null,
        not_before: null,
        claimed_by: null,
        finished_at: null,
        expires_at: null,
        bytes_scanned: 0,
        events_scanned: 0,
        rows_written: 0,
        objects_done: 0,
        updated_at: now,
      });
    return count === 1;
  }

  async delete(id: string): Promise<void> {
    await this.db(SHARES).where({ report_id: id }).delete();
    await this.db(JOBS).where({ id }).delete();
  }

  /**
   * Running jobs whose run stopped reporting (its replica died): queued
   * again while attempts remain, failed otherwise.
   */
  async recoverStale(options: {
    now: number;
    staleBefore: number;
    expiresAt: number;
  }): Promise<number> {
    const stale = this.db(JOBS)
      .where({ status: 'running' })
      .andWhere('heartbeat_at', '<', options.staleBefore);
    const requeued = await stale
      .clone()
      .andWhere('attempts', '<', this.db.ref('max_attempts'))
      .update({
        status: 'queued',
        claimed_by: null,
        heartbeat_at: null,
        error: 'The run stopped reporting progress (replica restarted?)',
        updated_at: options.now,
      });
    const failed = await stale.clone().update({
      status: 'failed',
      claimed_by: null,
      heartbeat_at: null,
      error: 'The run stopped reporting progress, and no attempts remain',
      finished_at: options.now,
      expires_at: options.expiresAt,
      updated_at: options.now,
    });
    return requeued + failed;
  }

  /** Jobs past their retention. */
  async expired(now: number, limit: number): Promise<JobRecord[]> {
    return (
      await this.db(JOBS)
        .whereNotNull('expires_at')
        .andWhere('expires_at', '<=', now)
        .orderBy('expires_at')
        .limit(limit)
    ).map(toJob);
  }

  async insertShare(share: ShareRecord): Promise<void> {
    await this.db(SHARES).insert({
      id: share.id,
      report_id: share.reportId,
      created_by: share.createdBy,
      created_at: share.createdAt,
      expires_at: share.expiresAt,
      revoked_at: share.revokedAt,
    });
  }

  async getShare(id: string): Promise<ShareRecord | undefined> {
    const row = await this.db(SHARES).where({ id }).first();
    return row ? toShare(row) : undefined;
  }

  /** A report's shares, newest first. */
  async listShares(reportId: string): Promise<ShareRecord[]> {
    return (
      await this.db(SHARES)
        .where({ report_id: reportId })
        .orderBy('created_at', 'desc')
        .orderBy('id')
    ).map(toShare);
  }

  /**
   * Marks a share revoked, unless it already is (the first revocation's
   * time stays). Resolves with the share as it is now.
   */
  async revokeShare(id: string, now: number): Promise<ShareRecord | undefined> {
    await this.db(SHARES)
      .where({ id })
      .whereNull('revoked_at')
      .update({ revoked_at: now });
    return this.getShare(id);
  }

  /**
   * The named signing key: created once with 32 random bytes, the same
   * for every replica (the first insert wins).
   */
  async signingKey(name: string, now: number): Promise<Buffer> {
    await this.db(KEYS)
      .insert({
        name,
        secret: randomBytes(32).toString('base64url'),
        created_at: now,
      })
      .onConflict('name')
      .ignore();
    const row = await this.db(KEYS).where({ name }).first();
    return Buffer.from(String(row.secret), 'base64url');
  }
}
