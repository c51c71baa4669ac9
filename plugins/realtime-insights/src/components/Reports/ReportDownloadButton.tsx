import { useApi } from '@backstage/frontend-plugin-api';
import {
  BucketWidth,
  CreateReportRequest,
  DimensionFilter,
  REPORT_FORMATS,
  ReportFormat,
  ReportJob,
  ReportKind,
} from '@internal/plugin-realtime-insights-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Typography from '@material-ui/core/Typography';
import GetAppIcon from '@material-ui/icons/GetApp';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useMemo, useRef, useState } from 'react';
import { backendError } from '../backendError';
import { useStreamSummary } from '../useStreamSummary';
import { downloadReport, downloadReportPath, formatBytes } from './download';
import { ReportJobProgress } from './ReportJobProgress';
import { realtimeInsightsReportsApiRef } from './reportsApi';
import { isActive, useReportJob } from './useReportJob';

/**
 * What the dashboard shows: a report covers exactly the charted data.
 *
 * @public
 */
export type ReportDownloadButtonProps = {
  stream: string;
  /** Start of the range, ISO-8601 (inclusive). */
  from: string;
  /** End of the range, ISO-8601 (exclusive). */
  to: string;
  /** Summary reports: the bucket width (default: one fitting the range). */
  bucket?: BucketWidth;
  /** Summary reports: a column per top value of this dimension. */
  groupBy?: string;
  filters: DimensionFilter[];
};

const FORMAT_LABELS: Record<ReportFormat, string> = {
  csv: 'CSV',
  ndjson: 'NDJSON',
  xlsx: 'Excel (XLSX)',
};

/** Fields every event has, besides the stream's own. */
const STANDARD_FIELDS = [
  'eventId',
  'ts',
  'arrivedAt',
  'deviceId',
  'customerId',
];

/** A job's progress, cancel, retry and download, until the dialog closes. */
function JobView(props: { initial: ReportJob }) {
  const api = useApi(realtimeInsightsReportsApiRef);
  const { job, error: pollError, update } = useReportJob(props.initial);
  const [error, setError] = useState<Error>();
  const downloaded = useRef(false);

  const download = () =>
    downloadReport(api, job.id).catch(e => setError(backendError(e)));

  // A finished report downloads at once, the way a small one does.
  useEffect(() => {
    if (job.status === 'succeeded' && !downloaded.current) {
      downloaded.current = true;
      downloadReport(api, job.id).catch(e => setError(backendError(e)));
    }
  }, [api, job]);

  const act = (action: Promise<ReportJob>) =>
    action.then(
      next => {
        setError(undefined);
        update(next);
      },
      e => setError(backendError(e)),
    );

  return (
    <Box display="flex" flexDirection="column" gridGap={12}>
      <Typography variant="body2">
        This report is large, so it is written in the background ({job.fileName}
        ). It stays in your reports list when you close this dialog.
      </Typography>
      <ReportJobProgress job={job} />
      {(error ?? pollError) && (
        <Alert severity="error">{(error ?? pollError)!.message}</Alert>
      )}
      <Box display="flex" gridGap={8}>
        {isActive(job) && !job.cancelRequested && (
          <Button
            variant="outlined"
            onClick={() => act(api.cancelReport(job.id))}
          >
            Cancel report
          </Button>
        )}
        {(job.status === 'failed' || job.status === 'cancelled') && (
          <Button
            variant="outlined"
            color="primary"
            onClick={() => act(api.retryReport(job.id))}
          >
            Retry
          </Button>
        )}
        {job.status === 'succeeded' && (
          <Button
            variant="contained"
            color="primary"
            startIcon={<GetAppIcon />}
            onClick={download}
          >
            Download again
          </Button>
        )}
      </Box>
    </Box>
  );
}

