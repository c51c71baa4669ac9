import {
  BackstageCredentials,
  BackstageUserPrincipal,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  CreateReportResponse,
  REPORT_FORMAT_FILES,
  ReportJob,
  ReportRequest,
  ReportShare,
  ReportShareResponse,
  ReportShareStatus,
  realtimeInsightsAdminPermission,
  realtimeInsightsReportCreatePermission,
  realtimeInsightsReportSharePermission,
} from '@internal/plugin-realtime-insights-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { RealtimeInsightsConfig } from '../../config';
import { EngineStream } from '../QueryEngine';
import { ExportResult, ReportExporter, ReportPlan } from './ReportExporter';
import { ReportFiles } from './ReportFiles';
import { ResolvedReport, resolveReportRequest } from './reportRequest';
import {
  JobRecord,
  ReportStore,
  ShareRecord,
  toReportJob,
} from './ReportStore';
import { sharePath, signShare, verifyShare } from './shareLinks';

const HOUR_MS = 3_600_000;
const MiB = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Name of the link-signing key kept in the database. */
const SHARE_KEY = 'report-shares';

type UserCredentials = BackstageCredentials<BackstageUserPrincipal>;

/** A report's file, ready to stream to a client. */
export type ReportDownload = {
  body: Readable;
  size: number;
  fileName: string;
  contentType: string;
  job: ReportJob;
};

/**
 * What a valid shared link answers: the file itself (`proxy`), or where to
 * fetch it from S3 for a short while (`presigned`).
 */
export type SharedDownload = { shareId: string } & (
  | ({ delivery: 'proxy' } & ReportDownload)
  | {
      delivery: 'presigned';
      /** An S3 pre-signed GET URL of the file. */
      url: string;
      /** Epoch ms after which `url` no longer works. */
      urlExpiresAt: number;
      job: ReportJob;
    }
);

/** A direct download, checked and planned, ready to be written. */
export type PreparedExport = {
  stream: EngineStream;
  report: ResolvedReport;
  plan: ReportPlan;
  fileName: string;
  contentType: string;
};

export type ReportServiceOptions = {
  store: ReportStore;
  exporter: ReportExporter;
  files: ReportFiles;
  /** The stream if it exists and the caller may read it, else NotFoundError. */
  readableStream: (
    name: string,
    credentials: UserCredentials,
  ) => Promise<EngineStream>;
  permissions: PermissionsService;
  settings: () => RealtimeInsightsConfig;
  /** Starts the job runner now rather than at its next tick. */
  wake: () => void;
  logger: LoggerService;
  now?: () => number;
};

function toReportShare(share: ShareRecord, now: number): ReportShare {
  let status: ReportShareStatus = 'active';
  if (share.revokedAt !== null) status = 'revoked';
  else if (share.expiresAt <= now) status = 'expired';
  return {
    id: share.id,
    reportId: share.reportId,
    createdBy: share.createdBy,
    createdAt: new Date(share.createdAt).toISOString(),
    expiresAt: new Date(share.expiresAt).toISOString(),
    ...(share.revokedAt !== null
      ? { revokedAt: new Date(share.revokedAt).toISOString() }
      : {}),
    status,
  };
}

/**
 * What the report routes do: create (a direct download or a job), list,
 * inspect, cancel, retry, delete, download and share reports, and list and
 * revoke their shared links. Users see their own reports; holders of
 * `realtime-insights.admin` see everyone's. Others' reports answer as if
 * they did not exist (404).
 */
export class ReportService {
  private readonly now: () => number;
  private signingKey?: Promise<Buffer>;

