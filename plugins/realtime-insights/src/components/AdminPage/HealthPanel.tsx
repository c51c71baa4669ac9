import {
  ErrorPanel,
  InfoCard,
  Progress,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { StreamHealth } from '@internal/plugin-realtime-insights-common';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { backendError } from '../backendError';
import { ChartFrame, ChartTooltip, useAxisStyle } from '../charts/chartStyle';
import { realtimeInsightsAdminApiRef } from './adminApi';

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
  });

function formatAge(seconds: number | null): string {
  if (seconds === null) return 'no events';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

const ms = (n: number | null) => (n === null ? '–' : `${Math.round(n)} ms`);

function StatusOf(props: { health: StreamHealth }) {
  const { status } = props.health;
  if (status === 'ok') return <StatusOK>healthy</StatusOK>;
  if (status === 'disabled') return <StatusAborted>disabled</StatusAborted>;
  if (status === 'warning') return <StatusWarning>degraded</StatusWarning>;
  return <StatusError>failing</StatusError>;
}

function Fact(props: { label: string; value: string }) {
  return (
    <Grid item xs={6} sm={3}>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="body2">{props.value}</Typography>
    </Grid>
  );
}

/** Events per 5 minutes over the last hour. */
function EventsChart(props: { health: StreamHealth }) {
  const { theme, grid, axis } = useAxisStyle();
  const data = props.health.eventsPerInterval;
  return (
    <ChartFrame
      testId="health-events-chart"
      label={`Events per 5 minutes of ${
        props.health.title
      }: ${props.health.eventsLastHour.toLocaleString()} in the last hour`}
      height={140}
    >
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid {...grid} />
        <XAxis dataKey="start" tickFormatter={time} {...axis} />
        <YAxis allowDecimals={false} width={48} {...axis} />
        <Tooltip
          content={p => <ChartTooltip {...p} formatLabel={time} />}
          cursor={{ fill: theme.palette.action.hover }}
        />
        <Bar
          dataKey="count"
          name="Events"
          fill={theme.palette.primary.main}
          isAnimationActive={false}
        />
      </BarChart>
    </ChartFrame>
  );
}

/** S3 latency and throttling per minute (this replica). */
function ObjectStoreChart(props: { health: StreamHealth }) {
  const { theme, grid, axis } = useAxisStyle();
  const s3 = props.health.objectStore;
  if (!s3 || s3.minutes.length === 0) return null;
  return (
    <ChartFrame
      testId="health-s3-chart"
      label={`S3 requests of ${props.health.title}: ${
        s3.requests
      } in the last hour, ${s3.throttled} throttled, p95 ${ms(
        s3.p95LatencyMs,
      )}`}
      height={140}
    >
      <LineChart
        data={s3.minutes}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
      >
        <CartesianGrid {...grid} />
        <XAxis dataKey="minute" tickFormatter={time} {...axis} />
        <YAxis yAxisId="ms" width={48} {...axis} />
        <YAxis
          yAxisId="n"
          orientation="right"
          allowDecimals={false}
          width={32}
          {...axis}
        />
        <Tooltip content={p => <ChartTooltip {...p} formatLabel={time} />} />
        <Line
          yAxisId="ms"
          dataKey="avgLatencyMs"
          name="Avg latency (ms)"
          stroke={theme.palette.primary.main}
          dot={false}
          isAnimationActive={false}
        />
        <Line
          yAxisId="n"
          dataKey="throttled"
          name="Throttled"
          stroke={theme.palette.warning.main}
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}

function StreamHealthCard(props: { health: StreamHealth }) {
  const { health } = props;
  const s3 = health.objectStore;
  return (
    <InfoCard
      title={health.title}
      subheader={`${health.entityRef} · ${health.owner}`}
    >
      <div data-testid={`health-${health.name}`}>
        <StatusOf health={health} />
        {health.problems.map(p => (
          <Typography key={p} variant="body2" color="textSecondary">
            {p}
          </Typography>
        ))}
        {health.status !== 'disabled' && (
          <>
            <Box mt={1}>
              <Grid container spacing={1}>
                <Fact
                  label="Newest event"
                  value={formatAge(health.freshnessSeconds)}
                />
                <Fact
                  label="Objects / events (1 h)"
                  value={`${health.objectsLastHour.toLocaleString()} / ${health.eventsLastHour.toLocaleString()}`}
                />
                <Fact
                  label="Failed records (1 h)"
                  value={`${health.errorRecordsLastHour.toLocaleString()} in ${
                    health.errorObjectsLastHour
                  } objects`}
                />
                <Fact
                  label="Duplicates skipped"
                  value={`${health.duplicateEvents.toLocaleString()} events, ${
                    health.duplicateObjects
                  } objects`}
                />
                <Fact
                  label="Corrupt objects / bad lines"
                  value={`${health.corruptObjects} / ${health.badLines}`}
                />
                <Fact
                  label="S3 requests (1 h, this replica)"
                  value={s3 ? s3.requests.toLocaleString() : '–'}
                />
                <Fact
                  label="S3 latency p50 / p95"
                  value={
                    s3 ? `${ms(s3.p50LatencyMs)} / ${ms(s3.p95LatencyMs)}` : '–'
                  }
                />
                <Fact
                  label="S3 throttled / failed"
                  value={
                    s3 ? `${s3.throttled} / ${s3.errors - s3.throttled}` : '–'
                  }
                />
              </Grid>
            </Box>
            <EventsChart health={health} />
            <ObjectStoreChart health={health} />
            {health.topErrors.length > 0 && (
              <Box mt={1}>
                <Typography variant="subtitle2">Top error reasons</Typography>
                {health.topErrors.map(e => (
                  <Typography
                    key={`${e.errorCode}:${e.errorMessage}`}
                    variant="body2"
                  >
                    {e.count.toLocaleString()} × <code>{e.errorCode}</code>{' '}
                    {e.errorMessage}
                  </Typography>
                ))}
              </Box>
            )}
          </>
        )}
      </div>
    </InfoCard>
  );
}

/** The pipeline's health per stream, refreshed on demand. */
export function HealthPanel() {
  const api = useApi(realtimeInsightsAdminApiRef);
  const health = useAsyncRetry(() => api.getHealth(), [api]);
  if (health.error) {
    return (
      <ErrorPanel
        title="Could not check the pipeline's health"
        error={backendError(health.error)}
      />
    );
  }
  if (!health.value) return <Progress />;
  const { streams, checkedAt } = health.value;
  return (
    <>
      <Box mb={2} display="flex" alignItems="center">
        <Typography variant="body2" color="textSecondary">
          Checked at {new Date(checkedAt).toLocaleTimeString()}. S3 figures are
          of the replica that answered.
        </Typography>
        <Box ml="auto">
          <Button onClick={health.retry} disabled={health.loading}>
            Refresh
          </Button>
        </Box>
      </Box>
      {streams.length === 0 && (
        <Typography>No valid streams registered.</Typography>
      )}
      <Grid container spacing={2}>
        {streams.map(s => (
          <Grid item xs={12} lg={6} key={s.entityRef}>
            <StreamHealthCard health={s} />
          </Grid>
        ))}
      </Grid>
    </>
  );
}
