import { TimeSeriesBucket } from '@internal/plugin-realtime-insights-common';
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatBucketTime } from '../StreamDashboard/timeRange';
import {
  ChartFrame,
  ChartTooltip,
  seriesColours,
  useAxisStyle,
} from './chartStyle';

/** The previous period's buckets and how far they lie before the current ones. */
export type PreviousPeriodSeries = {
  buckets: TimeSeriesBucket[];
  shiftMs: number;
};

type Row = {
  start: string;
  count: number;
  previous?: number;
  groups?: Record<string, number>;
};

export const OTHER_GROUP = '(other)';

/** Sum of counts over buckets. */
export function totalCount(buckets: TimeSeriesBucket[]): number {
  return buckets.reduce((sum, b) => sum + b.count, 0);
}

/**
 * Records per bucket as bars, stacked by the group-by dimension's top values
 * when there is one, with the previous period's counts as a dashed line.
 * Animation is off because the data is live.
 */
export function RecordCountChart(props: {
  buckets: TimeSeriesBucket[];
  spanMs: number;
  groupBy?: { dimension: string; values: string[] };
  previous?: PreviousPeriodSeries;
  height?: number;
}) {
  const { buckets, spanMs, groupBy, previous, height } = props;
  const { theme, grid, axis } = useAxisStyle();
  const colours = seriesColours(theme);

  const previousByStart = new Map<number, number>();
  for (const b of previous?.buckets ?? []) {
    previousByStart.set(Date.parse(b.start) + previous!.shiftMs, b.count);
  }
  const rows: Row[] = buckets.map(b => ({
    start: b.start,
    count: b.count,
    groups: b.groups,
    ...(previous && { previous: previousByStart.get(Date.parse(b.start)) }),
  }));

  const total = totalCount(buckets);
  const groups = groupBy ? [...groupBy.values, OTHER_GROUP] : [];
  let label = `Records per bucket: ${total.toLocaleString()} in total`;
  if (groupBy) {
    label += `, grouped by ${groupBy.dimension}`;
  }
  if (previous) {
    label += `; previous period ${totalCount(
      previous.buckets,
    ).toLocaleString()}`;
  }

  const newest = [...buckets].reverse().find(b => b.count > 0)?.start ?? '';
  return (
    <ChartFrame
      testId="record-count-chart"
      label={label}
      height={height}
      dataAttributes={{
        'data-total': String(total),
        'data-newest-bucket': newest,
      }}
    >
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
        <YAxis allowDecimals={false} {...axis} />
        <Tooltip
          content={p => (
            <ChartTooltip
              {...p}
              formatLabel={v => new Date(v).toLocaleString()}
            />
          )}
          cursor={{ fill: theme.palette.action.hover }}
        />
        {(groupBy || previous) && (
          <Legend wrapperStyle={{ color: theme.palette.text.primary }} />
        )}
        {groupBy ? (
          groups.map((value, i) => (
            <Bar
              key={value}
              stackId="groups"
              dataKey={(row: Row) => row.groups?.[value] ?? 0}
              name={value}
              fill={
                value === OTHER_GROUP
                  ? theme.palette.text.disabled
                  : colours[i % colours.length]
              }
              isAnimationActive={false}
            />
          ))
        ) : (
          <Bar
            dataKey="count"
            name="Records"
            fill={theme.palette.primary.main}
            isAnimationActive={false}
          />
        )}
        {previous && (
          <Line
            dataKey="previous"
            name="Previous period"
            stroke={theme.palette.text.secondary}
            strokeDasharray="5 4"
            strokeWidth={2}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        )}
      </ComposedChart>
    </ChartFrame>
  );
}
