import { BreakdownResponse } from '@internal/plugin-realtime-insights-common';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame, ChartTooltip, useAxisStyle } from './chartStyle';
import { OTHER_GROUP } from './RecordCountChart';

const BAR_HEIGHT = 28;

/**
 * Top values of a dimension as horizontal bars, the rest as "(other)".
 * Clicking a value's bar calls `onSelect` (the dashboard filters by it).
 */
export function BreakdownChart(props: {
  breakdown: BreakdownResponse;
  onSelect?: (value: string) => void;
}) {
  const { breakdown, onSelect } = props;
  const { theme, grid, axis } = useAxisStyle();
  const rows = [...breakdown.values];
  if (breakdown.other > 0) {
    rows.push({ value: OTHER_GROUP, count: breakdown.other });
  }
  const top = breakdown.values[0];
  const label = top
    ? `Top values of ${breakdown.dimension}: ${
        top.value
      } with ${top.count.toLocaleString()} of ${breakdown.total.toLocaleString()}`
    : `Top values of ${breakdown.dimension}: none in this range`;
  return (
    <ChartFrame
      testId="breakdown-chart"
      label={label}
      height={Math.max(160, rows.length * BAR_HEIGHT + 40)}
    >
      <BarChart
        data={rows}
        layout="vertical"
        margin={{ top: 8, right: 24, bottom: 8, left: 8 }}
      >
        <CartesianGrid {...grid} vertical horizontal={false} />
        <XAxis type="number" allowDecimals={false} {...axis} />
        <YAxis type="category" dataKey="value" width={130} {...axis} />
        <Tooltip
          content={p => <ChartTooltip {...p} />}
          cursor={{ fill: theme.palette.action.hover }}
        />
        <Bar
          dataKey="count"
          name="Records"
          fill={theme.palette.primary.main}
          isAnimationActive={false}
          cursor={onSelect ? 'pointer' : undefined}
          onClick={(data: any) => {
            const value = data?.payload?.value ?? data?.value;
            if (onSelect && typeof value === 'string' && value !== OTHER_GROUP)
              onSelect(value);
          }}
        />
      </BarChart>
    </ChartFrame>
  );
}
