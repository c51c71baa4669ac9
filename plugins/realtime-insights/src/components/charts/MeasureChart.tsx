import { TimeSeriesBucket } from '@internal/plugin-realtime-insights-common';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatBucketTime } from '../StreamDashboard/timeRange';
import { ChartFrame, ChartTooltip, useAxisStyle } from './chartStyle';

type Band = [number, number] | null;
type Row = {
  start: string;
  p50: number | null;
  avg: number | null;
  band95: Band;
  band99: Band;
};

function band(low: number | null, high: number | null): Band {
  return low === null || high === null ? null : [low, high];
}

/** Rows of one measure: the median, and the p50–p95 and p95–p99 bands. */
export function measureRows(
  buckets: TimeSeriesBucket[],
  measure: string,
): Row[] {
  return buckets.map(b => {
    const m = b.measures[measure];
    return {
      start: b.start,
      p50: m?.p50 ?? null,
      avg: m?.avg ?? null,
      band95: band(m?.p50 ?? null, m?.p95 ?? null),
      band99: band(m?.p95 ?? null, m?.p99 ?? null),
    };
  });
}

/**
 * One measure over time: its median as a line, with bands up to p95 and
 * p99, so a slow tail shows without hiding the typical value.
 */
export function MeasureChart(props: {
  buckets: TimeSeriesBucket[];
  measure: string;
  spanMs: number;
}) {
  const { buckets, measure, spanMs } = props;
  const { theme, grid, axis } = useAxisStyle();
  const rows = measureRows(buckets, measure);
  const p99s = rows.flatMap(r => (r.band99 ? [r.band99[1]] : []));
  const label = p99s.length
    ? `${measure} per bucket: p50, p95 and p99; highest p99 ${Math.max(
        ...p99s,
      ).toLocaleString(undefined, { maximumFractionDigits: 2 })}`
    : `${measure} per bucket: no values in this range`;
  const colour = theme.palette.secondary.main;
  return (
    <ChartFrame testId={`measure-chart-${measure}`} label={label}>
      <ComposedChart
        data={rows}
        margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
      >
        <CartesianGrid {...grid} />
        <XAxis
          dataKey="start"
          tickFormatter={v => formatBucketTime(v, spanMs)}
          minTickGap={24}
          {...axis}
        />
        <YAxis {...axis} />
        <Tooltip
          content={p => (
            <ChartTooltip
              {...p}
              formatLabel={v => new Date(v).toLocaleString()}
            />
          )}
        />
        <Legend wrapperStyle={{ color: theme.palette.text.primary }} />
        <Area
          dataKey="band99"
          name="p95–p99"
          stroke="none"
          fill={colour}
          fillOpacity={0.15}
          isAnimationActive={false}
        />
        <Area
          dataKey="band95"
          name="p50–p95"
          stroke="none"
          fill={colour}
          fillOpacity={0.35}
          isAnimationActive={false}
        />
        <Line
          dataKey="p50"
          name="p50"
          stroke={colour}
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
      </ComposedChart>
    </ChartFrame>
  );
}
