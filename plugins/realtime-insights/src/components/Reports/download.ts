import { RealtimeInsightsReportsApi } from './reportsApi';

/**
 * Opens a download link in the page. The backend answers with
 * `Content-Disposition: attachment`, so the browser saves the file and the
 * page stays: the file streams to disk, never into page memory.
 */
export function startDownload(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/**
 * Has the backend set the portal's user cookie (which the download routes
 * accept, as TechDocs' do), then downloads `path` (below the plugin's base
 * URL).
 */
export async function downloadReportPath(
  api: RealtimeInsightsReportsApi,
  path: string,
): Promise<void> {
  await api.issueCookie();
  startDownload(await api.urlOf(path));
}

/** The same for a finished report job. */
export async function downloadReport(
  api: RealtimeInsightsReportsApi,
  id: string,
): Promise<void> {
  await api.issueCookie();
  startDownload(await api.downloadUrl(id));
}

const MiB = 1024 * 1024;

/** `12.3 MiB`, `850 KiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}
