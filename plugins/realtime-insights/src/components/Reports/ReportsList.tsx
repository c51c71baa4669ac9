import { Progress, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ReportJob,
  realtimeInsightsReportSharePermission,
} from '@internal/plugin-realtime-insights-common';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { backendError } from '../backendError';
import { downloadReport, formatBytes } from './download';
import { ReportJobProgress } from './ReportJobProgress';
import { ReportShareDialog } from './ReportShareDialog';
import { realtimeInsightsReportsApiRef } from './reportsApi';
import { REPORT_POLL_MS, isActive } from './useReportJob';

/**
 * The signed-in user's reports (of one stream, or all), newest first:
 * progress of running ones, download of finished ones again, cancel,
 * retry, delete, and share (and revoke links) for users holding
 * `report.share`.
 *
 * @public
 */
export function ReportsList(props: { stream?: string; title?: string }) {
  const { stream, title = 'My reports' } = props;
  const api = useApi(realtimeInsightsReportsApiRef);
  const { allowed: canShare } = usePermission({
    permission: realtimeInsightsReportSharePermission,
  });
  const listing = useAsyncRetry(
    () => api.listReports({ stream }),
    [api, stream],
  );
  const [error, setError] = useState<Error>();
  const [sharing, setSharing] = useState<ReportJob>();
  const { retry } = listing;

  // Running jobs move: look again while any is queued or running.
  const anyActive = listing.value?.items.some(isActive) ?? false;
  useEffect(() => {
    if (!anyActive) return undefined;
    const timer = setTimeout(retry, REPORT_POLL_MS);
    return () => clearTimeout(timer);
  }, [anyActive, listing.value, retry]);

  const act = useCallback(
    (action: () => Promise<unknown>) =>
      action().then(
        () => {
          setError(undefined);
          retry();
        },
        e => setError(backendError(e)),
      ),
    [retry],
  );

  if (listing.loading && !listing.value) return <Progress />;
  if (listing.error) {
    return (
      <Alert severity="error">
        Could not load your reports: {backendError(listing.error).message}
      </Alert>
    );
  }

  const columns: TableColumn<ReportJob>[] = [
    {
      title: 'Report',
      render: job => (
        <>
          <Typography variant="body2">{job.fileName}</Typography>
          <Typography variant="caption" color="textSecondary">
            {job.kind === 'raw' ? 'Raw records' : 'Summary'},{' '}
            {job.format.toUpperCase()}
          </Typography>
        </>
      ),
    },
    { title: 'Status', render: job => <ReportJobProgress job={job} /> },
    {
      title: 'Created',
      render: job => new Date(job.createdAt).toLocaleString(),
    },
    {
      title: 'Size',
      render: job =>
        job.sizeBytes === undefined ? '–' : formatBytes(job.sizeBytes),
    },
    {
      title: 'Kept until',
      render: job =>
        job.expiresAt ? new Date(job.expiresAt).toLocaleString() : '–',
    },
    {
      title: 'Actions',
      render: job => (
        <Box display="flex" gridGap={4} flexWrap="wrap">
          {job.status === 'succeeded' && (
            <Button
              size="small"
              color="primary"
              onClick={() =>
                downloadReport(api, job.id).catch(e =>
                  setError(backendError(e)),
                )
              }
            >
              Download
            </Button>
          )}
          {job.status === 'succeeded' && canShare && (
            <Button size="small" onClick={() => setSharing(job)}>
              Share
            </Button>
          )}
          {isActive(job) && !job.cancelRequested && (
            <Button
              size="small"
              onClick={() => act(() => api.cancelReport(job.id))}
            >
              Cancel
            </Button>
          )}
          {(job.status === 'failed' || job.status === 'cancelled') && (
            <Button
              size="small"
              onClick={() => act(() => api.retryReport(job.id))}
            >
              Retry
            </Button>
          )}
          {job.status !== 'running' && (
            <Button
              size="small"
              onClick={() => act(() => api.deleteReport(job.id))}
            >
              Delete
            </Button>
          )}
        </Box>
      ),
    },
  ];

  return (
    <>
      {error && <Alert severity="error">{error.message}</Alert>}
      <Table<ReportJob>
        title={title}
        options={{ search: false, paging: false, padding: 'dense' }}
        columns={columns}
        data={listing.value?.items ?? []}
        emptyContent={
          <Box p={2}>
            <Typography variant="body2" color="textSecondary">
              No reports yet. Large downloads of a dashboard are kept here for a
              while.
            </Typography>
          </Box>
        }
      />
      {sharing && (
        <ReportShareDialog
          job={sharing}
          onClose={() => setSharing(undefined)}
        />
      )}
    </>
  );
}
