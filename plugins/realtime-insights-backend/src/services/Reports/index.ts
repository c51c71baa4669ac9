export { ReportExporter } from './ReportExporter';
export type {
  ExportProgress,
  ExportResult,
  ReportPlan,
} from './ReportExporter';
export { ReportFiles } from './ReportFiles';
export type { ReportFilesLocation, ReportUpload } from './ReportFiles';
export { ReportJobRunner } from './ReportJobRunner';
export type { ReportJobRunnerOptions } from './ReportJobRunner';
export { ReportService } from './ReportService';
export type {
  PreparedExport,
  ReportDownload,
  ReportServiceOptions,
  SharedDownload,
} from './ReportService';
export { ReportStore } from './ReportStore';
export { csvField } from './writers';
