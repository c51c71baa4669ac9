export { StreamDashboard } from './StreamDashboard';
export type { StreamDashboardProps } from './StreamDashboard';
export { DefaultReportActions } from './ReportActionsSlot';
export type {
  ReportActionsComponent,
  ReportActionsProps,
} from './ReportActionsSlot';
export type { RangeSelection, RangePreset } from './timeRange';