  constructor(private readonly options: ReportServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  // ------------------------------------------------------------ create

  /** Small reports get a download path, large ones (or `delivery: job`) a job. */
  async create(
    request: ReportRequest,
    credentials: UserCredentials,
  ): Promise<CreateReportResponse> {
    const { stream, report, plan } = await this.plan(request, credentials);
    const { reports } = this.options.settings();
    if (
      request.delivery === 'auto' &&
      plan.bytesEstimated <= reports.directMaxBytes
    ) {
      const { delivery: _delivery, ...asked } = request;
      return {
        delivery: 'direct',
        exportPath: `/reports/export?request=${encodeURIComponent(
          JSON.stringify(asked),
        )}`,
        fileName: report.fileName,
        bytesEstimated: plan.bytesEstimated,
      };
    }
    // A job runs later, maybe again: its range must not reach past now, or
    // a later run would export events that did not exist when it was made.
    const now = this.now();
    if (report.fromMs >= now) {
      throw new InputError(
        `Invalid field 'from': a report's range must start before now`,
      );
    }
    const toMs = Math.min(report.toMs, now);
    const job = await this.options.store.insert({
      id: randomUUID(),
      createdBy: credentials.principal.userEntityRef,
      stream: stream.name,
      kind: request.kind,
      format: request.format,
      request: {
        from: new Date(report.fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        filters: request.filters,
        ...(request.kind === 'summary'
          ? {
              bucket: report.bucketWidth,
              ...(request.groupBy ? { groupBy: request.groupBy } : {}),
              ...(request.top ? { top: request.top } : {}),
            }
          : {}),
        ...(request.columns ? { columns: request.columns } : {}),
      },
      maxAttempts: reports.jobs.maxAttempts,
      bytesEstimated: plan.bytesEstimated,
      fileName: report.fileName,
      now: this.now(),
    });
    this.options.wake();
    return { delivery: 'job', report: toReportJob(job) };
  }

  /**
   * Checks a direct download (the same checks as `create`) and that it is
   * small enough to stream now.
   */
  async prepareExport(
    request: ReportRequest,
    credentials: UserCredentials,
  ): Promise<PreparedExport> {
    const planned = await this.plan(request, credentials);
    const { directMaxBytes } = this.options.settings().reports;
    if (planned.plan.bytesEstimated > directMaxBytes) {
      throw new InputError(
        `Invalid field 'delivery': this report reads ${(
          planned.plan.bytesEstimated / MiB
        ).toFixed(1)} MiB of data, more than the ${(
          directMaxBytes / MiB
        ).toFixed(1)} MiB a direct download may; create it as a job`,
      );
    }
    return {
      ...planned,
      fileName: planned.report.fileName,
      contentType: REPORT_FORMAT_FILES[request.format].contentType,
    };
  }

  /** Writes a prepared direct download into `sink` and ends it. */
  writeExport(
    prepared: PreparedExport,
    sink: Writable,
    signal?: AbortSignal,
  ): Promise<ExportResult> {
    return this.options.exporter.write(prepared.stream, prepared.report, sink, {
      plan: prepared.plan,
      signal,
    });
  }

  private async plan(request: ReportRequest, credentials: UserCredentials) {
    await this.require(
      realtimeInsightsReportCreatePermission,
      credentials,
      'You may not create reports',
    );
    const stream = await this.options.readableStream(
      request.stream,
      credentials,
    );
    const { reports, query } = this.options.settings();
    const report = resolveReportRequest(stream, request, {
      maxRangeHours: reports.maxRangeHours,
      maxBuckets: query.maxBuckets,
    });
    const plan = await this.options.exporter.plan(stream, report, this.now());
    return { stream, report, plan };
  }

  // ------------------------------------------------------------ jobs

  async list(
    credentials: UserCredentials,
    options: { all?: boolean; stream?: string } = {},
  ): Promise<ReportJob[]> {
    if (options.all && !(await this.isAdmin(credentials))) {
      throw new NotAllowedError(
        "Only Real-time Insights admins may list everyone's reports",
      );
    }
    const jobs = await this.options.store.list({
      createdBy: options.all ? undefined : credentials.principal.userEntityRef,
      stream: options.stream,
      limit: 200,
    });
    return jobs.map(toReportJob);
  }

  async get(id: string, credentials: UserCredentials): Promise<ReportJob> {
    return toReportJob(await this.visibleJob(id, credentials));
  }

  async cancel(id: string, credentials: UserCredentials): Promise<ReportJob> {
    const job = await this.visibleJob(id, credentials);
    if (job.status !== 'queued' && job.status !== 'running') {
      throw new ConflictError(
        `Report ${id} is ${job.status}; only queued or running reports can be cancelled`,
      );
    }
    const now = this.now();
    const updated = await this.options.store.requestCancel(
      id,
      now,
      now + this.options.settings().reports.retentionDays * 24 * HOUR_MS,
    );
    return toReportJob(updated ?? job);
  }

  async retry(id: string, credentials: UserCredentials): Promise<ReportJob> {
    const job = await this.visibleJob(id, credentials);
    // Running it again is creating it again: the same permissions, now.
    await this.require(
      realtimeInsightsReportCreatePermission,
      credentials,
      'You may not create reports',
    );
    await this.options.readableStream(job.stream, credentials);
    if (!(await this.options.store.retry(id, this.now()))) {
      throw new ConflictError(
        `Report ${id} is ${job.status}; only failed or cancelled reports can be retried`,
      );
    }
    this.options.wake();
    return toReportJob((await this.options.store.get(id))!);
  }

  /** Deletes a report and its file (a running job is cancelled first). */
  async remove(id: string, credentials: UserCredentials): Promise<ReportJob> {
    const job = await this.visibleJob(id, credentials);
    if (job.status === 'running') {
      throw new ConflictError(
        `Report ${id} is running; cancel it before deleting it`,
      );
    }
    if (job.outputKey) await this.options.files.delete(job.outputKey);
    await this.options.store.delete(id);
    return toReportJob(job);
  }

  async download(
    id: string,
    credentials: UserCredentials,
  ): Promise<ReportDownload> {
    const job = await this.visibleJob(id, credentials);
    // The stream's data: only while the caller may still read the stream.
    await this.options.readableStream(job.stream, credentials);
    return this.openFile(job);
  }

  // ------------------------------------------------------------ sharing

  /** An expiring, signed link to one finished report. */
  async share(
    id: string,
    credentials: UserCredentials,
    expiresInHours: number,
  ): Promise<ReportShareResponse & { job: ReportJob }> {
    await this.require(
      realtimeInsightsReportSharePermission,
      credentials,
      'You may not share reports',
    );
    const { sharing } = this.options.settings().reports;
    if (!sharing.enabled) {
      throw new NotAllowedError('Sharing reports is turned off');
    }
    if (expiresInHours > sharing.maxLifetimeHours) {
      throw new InputError(
        `Invalid field 'expiresInHours': a link may live at most ${sharing.maxLifetimeHours} hours`,
      );
    }
    const job = await this.visibleJob(id, credentials);
    await this.options.readableStream(job.stream, credentials);
    this.finished(job);
    const now = this.now();
    const expiresAt = Math.min(
      Math.floor(now + expiresInHours * HOUR_MS),
      job.expiresAt ?? Infinity,
    );
    const claims = { shareId: randomUUID(), reportId: job.id, expiresAt };
    await this.options.store.insertShare({
      id: claims.shareId,
      reportId: job.id,
      createdBy: credentials.principal.userEntityRef,
      createdAt: now,
      expiresAt,
      revokedAt: null,
    });
    const signature = signShare(await this.key(), claims);
    return {
      id: claims.shareId,
      reportId: job.id,
      path: sharePath(claims, signature),
      expiresAt: new Date(expiresAt).toISOString(),
      job: toReportJob(job),
    };
  }

  /**
   * A report's shares, newest first, to its owner or an admin; `status`
   * keeps only links in that state.
   */
  async listShares(
    id: string,
    credentials: UserCredentials,
    options: { status?: ReportShareStatus } = {},
  ): Promise<ReportShare[]> {
    const job = await this.visibleJob(id, credentials);
    const now = this.now();
    return (await this.options.store.listShares(job.id))
      .map(share => toReportShare(share, now))
      .filter(share => !options.status || share.status === options.status);
  }

  /**
   * Revokes one of a report's shares: its owner with `report.share`, or an
   * admin. Revoking a revoked share again changes nothing (idempotent).
   */
  async revokeShare(
    id: string,
    shareId: string,
    credentials: UserCredentials,
  ): Promise<{ share: ReportShare; job: ReportJob; revokedNow: boolean }> {
    const job = await this.visibleJob(id, credentials);
    if (!(await this.isAdmin(credentials))) {
      await this.require(
        realtimeInsightsReportSharePermission,
        credentials,
        'You may not revoke shared links',
      );
    }
    const share = UUID.test(shareId)
      ? await this.options.store.getShare(shareId)
      : undefined;
    if (!share || share.reportId !== job.id) {
      throw new NotFoundError(`Report ${id} has no shared link ${shareId}`);
    }
    const now = this.now();
    const revoked = (await this.options.store.revokeShare(share.id, now))!;
    return {
      share: toReportShare(revoked, now),
      job: toReportJob(job),
      revokedNow: share.revokedAt === null,
    };
  }

  /**
   * What a shared link answers, if the link is genuine and current: the
   * file, or (`sharing.download.type: presigned`) a short-lived S3
   * pre-signed URL of it. The link stays the credential either way: it is
   * checked, and can be revoked, on every download.
   */
  async downloadShared(
    shareId: string,
    link: { expires?: string; signature?: string },
  ): Promise<SharedDownload> {
    const { sharing } = this.options.settings().reports;
    if (!sharing.enabled) {
      throw new NotAllowedError('Sharing reports is turned off');
    }
    const share = UUID.test(shareId)
      ? await this.options.store.getShare(shareId)
      : undefined;
    if (!share) throw new NotFoundError('This shared link does not exist');
    const genuine =
      link.expires === String(share.expiresAt) &&
      typeof link.signature === 'string' &&
      verifyShare(
        await this.key(),
        {
          shareId: share.id,
          reportId: share.reportId,
          expiresAt: share.expiresAt,
        },
        link.signature,
      );
    if (!genuine) {
      throw new NotAllowedError(
        'This shared link is not valid (bad signature)',
      );
    }
    if (share.revokedAt !== null) {
      throw new NotAllowedError(
        'This shared link was revoked; ask its sender for a new one',
      );
    }
    const now = this.now();
    const expired = () =>
      new NotAllowedError(
        `This shared link expired at ${new Date(
          share.expiresAt,
        ).toISOString()}; ask its sender for a new one`,
      );
    if (now >= share.expiresAt) throw expired();
    const job = await this.options.store.get(share.reportId);
    if (!job) {
      throw new NotFoundError('The shared report is no longer available');
    }
    const { download } = sharing;
    if (download.type === 'proxy') {
      return { delivery: 'proxy', shareId, ...(await this.openFile(job)) };
    }
    this.finished(job);
    // Whole seconds, never past the link's (or the report's) end.
    const seconds = Math.floor(
      Math.min(
        download.urlLifetimeSeconds * 1000,
        share.expiresAt - now,
        (job.expiresAt ?? Infinity) - now,
      ) / 1000,
    );
    if (seconds < 1) throw expired();
    const url = await this.options.files.presignedDownloadUrl(job.outputKey!, {
      fileName: job.fileName,
      expiresInSeconds: seconds,
    });
    return {
      delivery: 'presigned',
      shareId,
      url,
      urlExpiresAt: now + seconds * 1000,
      job: toReportJob(job),
    };
  }

  // ------------------------------------------------------------ internals

  private async openFile(job: JobRecord): Promise<ReportDownload> {
    this.finished(job);
    const { body, size } = await this.options.files.open(job.outputKey!);
    return {
      body,
      size,
      fileName: job.fileName,
      contentType: REPORT_FORMAT_FILES[job.format].contentType,
      job: toReportJob(job),
    };
  }

  /** Throws unless the job's file can be downloaded. */
  private finished(job: JobRecord) {
    if (job.expiresAt !== null && job.expiresAt <= this.now()) {
      throw new NotFoundError(`Report ${job.id} has expired`);
    }
    if (job.status !== 'succeeded' || !job.outputKey) {
      throw new ConflictError(
        `Report ${job.id} is ${job.status}, not finished`,
      );
    }
  }

  /** The job if the caller created it or is an admin; NotFoundError otherwise. */
  private async visibleJob(
    id: string,
    credentials: UserCredentials,
  ): Promise<JobRecord> {
    const job = UUID.test(id) ? await this.options.store.get(id) : undefined;
    if (
      !job ||
      (job.createdBy !== credentials.principal.userEntityRef &&
        !(await this.isAdmin(credentials)))
    ) {
      throw new NotFoundError(`No report ${id}`);
    }
    return job;
  }

  private async isAdmin(credentials: UserCredentials): Promise<boolean> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission: realtimeInsightsAdminPermission }],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  private async require(
    permission:
      | typeof realtimeInsightsReportCreatePermission
      | typeof realtimeInsightsReportSharePermission,
    credentials: UserCredentials,
    message: string,
  ) {
    const [decision] = await this.options.permissions.authorize(
      [{ permission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(message);
    }
  }

  private key(): Promise<Buffer> {
    const { secret } = this.options.settings().reports.sharing;
    if (secret) return Promise.resolve(Buffer.from(secret, 'utf8'));
    this.signingKey ??= this.options.store.signingKey(SHARE_KEY, this.now());
    this.signingKey.catch(() => {
      this.signingKey = undefined;
    });
    return this.signingKey;
  }
}
