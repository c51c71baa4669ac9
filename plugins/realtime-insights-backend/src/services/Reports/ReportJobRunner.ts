import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { REPORT_FORMAT_FILES } from '@internal/plugin-realtime-insights-common';
import { randomUUID } from 'node:crypto';
import { RealtimeInsightsConfig } from '../../config';
import { EngineStream } from '../QueryEngine';
import { ExportProgress, ExportResult, ReportExporter } from './ReportExporter';
import { ReportFiles } from './ReportFiles';
import { ResolvedReport, resolveReportRequest } from './reportRequest';
import { JobProgress, JobRecord, ReportStore } from './ReportStore';

const DAY_MS = 86_400_000;

/** A failure that another attempt cannot fix (bad request, stream gone). */
class PermanentFailure extends Error {}
/** The job's owner asked to stop it. */
class Cancelled extends Error {}
/** Another run holds the job now (this one was taken for dead). */
class LostClaim extends Error {}

export type ReportJobRunnerOptions = {
  store: ReportStore;
  exporter: ReportExporter;
  files: ReportFiles;
  /** A registered stream by name, whoever asks (the job was authorised). */
  /** The stream, if it is registered; `enabled` false when an admin turned it off. */
  streamFor: (
    name: string,
  ) => Promise<(EngineStream & { enabled?: boolean }) | undefined>;
  settings: () => RealtimeInsightsConfig;
  logger: LoggerService;
  /** Names this replica in claims. */
  replicaId?: string;
  /** Least time between two progress writes. Default 1 s. */
  progressIntervalMs?: number;
  /** Progress is written at least this often, even without any. Default 15 s. */
  heartbeatIntervalMs?: number;
  /** A running job without progress for this long is taken for dead. Default 2 min. */
  staleAfterMs?: number;
  /** While jobs run, how often new ones are looked for. Default 1 s. */
  pollIntervalMs?: number;
  now?: () => number;
};

/**
 * Runs report jobs: claims queued jobs in the database (one replica gets
 * each), writes each report to S3 while recording progress, stops on
 * cancel, retries failures with a growing delay, takes over jobs whose
 * replica died, and deletes reports past their retention.
 */
export class ReportJobRunner {
  private readonly replicaId: string;
  private readonly now: () => number;

  constructor(private readonly options: ReportJobRunnerOptions) {
    this.replicaId = options.replicaId ?? randomUUID().slice(0, 8);
    this.now = options.now ?? Date.now;
  }

  private retentionEnd(now: number) {
    return now + this.options.settings().reports.retentionDays * DAY_MS;
  }

  /**
   * Runs queued jobs, up to the configured concurrency, until none is
   * left (the scheduled task's body). Resolves with how many it ran.
   */
  async runQueued(signal?: AbortSignal): Promise<number> {
    const { store, settings } = this.options;
    const now = this.now();
    const recovered = await store.recoverStale({
      now,
      staleBefore: now - (this.options.staleAfterMs ?? 120_000),
      expiresAt: this.retentionEnd(now),
    });
    if (recovered > 0) {
      this.options.logger.warn(
        `Took over ${recovered} report job(s) whose run stopped reporting`,
      );
    }
    const running = new Map<string, Promise<void>>();
    let ran = 0;
    for (;;) {
      if (signal?.aborted) break;
      const free = settings().reports.jobs.concurrency - running.size;
      const claimed =
        free > 0
          ? await store.claim({
              claim: () => `${this.replicaId}:${randomUUID()}`,
              now: this.now(),
              limit: free,
            })
          : [];
      for (const job of claimed) {
        ran++;
        running.set(
          job.id,
          this.run(job, signal).finally(() => running.delete(job.id)),
        );
      }
      if (running.size === 0) break;
      // A job that ends first leaves the wait pending: cleared, so that it
      // does not outlive the task (and hold a stopping process open).
      let poll: NodeJS.Timeout | undefined;
      await Promise.race([
        ...running.values(),
        new Promise(r => {
          poll = setTimeout(r, this.options.pollIntervalMs ?? 1000);
        }),
      ]);
      clearTimeout(poll);
    }
    await Promise.all(running.values());
    return ran;
  }

