import { EmptyState, ErrorPanel, InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  BucketWidth,
  DimensionFilter,
  StreamSummary,
} from '@internal/plugin-realtime-insights-common';
import {
  Box,
  FormControl,
  FormControlLabel,
  Grid,
  IconButton,
  InputLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Select,
  Switch,
  Tooltip,
  Typography,
} from '@material-ui/core';
import RefreshIcon from '@material-ui/icons/Refresh';
import { ReactNode, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { realtimeInsightsApiRef } from '../../api';
import { backendError } from '../backendError';
import {
  BreakdownChart,
  DistinctChart,
  MeasureChart,
  RecordCountChart,
  totalCount,
} from '../charts';
import { ChartSkeleton, StreamNotFound, isNotFound } from '../StreamStates';
import { REFRESH_INTERVAL_MS, useLiveRefresh } from '../useLiveRefresh';
import { StreamSummaryState, useStreamSummary } from '../useStreamSummary';
import { DimensionFilters, withFilter } from './DimensionFilters';
import { ReportsList } from '../Reports';
import { RecordsTable } from './RecordsTable';
import {
  DefaultReportActions,
  ReportActionsComponent,
} from './ReportActionsSlot';
import { TimeRangePicker } from './TimeRangePicker';
import {
  RangeSelection,
  bucketChoices,
  canBeLive,
  effectiveBucket,
  formatBucketTime,
  isLiveByDefault,
  previousPeriod,
  resolveRange,
} from './timeRange';

/** Top values in the breakdown chart. */
const BREAKDOWN_TOP = 10;
/** Top values stacked when grouping the record counts (the rest is "other"). */
const GROUP_TOP = 5;

/** @public */
export type StreamDashboardProps = {
  /** The stream's name, as listed by the backend (its entity's name). */
  stream: string;
  /**
   * Report actions for the toolbar (e.g. a download button); they receive
   * the charted stream, range, bucket, group-by and filters. Default: the
   * plugin's own report actions.
   */
  reportActions?: ReportActionsComponent;
  /** The range shown first; default the last hour. */
  initialRange?: RangeSelection;
};

function liveStatus(live: boolean, mode: 'signals' | 'polling'): string {
  if (!live) return 'Paused';
  return mode === 'signals'
    ? 'Updates as data lands'
    : `Refreshes every ${REFRESH_INTERVAL_MS / 1000} s`;
}

function Toolbar(props: { children: ReactNode }) {
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={16}>
      {props.children}
    </Box>
  );
}

