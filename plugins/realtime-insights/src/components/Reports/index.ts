export { ReportDownloadButton } from './ReportDownloadButton';
export type { ReportDownloadButtonProps } from './ReportDownloadButton';
export { ReportsList } from './ReportsList';
export {
  realtimeInsightsReportsApiRef,
  reportsApiExtension,
  reportsApiFactory,
} from './reportsApi';
export type { RealtimeInsightsReportsApi } from './reportsApi';