  /** One run of a claimed job; never throws. */
  private async run(job: JobRecord, taskSignal?: AbortSignal): Promise<void> {
    const { store, exporter, files, logger, settings } = this.options;
    const claim = job.claimedBy!;
    const controller = new AbortController();
    const stop = (reason: Error) => {
      if (!controller.signal.aborted) controller.abort(reason);
    };
    // Shutdown, or the scheduled task's own time limit: tried again later.
    const onTaskAbort = () => stop(new Error('The job runner was stopped'));
    taskSignal?.addEventListener('abort', onTaskAbort);
    const { timeoutMinutes } = settings().reports.jobs;
    const timeout = setTimeout(
      () =>
        stop(
          new PermanentFailure(
            `The report took longer than ${timeoutMinutes} minutes`,
          ),
        ),
      timeoutMinutes * 60_000,
    );

    let latest: Partial<JobProgress> = {};
    let lastWrite = 0;
    let writing: Promise<void> | undefined;
    const writeProgress = async () => {
      const answer = await store.progress(job.id, claim, latest, this.now());
      if (!answer.owned) stop(new LostClaim('The job was taken over'));
      else if (answer.cancelRequested) stop(new Cancelled('Cancelled'));
    };
    const onProgress = async (progress: ExportProgress) => {
      latest = progress;
      const now = this.now();
      if (now - lastWrite < (this.options.progressIntervalMs ?? 1000)) return;
      lastWrite = now;
      writing = writeProgress();
      await writing;
      controller.signal.throwIfAborted();
    };
    const heartbeat = setInterval(() => {
      if (this.now() - lastWrite < (this.options.heartbeatIntervalMs ?? 15_000))
        return;
      lastWrite = this.now();
      writing = writeProgress().catch(error =>
        logger.warn(`Report job ${job.id}: progress not recorded: ${error}`),
      );
    }, Math.min(this.options.heartbeatIntervalMs ?? 15_000, 5_000));

    try {
      const stream = await this.options.streamFor(job.stream);
      if (!stream) {
        throw new PermanentFailure(
          `The stream '${job.stream}' is no longer registered`,
        );
      }
      if (stream.enabled === false) {
        throw new PermanentFailure(
          `The stream '${job.stream}' is turned off; an admin can turn it on on the admin page, then retry the report`,
        );
      }
      let report: ResolvedReport;
      try {
        const { reports, query } = settings();
        report = resolveReportRequest(
          stream,
          {
            ...job.request,
            stream: job.stream,
            kind: job.kind,
            format: job.format,
            delivery: 'job',
          },
          {
            maxRangeHours: reports.maxRangeHours,
            maxBuckets: query.maxBuckets,
          },
        );
      } catch (error) {
        throw new PermanentFailure(isError(error) ? error.message : `${error}`);
      }
      const plan = await exporter.plan(stream, report, this.now());
      await onProgress({
        bytesEstimated: plan.bytesEstimated,
        bytesScanned: 0,
        eventsScanned: 0,
        rowsWritten: 0,
        outputBytes: 0,
        // Summaries count objects (the engine refines the total).
        ...(report.kind === 'summary'
          ? { objectsDone: 0, objectsTotal: plan.objects.length }
          : {}),
      });
      const key = `${settings().reports.s3.prefix}${job.id}/${job.fileName}`;
      const upload = files.upload(
        key,
        REPORT_FORMAT_FILES[job.format].contentType,
      );
      let result: ExportResult;
      try {
        result = await exporter.write(stream, report, upload.stream, {
          plan,
          signal: controller.signal,
          onProgress,
        });
        await upload.done;
      } catch (error) {
        upload.stream.destroy(isError(error) ? error : new Error(`${error}`));
        throw controller.signal.aborted ? controller.signal.reason : error;
      }
      if (controller.signal.aborted) {
        // Stopped after the file was stored (a summary stops only once the
        // engine has answered).
        await files.delete(key).catch(() => {});
        throw controller.signal.reason;
      }
      await writing;
      const now = this.now();
      const stored = await store.finish(
        job.id,
        claim,
        {
          status: 'succeeded',
          outputKey: key,
          outputBytes: result.outputBytes,
          progress: result,
          expiresAt: this.retentionEnd(now),
        },
        now,
      );
      if (!stored) {
        // Taken over meanwhile: the other run writes its own file.
        await files.delete(key).catch(() => {});
      }
    } catch (error) {
      await writing?.catch(() => {});
      await this.settle(job, claim, error);
    } finally {
      clearTimeout(timeout);
      clearInterval(heartbeat);
      taskSignal?.removeEventListener('abort', onTaskAbort);
    }
  }

  /** Records how a failed run ends: cancelled, retried, or failed. */
  private async settle(job: JobRecord, claim: string, error: unknown) {
    const { store, logger, settings } = this.options;
    const now = this.now();
    const message = isError(error) ? error.message : String(error);
    if (error instanceof LostClaim) {
      logger.info(`Report job ${job.id}: taken over by another run`);
      return;
    }
    if (error instanceof Cancelled) {
      await store.finish(
        job.id,
        claim,
        { status: 'cancelled', expiresAt: this.retentionEnd(now) },
        now,
      );
      return;
    }
    const permanent = error instanceof PermanentFailure;
    if (!permanent && job.attempts < job.maxAttempts) {
      const delay = settings().reports.jobs.retryDelaySeconds * job.attempts;
      logger.warn(
        `Report job ${job.id} failed (attempt ${job.attempts} of ${job.maxAttempts}), retrying in ${delay} s: ${message}`,
      );
      await store.finish(
        job.id,
        claim,
        { status: 'queued', error: message, notBefore: now + delay * 1000 },
        now,
      );
      return;
    }
    logger.error(`Report job ${job.id} failed: ${message}`);
    await store.finish(
      job.id,
      claim,
      { status: 'failed', error: message, expiresAt: this.retentionEnd(now) },
      now,
    );
  }

  /** Deletes reports past their retention from S3 and the database. */
  async removeExpired(): Promise<number> {
    const { store, files, logger } = this.options;
    let removed = 0;
    for (;;) {
      const expired = await store.expired(this.now(), 100);
      if (expired.length === 0) return removed;
      for (const job of expired) {
        if (job.outputKey) {
          try {
            await files.delete(job.outputKey);
          } catch (error) {
            // Kept in the database, so the next run tries again.
            logger.warn(
              `Could not delete expired report s3 object ${job.outputKey}: ${error}`,
            );
            return removed;
          }
        }
        await store.delete(job.id);
        removed++;
      }
    }
  }
}