function DashboardBody(props: {
  summary: StreamSummary;
  reportActions: ReportActionsComponent;
  initialRange: RangeSelection;
}) {
  const { summary, reportActions: ReportActions, initialRange } = props;
  const api = useApi(realtimeInsightsApiRef);
  const [range, setRange] = useState<RangeSelection>(initialRange);
  const [live, setLive] = useState(isLiveByDefault(initialRange));
  const [bucketChoice, setBucketChoice] = useState<BucketWidth | 'auto'>(
    'auto',
  );
  const [groupBy, setGroupBy] = useState('');
  const [filters, setFilters] = useState<DimensionFilter[]>([]);
  const [compare, setCompare] = useState(false);
  const [dimension, setDimension] = useState(summary.dimensions[0] ?? '');

  const liveOn = live && canBeLive(range);
  const { refreshedAt, refresh, mode } = useLiveRefresh(summary.name, liveOn);
  const { from, to, spanMs } = useMemo(
    () => resolveRange(range, refreshedAt),
    [range, refreshedAt],
  );
  const bucket = effectiveBucket(bucketChoice, spanMs);
  const name = summary.name;

  const series = useAsync(
    () =>
      api.getTimeSeries(name, {
        from,
        to,
        bucket,
        filters,
        ...(groupBy ? { groupBy, top: GROUP_TOP } : {}),
      }),
    [api, name, from, to, bucket, groupBy, filters],
  );
  const previous = useAsync(async () => {
    if (!compare) return undefined;
    const period = previousPeriod({ from, to, spanMs }, bucket);
    const answer = await api.getTimeSeries(name, {
      from: period.from,
      to: period.to,
      bucket,
      filters,
    });
    return { buckets: answer.buckets, shiftMs: period.shiftMs };
  }, [api, name, compare, from, to, spanMs, bucket, filters]);
  const breakdown = useAsync(async () => {
    if (!dimension) return undefined;
    return api.getBreakdown(name, {
      from,
      to,
      dimension,
      top: BREAKDOWN_TOP,
      filters,
    });
  }, [api, name, from, to, dimension, filters]);

  const changeRange = (next: RangeSelection) => {
    setRange(next);
    setLive(isLiveByDefault(next));
    refresh();
  };

  const toolbar = (
    <Paper variant="outlined" style={{ padding: 16, marginBottom: 16 }}>
      <Toolbar>
        <TimeRangePicker value={range} onChange={changeRange} />
        <FormControl variant="outlined" size="small" style={{ minWidth: 130 }}>
          <InputLabel id="rti-bucket-label">Bucket</InputLabel>
          <Select
            labelId="rti-bucket-label"
            label="Bucket"
            value={bucketChoice}
            onChange={e =>
              setBucketChoice(e.target.value as BucketWidth | 'auto')
            }
          >
            <MenuItem value="auto">
              Auto ({effectiveBucket('auto', spanMs)})
            </MenuItem>
            {bucketChoices(spanMs).map(width => (
              <MenuItem key={width} value={width}>
                {width}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl variant="outlined" size="small" style={{ minWidth: 150 }}>
          <InputLabel id="rti-group-label">Group by</InputLabel>
          <Select
            labelId="rti-group-label"
            label="Group by"
            value={groupBy}
            disabled={!summary.dimensions.length}
            onChange={e => setGroupBy(e.target.value as string)}
          >
            <MenuItem value="">None</MenuItem>
            {summary.dimensions.map(d => (
              <MenuItem key={d} value={d}>
                {d}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControlLabel
          control={
            <Switch
              color="primary"
              checked={liveOn}
              disabled={!canBeLive(range)}
              onChange={e => setLive(e.target.checked)}
            />
          }
          label="Live"
        />
        <FormControlLabel
          control={
            <Switch
              color="primary"
              checked={compare}
              onChange={e => setCompare(e.target.checked)}
            />
          }
          label="Compare with previous period"
        />
        <Tooltip title="Refresh now">
          <IconButton aria-label="Refresh" onClick={refresh} size="small">
            <RefreshIcon />
          </IconButton>
        </Tooltip>
        <Typography
          variant="caption"
          color="textSecondary"
          data-testid="live-status"
        >
          {liveStatus(liveOn, mode)}
        </Typography>
        <Box flexGrow={1} />
        <Box data-testid="report-actions">
          <ReportActions
            stream={name}
            from={from}
            to={to}
            bucket={bucket}
            groupBy={groupBy || undefined}
            filters={filters}
          />
        </Box>
      </Toolbar>
      {summary.dimensions.length > 0 && (
        <Box mt={2}>
          <DimensionFilters
            stream={name}
            dimensions={summary.dimensions}
            filters={filters}
            range={{ from, to }}
            onChange={setFilters}
          />
        </Box>
      )}
    </Paper>
  );

  let body: ReactNode;
  if (series.error) {
    body = isNotFound(series.error) ? (
      <StreamNotFound stream={name} />
    ) : (
      <ErrorPanel
        title="Could not load the time series"
        error={backendError(series.error)}
      />
    );
  } else if (!series.value) {
    body = (
      <Grid container spacing={2}>
        <Grid item xs={12}>
          <ChartSkeleton />
        </Grid>
        <Grid item xs={12} md={6}>
          <ChartSkeleton />
        </Grid>
        <Grid item xs={12} md={6}>
          <ChartSkeleton />
        </Grid>
      </Grid>
    );
  } else if (totalCount(series.value.buckets) === 0) {
    body = (
      <EmptyState
        missing="data"
        title={
          filters.length
            ? 'No records match these filters'
            : 'No records in this range'
        }
        description={
          filters.length
            ? 'Remove a filter or pick a longer range.'
            : "Pick a longer range, or check that devices send to this stream's Firehose delivery stream: records appear here once Firehose delivers them (about a minute after they are sent)."
        }
      />
    );
  } else {
    const ts = series.value;
    const { stats } = ts;
    body = (
      <Grid container spacing={2}>
        <Grid item xs={12}>
          <InfoCard
            title="Records per bucket"
            subheader={`${totalCount(ts.buckets).toLocaleString()} records · ${
              ts.bucket
            } buckets`}
          >
            {previous.error && (
              <Typography color="error" variant="body2">
                Previous period unavailable:{' '}
                {backendError(previous.error).message}
              </Typography>
            )}
            <RecordCountChart
              buckets={ts.buckets}
              spanMs={spanMs}
              groupBy={ts.groupBy}
              previous={compare ? previous.value : undefined}
            />
            <Typography variant="caption" color="textSecondary">
              {stats.objects} objects read ({stats.objectsFromCache} from cache)
              {stats.corruptObjects
                ? ` · ${stats.corruptObjects} corrupt objects skipped`
                : ''}
              {stats.badLines ? ` · ${stats.badLines} bad lines skipped` : ''}
              {stats.cacheDegraded
                ? ' · cache unavailable, reading S3 directly'
                : ''}
            </Typography>
            <Typography
              variant="caption"
              color="textSecondary"
              component="p"
              data-testid="answered-range"
            >
              Counted from {formatBucketTime(ts.range.from, spanMs)} to{' '}
              {formatBucketTime(ts.range.to, spanMs)}, in whole minutes (the
              records below keep the exact range)
            </Typography>
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard
            title="Distinct devices and customers"
            subheader="Estimates (about 1 % error)"
          >
            <DistinctChart buckets={ts.buckets} spanMs={spanMs} />
          </InfoCard>
        </Grid>
        {summary.dimensions.length > 0 && (
          <Grid item xs={12} md={6}>
            <InfoCard
              title="Top values"
              subheader="Click a bar to filter by it"
              action={
                <FormControl size="small" style={{ minWidth: 140 }}>
                  <Select
                    aria-label="Breakdown dimension"
                    value={dimension}
                    onChange={e => setDimension(e.target.value as string)}
                  >
                    {summary.dimensions.map(d => (
                      <MenuItem key={d} value={d}>
                        {d}
                      </MenuItem>
                    ))}
                  </Select>
                </FormControl>
              }
            >
              {breakdown.error && (
                <ErrorPanel
                  title="Could not load the breakdown"
                  error={backendError(breakdown.error)}
                />
              )}
              {!breakdown.error && breakdown.value && (
                <BreakdownChart
                  breakdown={breakdown.value}
                  onSelect={value =>
                    setFilters(f =>
                      withFilter(f, { field: dimension, values: [value] }),
                    )
                  }
                />
              )}
              {!breakdown.error && !breakdown.value && <ChartSkeleton />}
            </InfoCard>
          </Grid>
        )}
        {summary.measures.map(measure => (
          <Grid item xs={12} md={6} key={measure}>
            <InfoCard title={measure} subheader="p50 with p95 and p99 bands">
              <MeasureChart
                buckets={ts.buckets}
                measure={measure}
                spanMs={spanMs}
              />
            </InfoCard>
          </Grid>
        ))}
        <Grid item xs={12}>
          <InfoCard title="Recent records" subheader="Newest objects first">
            <RecordsTable
              // A new range or filter starts again at the first page.
              key={`${JSON.stringify(range)}|${JSON.stringify(filters)}`}
              stream={summary}
              range={{ from, to }}
              filters={filters}
            />
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <ReportsList stream={summary.name} title="Your reports" />
        </Grid>
      </Grid>
    );
  }

  return (
    <Box data-testid="stream-dashboard">
      {toolbar}
      <Box height={4} mb={1}>
        {(series.loading || previous.loading || breakdown.loading) &&
          series.value && <LinearProgress />}
      </Box>
      {body}
    </Box>
  );
}

/** Loading, error and "not found or no access" states around a stream's content. */
function StreamSummaryGate(props: {
  stream: string;
  state: StreamSummaryState;
  children: (summary: StreamSummary) => ReactNode;
}) {
  const { stream, state, children } = props;
  if (state.loading) return <ChartSkeleton />;
  if (state.error) {
    return (
      <ErrorPanel
        title="Could not load streams"
        error={backendError(state.error)}
      />
    );
  }
  if (!state.summary) return <StreamNotFound stream={stream} />;
  return <>{children(state.summary)}</>;
}

/**
 * A stream's dashboard: time range, live mode, charts, breakdown, filters
 * and recent records. Used by the insights page and the entity tab.
 *
 * @public
 */
export function StreamDashboard(props: StreamDashboardProps) {
  const { stream, reportActions, initialRange } = props;
  const state = useStreamSummary(stream);
  return (
    <StreamSummaryGate stream={stream} state={state}>
      {summary => (
        <DashboardBody
          key={summary.name}
          summary={summary}
          reportActions={reportActions ?? DefaultReportActions}
          initialRange={initialRange ?? { preset: '1h' }}
        />
      )}
    </StreamSummaryGate>
  );
}
