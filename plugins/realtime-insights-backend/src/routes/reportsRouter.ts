import {
  AuditorService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError, isError } from '@backstage/errors';
import {
  CreateReportResponse,
  ListReportSharesResponse,
  ListReportsResponse,
  ReportJob,
  ReportShare,
  ReportShareResponse,
  createReportRequestSchema,
  createReportShareSchema,
  listReportSharesQuerySchema,
  listReportsQuerySchema,
} from '@internal/plugin-realtime-insights-common';
import express from 'express';
import Router from 'express-promise-router';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { audited } from './audited';
import { parseBody, parseQuery } from './validation';
import {
  ReportDownload,
  ReportService,
  SharedDownload,
} from '../services/Reports';

export type ReportsRouterOptions = {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  reports: ReportService;
  logger: LoggerService;
};

/** Paths the browser opens with the portal's user cookie (no token). */
export const REPORT_COOKIE_PATHS = ['/reports/export', '/reports/:id/download'];
/**
 * Shared links: no portal login; the signature is the credential. They
 * answer with the file, or a redirect to a short-lived S3 pre-signed URL.
 */
export const REPORT_SHARED_PATH = '/shared-reports';

/**
 * Private, never cached, and not re-compressed on the way out: reports can
 * be GiBs, and gzip in the backend's compression middleware would cost
 * more CPU than writing them did.
 */
const CACHE_CONTROL = 'private, no-store, no-transform';

/** Sends a report file as an attachment. */
async function sendFile(res: express.Response, file: ReportDownload) {
  res.attachment(file.fileName);
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Length', String(file.size));
  res.setHeader('Cache-Control', CACHE_CONTROL);
  await pipeline(file.body, res);
}

/**
 * The report routes. JSON routes take the user's token; the two download
 * routes also take the portal's user cookie, so a browser can open them as
 * plain links (as TechDocs serves its pages); shared links need no login.
 */
