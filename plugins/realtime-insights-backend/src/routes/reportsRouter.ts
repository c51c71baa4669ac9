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
    const event = await auditor.createEvent({
      eventId: 'report-delete',
      severityLevel: 'low',
      request: req,
      meta: { reportId: req.params.id },
    });
    try {
      const job = await reports.remove(req.params.id, credentials);
      await event.success({ meta: { stream: job.stream } });
    } catch (error) {
      await event.fail({
        error: isError(error) ? error : new Error(`${error}`),
      });
      throw error;
    }
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
    const event = await auditor.createEvent({
      eventId: 'report-share',
      severityLevel: 'medium',
      request: req,
      meta: { reportId: req.params.id, expiresInHours },
    });
    let share: ReportShareResponse & { job: ReportJob };
    try {
      share = await reports.share(req.params.id, credentials, expiresInHours);
    } catch (error) {
      await event.fail({
        error: isError(error) ? error : new Error(`${error}`),
      });
      throw error;
    }
    const { job, ...body } = share;
    await event.success({
      meta: {
        shareId: body.id,
        stream: job.stream,
        kind: job.kind,
        format: job.format,
        expiresAt: body.expiresAt,
      },
    });
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
    const event = await auditor.createEvent({
      eventId: 'report-share-revoke',
      severityLevel: 'medium',
      request: req,
      meta: { reportId: req.params.id, shareId: req.params.shareId },
    });
    let revoked;
    try {
      revoked = await reports.revokeShare(
        req.params.id,
        req.params.shareId,
        credentials,
      );
    } catch (error) {
      await event.fail({
        error: isError(error) ? error : new Error(`${error}`),
      });
      throw error;
    }
    await event.success({
      meta: {
        stream: revoked.job.stream,
        revokedAt: revoked.share.revokedAt,
        alreadyRevoked: !revoked.revokedNow,
      },
    });
    const body: ReportShare = revoked.share;
    res.json(body);
  });

  // No login: the link's signature and expiry are checked instead.
  router.get(`${REPORT_SHARED_PATH}/:shareId`, async (req, res) => {
    const { expires, signature } = req.query;
    const event = await auditor.createEvent({
      eventId: 'report-shared-download',
      severityLevel: 'low',
      request: req,
      meta: { shareId: req.params.shareId },
    });
    let file: SharedDownload;
    try {
      file = await reports.downloadShared(req.params.shareId, {
        expires: typeof expires === 'string' ? expires : undefined,
        signature: typeof signature === 'string' ? signature : undefined,
      });
    } catch (error) {
      await event.fail({
        error: isError(error) ? error : new Error(`${error}`),
      });
      throw error;
    }
    await event.success({
      meta: {
        reportId: file.job.id,
        stream: file.job.stream,
        delivery: file.delivery,
      },
    });
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
