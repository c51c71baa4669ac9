import { ReportJob } from '@internal/plugin-realtime-insights-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { formatBytes } from './download';

/** What a job is doing, in words. */
export function jobSummary(job: ReportJob): string {
  const { progress } = job;
  switch (job.status) {
    case 'queued':
      return job.attempts > 0
        ? `Waiting to retry (attempt ${job.attempts + 1} of ${job.maxAttempts})`
        : 'Waiting to start';
    case 'running': {
      if (job.cancelRequested) return 'Cancelling…';
      const read = `Read ${formatBytes(progress.bytesScanned)} of ${formatBytes(
        progress.bytesEstimated,
      )}`;
      const events =
        progress.eventsEstimated !== null
          ? ` · ${progress.eventsScanned.toLocaleString(
              'en-US',
            )} of about ${progress.eventsEstimated.toLocaleString(
              'en-US',
            )} events`
          : '';
      if (job.kind === 'raw') return `${read}${events}`;
      return progress.objectsTotal > 0
        ? `Summarised ${progress.objectsDone.toLocaleString(
            'en-US',
          )} of ${progress.objectsTotal.toLocaleString('en-US')} objects`
        : 'Summarising…';
    }
    case 'succeeded':
      return `Ready: ${progress.rowsWritten.toLocaleString('en-US')} rows${
        job.sizeBytes !== undefined ? `, ${formatBytes(job.sizeBytes)}` : ''
      }`;
    case 'failed':
      return `Failed: ${job.error ?? 'unknown error'}`;
    case 'cancelled':
      return 'Cancelled';
    default:
      return job.status;
  }
}

/** A progress bar with the job's state under it. */
export function ReportJobProgress(props: { job: ReportJob }) {
  const { job } = props;
  const active = job.status === 'queued' || job.status === 'running';
  const fraction = job.progress.fraction;
  return (
    <Box>
      {active && (
        <LinearProgress
          aria-label="Report progress"
          variant={fraction === null ? 'indeterminate' : 'determinate'}
          value={fraction === null ? undefined : Math.round(fraction * 100)}
        />
      )}
      <Typography
        variant="body2"
        color={job.status === 'failed' ? 'error' : 'textSecondary'}
        data-testid="report-job-status"
      >
        {jobSummary(job)}
      </Typography>
    </Box>
  );
}