export async function createReportsRouter(
  options: ReportsRouterOptions,
): Promise<express.Router> {
  const { httpAuth, auditor, reports, logger } = options;
  const router = Router();
  const json = express.json({ limit: '64kb' });

  const user = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });
  const cookieUser = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'], allowLimitedAccess: true });

  router.post('/reports', json, async (req, res) => {
    const credentials = await user(req);
    const request = parseBody(createReportRequestSchema, req.body);
    const body: CreateReportResponse = await reports.create(
      request,
      credentials,
    );
    res.status(body.delivery === 'job' ? 202 : 200).json(body);
  });

  router.get('/reports', async (req, res) => {
    const credentials = await user(req);
    const q = parseQuery(listReportsQuerySchema, req.query);
    const body: ListReportsResponse = {
      items: await reports.list(credentials, {
        all: q.all === 'true',
        stream: q.stream,
      }),
    };
    res.json(body);
  });

  // A small report, streamed from S3 through the exporter as it is read.
  router.get('/reports/export', async (req, res) => {
    const credentials = await cookieUser(req);
    const { request: text } = parseQuery(
      z.object({ request: z.string().min(2).max(16_384) }).strict(),
      req.query,
    );
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new InputError(`Invalid query parameter 'request': not JSON`);
    }
    const prepared = await reports.prepareExport(
      parseBody(createReportRequestSchema, raw),
      credentials,
    );
    const aborted = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborted.abort(new Error('Client went away'));
    });
    res.attachment(prepared.fileName);
    res.setHeader('Content-Type', prepared.contentType);
    res.setHeader('Cache-Control', CACHE_CONTROL);
    try {
      await reports.writeExport(prepared, res, aborted.signal);
    } catch (error) {
      if (!res.headersSent) throw error;
      // Mid-stream: break the connection so the browser does not keep a
      // truncated file as if it were complete.
      logger.warn(`Report export failed after it started: ${error}`);
      res.destroy(isError(error) ? error : undefined);
    }
  });

  router.get('/reports/:id', async (req, res) => {
    const body: ReportJob = await reports.get(req.params.id, await user(req));
    res.json(body);
  });

  router.post('/reports/:id/cancel', async (req, res) => {
    const body: ReportJob = await reports.cancel(
      req.params.id,
      await user(req),
    );
    res.json(body);
  });

  router.post('/reports/:id/retry', async (req, res) => {
    const body: ReportJob = await reports.retry(req.params.id, await user(req));
    res.json(body);
  });

  router.delete('/reports/:id', async (req, res) => {
    const credentials = await user(req);
    await audited(
      auditor,
      {
        eventId: 'report-delete',
        severityLevel: 'low',
        request: req,
        meta: { reportId: req.params.id },
      },
      async () => {
        const job = await reports.remove(req.params.id, credentials);
        return { result: job, meta: { stream: job.stream } };
      },
    );
    res.status(204).end();
  });

  router.get('/reports/:id/download', async (req, res) => {
    const file = await reports.download(req.params.id, await cookieUser(req));
    await sendFile(res, file);
  });

  // Every share is audited: who shared which report, until when.
  router.post('/reports/:id/shares', json, async (req, res) => {
    const credentials = await user(req);
    const { expiresInHours } = parseBody(createReportShareSchema, req.body);
    const body: ReportShareResponse = await audited(
      auditor,
      {
        eventId: 'report-share',
        severityLevel: 'medium',
        request: req,
        meta: { reportId: req.params.id, expiresInHours },
      },
      async () => {
        const { job, ...share } = await reports.share(
          req.params.id,
          credentials,
          expiresInHours,
        );
        return {
          result: share,
          meta: {
            shareId: share.id,
            stream: job.stream,
            kind: job.kind,
            format: job.format,
            expiresAt: share.expiresAt,
          },
        };
      },
    );
    res.status(201).json(body);
  });

  // The owner (or an admin) sees a report's links, to revoke one.
  router.get('/reports/:id/shares', async (req, res) => {
    const credentials = await user(req);
    const { status } = parseQuery(listReportSharesQuerySchema, req.query);
    const body: ListReportSharesResponse = {
      items: await reports.listShares(req.params.id, credentials, { status }),
    };
    res.json(body);
  });

  // Revoking is audited like sharing; revoking twice changes nothing.
  router.delete('/reports/:id/shares/:shareId', async (req, res) => {
    const credentials = await user(req);
    const body: ReportShare = await audited(
      auditor,
      {
        eventId: 'report-share-revoke',
        severityLevel: 'medium',
        request: req,
        meta: { reportId: req.params.id, shareId: req.params.shareId },
      },
      async () => {
        const revoked = await reports.revokeShare(
          req.params.id,
          req.params.shareId,
          credentials,
        );
        return {
          result: revoked.share,
          meta: {
            stream: revoked.job.stream,
            revokedAt: revoked.share.revokedAt,
            alreadyRevoked: !revoked.revokedNow,
          },
        };
      },
    );
    res.json(body);
  });

  // No login: the link's signature and expiry are checked instead.
  router.get(`${REPORT_SHARED_PATH}/:shareId`, async (req, res) => {
    const { expires, signature } = req.query;
    const file: SharedDownload = await audited(
      auditor,
      {
        eventId: 'report-shared-download',
        severityLevel: 'low',
        request: req,
        meta: { shareId: req.params.shareId },
      },
      async () => {
        const shared = await reports.downloadShared(req.params.shareId, {
          expires: typeof expires === 'string' ? expires : undefined,
          signature: typeof signature === 'string' ? signature : undefined,
        });
        return {
          result: shared,
          meta: {
            reportId: shared.job.id,
            stream: shared.job.stream,
            delivery: shared.delivery,
          },
        };
      },
    );
    if (file.delivery === 'proxy') {
      await sendFile(res, file);
      return;
    }
    // A fresh pre-signed URL per download: never cached, and the browser
    // does not send the shared link (its signature) on to S3 as Referer.
    res.setHeader('Cache-Control', CACHE_CONTROL);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(302, file.url);
  });

  return router;
}