/** The choice of format, scope and columns, and what became of it. */
function ReportDialog(props: ReportDownloadButtonProps & { onClose(): void }) {
  const { stream, from, to, bucket, groupBy, filters, onClose } = props;
  const api = useApi(realtimeInsightsReportsApiRef);
  const { summary } = useStreamSummary(stream);
  const fields = useMemo(
    () => [
      ...new Set([
        ...STANDARD_FIELDS,
        ...(summary?.dimensions ?? []),
        ...(summary?.measures ?? []),
      ]),
    ],
    [summary],
  );
  const [format, setFormat] = useState<ReportFormat>('csv');
  const [kind, setKind] = useState<ReportKind>('summary');
  const [unchecked, setUnchecked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [job, setJob] = useState<ReportJob>();
  const [started, setStarted] = useState<string>();

  const chosen = fields.filter(f => !unchecked.has(f));
  const toggle = (field: string) =>
    setUnchecked(current => {
      const next = new Set(current);
      if (next.has(field)) next.delete(field);
      else next.add(field);
      return next;
    });

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    const request: CreateReportRequest = {
      stream,
      kind,
      format,
      from,
      to,
      filters,
      ...(kind === 'summary' ? { bucket, groupBy } : {}),
      // All ticked: every field the events have (the backend knows them all).
      ...(kind === 'raw' && unchecked.size > 0 ? { columns: chosen } : {}),
    };
    try {
      const created = await api.createReport(request);
      if (created.delivery === 'job') {
        setJob(created.report);
      } else {
        await downloadReportPath(api, created.exportPath);
        setStarted(
          `${created.fileName} (from ${formatBytes(
            created.bytesEstimated,
          )} of data) is downloading.`,
        );
      }
    } catch (e) {
      setError(backendError(e as Error));
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (job) {
    body = <JobView initial={job} />;
  } else if (started) {
    body = <Alert severity="success">{started}</Alert>;
  } else {
    body = (
      <Box display="flex" flexDirection="column" gridGap={16}>
        <FormControl component="fieldset">
          <FormLabel component="legend">Format</FormLabel>
          <RadioGroup
            row
            value={format}
            onChange={e => setFormat(e.target.value as ReportFormat)}
          >
            {REPORT_FORMATS.map(f => (
              <FormControlLabel
                key={f}
                value={f}
                control={<Radio />}
                label={FORMAT_LABELS[f]}
              />
            ))}
          </RadioGroup>
        </FormControl>
        <FormControl component="fieldset">
          <FormLabel component="legend">Contents</FormLabel>
          <RadioGroup
            value={kind}
            onChange={e => setKind(e.target.value as ReportKind)}
          >
            <FormControlLabel
              value="summary"
              control={<Radio />}
              label={`Summary per ${bucket ?? 'time'} bucket${
                groupBy ? `, by ${groupBy}` : ''
              }: counts, distinct devices and customers, measures`}
            />
            <FormControlLabel
              value="raw"
              control={<Radio />}
              label="Raw records: every event in the range"
            />
          </RadioGroup>
        </FormControl>
        {kind === 'raw' && (
          <FormControl component="fieldset" error={chosen.length === 0}>
            <FormLabel component="legend">Columns</FormLabel>
            <FormGroup row>
              {fields.map(field => (
                <FormControlLabel
                  key={field}
                  control={
                    <Checkbox
                      checked={!unchecked.has(field)}
                      onChange={() => toggle(field)}
                      name={field}
                    />
                  }
                  label={field}
                />
              ))}
            </FormGroup>
            {chosen.length === 0 && (
              <FormHelperText>Choose at least one column.</FormHelperText>
            )}
          </FormControl>
        )}
        <Typography variant="caption" color="textSecondary">
          {new Date(from).toLocaleString()} – {new Date(to).toLocaleString()}
          {filters.length > 0 &&
            `, where ${filters
              .map(f => `${f.field} is ${f.values.join(' or ')}`)
              .join(' and ')}`}
        </Typography>
        {error && <Alert severity="error">{error.message}</Alert>}
      </Box>
    );
  }

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Download a report of {summary?.title ?? stream}</DialogTitle>
      <DialogContent>{body}</DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        {!job && !started && (
          <Button
            color="primary"
            variant="contained"
            disabled={busy || (kind === 'raw' && chosen.length === 0)}
            onClick={submit}
          >
            {busy ? 'Preparing…' : 'Download'}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

/**
 * A button that downloads a report of what a dashboard shows: a summary
 * per bucket or the raw events, as CSV, NDJSON or XLSX. Small reports
 * download at once; large ones run in the background with a progress bar
 * and can be cancelled.
 *
 * @public
 */
export function ReportDownloadButton(props: ReportDownloadButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="outlined"
        size="small"
        startIcon={<GetAppIcon />}
        onClick={() => setOpen(true)}
      >
        Report
      </Button>
      {open && <ReportDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}
