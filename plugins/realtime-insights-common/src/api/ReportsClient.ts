import {
  CreateReportRequest,
  CreateReportResponse,
  ListReportSharesResponse,
  ListReportsResponse,
  ReportJob,
  ReportShare,
  ReportShareResponse,
  ReportShareStatus,
} from './reports';
import { BackendTransport, DiscoveryLike, FetchLike } from './request';

/** Path of Backstage's cookie endpoint, relative to a plugin's base URL. */
const COOKIE_PATH = '/.backstage/auth/v1/cookie';

/**
 * Typed client of the report routes. Downloads go through a browser
 * navigation (no file in page memory), authenticated with the portal's
 * user cookie: call `issueCookie` first (`fetchApi` carries the token).
 *
 * @public
 */
export class ReportsClient {
  private readonly transport: BackendTransport;
  private readonly fetchApi: FetchLike;

  constructor(options: { discoveryApi: DiscoveryLike; fetchApi: FetchLike }) {
    this.transport = new BackendTransport(options);
    this.fetchApi = options.fetchApi;
  }

  /** Small reports answer with a download path, large ones with a job. */
  createReport(request: CreateReportRequest): Promise<CreateReportResponse> {
    return this.transport.json({
      method: 'POST',
      path: '/reports',
      body: request,
    });
  }

  /** The caller's reports, newest first (admins may ask for everyone's). */
  listReports(
    options: { all?: boolean; stream?: string } = {},
  ): Promise<ListReportsResponse> {
    return this.transport.json({
      path: '/reports',
      params: {
        all: options.all ? 'true' : undefined,
        stream: options.stream,
      },
    });
  }

  getReport(id: string): Promise<ReportJob> {
    return this.transport.json({ path: `/reports/${encodeURIComponent(id)}` });
  }

  cancelReport(id: string): Promise<ReportJob> {
    return this.transport.json({
      method: 'POST',
      path: `/reports/${encodeURIComponent(id)}/cancel`,
    });
  }

  retryReport(id: string): Promise<ReportJob> {
    return this.transport.json({
      method: 'POST',
      path: `/reports/${encodeURIComponent(id)}/retry`,
    });
  }

  async deleteReport(id: string): Promise<void> {
    await this.transport.send({
      method: 'DELETE',
      path: `/reports/${encodeURIComponent(id)}`,
    });
  }

  /** An expiring link for people without a portal login. */
  async shareReport(
    id: string,
    options: { expiresInHours: number },
  ): Promise<ReportShareResponse> {
    const share = await this.transport.json<ReportShareResponse>({
      method: 'POST',
      path: `/reports/${encodeURIComponent(id)}/shares`,
      body: options,
    });
    return { ...share, url: await this.transport.url(share.path) };
  }

  /** A report's shared links, newest first (its owner's, or an admin's). */
  listReportShares(
    id: string,
    options: { status?: ReportShareStatus } = {},
  ): Promise<ListReportSharesResponse> {
    return this.transport.json({
      path: `/reports/${encodeURIComponent(id)}/shares`,
      params: { status: options.status },
    });
  }

  /** Stops a shared link from working; revoking it again changes nothing. */
  revokeReportShare(id: string, shareId: string): Promise<ReportShare> {
    return this.transport.json({
      method: 'DELETE',
      path: `/reports/${encodeURIComponent(id)}/shares/${encodeURIComponent(
        shareId,
      )}`,
    });
  }

  /** Where a finished report downloads from (needs the user cookie). */
  downloadUrl(id: string): Promise<string> {
    return this.transport.url(`/reports/${encodeURIComponent(id)}/download`);
  }

  /** The absolute URL of a path the backend returned (e.g. `exportPath`). */
  urlOf(path: string): Promise<string> {
    return this.transport.url(path);
  }

  /**
   * Has the backend set (or refresh) the portal's user cookie, which the
   * download routes accept. Cross-origin apps need `credentials: include`.
   */
  async issueCookie(): Promise<{ expiresAt: string }> {
    const url = await this.transport.url(COOKIE_PATH);
    const response = await this.fetchApi.fetch(url, {
      credentials: 'include',
    });
    if (!response.ok) {
      throw new Error(
        `Could not get a download cookie: ${response.status} ${response.statusText}`,
      );
    }
    return (await response.json()) as { expiresAt: string };
  }
}
