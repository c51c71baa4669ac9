import { TimeSeriesBucket } from '@internal/plugin-realtime-insights-common';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatBucketTime } from '../StreamDashboard/timeRange';
import { ChartFrame, ChartTooltip, useAxisStyle } from './chartStyle';

/** Distinct devices and customers per bucket (HyperLogLog estimates). */
export function DistinctChart(props: {
  buckets: TimeSeriesBucket[];
  spanMs: number;
}) {
  const { buckets, spanMs } = props;
  const { theme, grid, axis } = useAxisStyle();
  const peak = buckets.reduce((max, b) => Math.max(max, b.devices), 0);
  return (
    <ChartFrame
      testId="distinct-chart"
      label={`Distinct devices and customers per bucket: at most ${peak.toLocaleString()} devices`}
    >
      <LineChart
        data={buckets}
        margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
      >
        <CartesianGrid {...grid} />
        <XAxis
          dataKey="start"
          tickFormatter={v => formatBucketTime(v, spanMs)}
          minTickGap={24}
          {...axis}
        />
        <YAxis allowDecimals={false} {...axis} />
        <Tooltip
          content={p => (
            <ChartTooltip
              {...p}
              formatLabel={v => new Date(v).toLocaleString()}
            />
          )}
        />
        <Legend wrapperStyle={{ color: theme.palette.text.primary }} />
        <Line
          dataKey="devices"
          name="Devices"
          stroke={theme.palette.primary.main}
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
        <Line
          dataKey="customers"
          name="Customers"
          stroke={theme.palette.secondary.main}
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}
