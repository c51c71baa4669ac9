import {
  BucketWidth,
  DimensionFilter,
} from '@internal/plugin-realtime-insights-common';
import { ComponentType } from 'react';
import { ReportDownloadButton } from '../Reports';

/**
 * What the dashboard shows right now, handed to the report actions in its
 * toolbar so a report covers exactly the charted data.
 *
 * @public
 */
export type ReportActionsProps = {
  /** The stream's name (its id in insights URLs and API calls). */
  stream: string;
  /** Start of the charted range, ISO-8601 UTC (inclusive). */
  from: string;
  /** End of the charted range, ISO-8601 UTC (exclusive). */
  to: string;
  bucket: BucketWidth;
  /** The group-by dimension, when one is chosen. */
  groupBy?: string;
  filters: DimensionFilter[];
};

/** @public */
export type ReportActionsComponent = ComponentType<ReportActionsProps>;

/**
 * The report actions every dashboard shows unless its `reportActions` prop
 * says otherwise: the report download button (CSV, NDJSON or XLSX of the
 * charted range, as a download or a job).
 */
export const DefaultReportActions: ReportActionsComponent =
  ReportDownloadButton;
