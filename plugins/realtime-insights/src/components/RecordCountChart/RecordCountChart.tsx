import { useTheme } from '@material-ui/core/styles';
import { TimeSeriesBucket } from '@internal/plugin-realtime-insights-common';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  TooltipContentProps,
  TooltipValueType as ValueType,
  XAxis,
  YAxis,
} from 'recharts';

const timeOfDay = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
  });

function CountTooltip({
  active,
  payload,
}: TooltipContentProps<ValueType, number | string>) {
  const theme = useTheme();
  if (!active || !payload?.length) return null;
  const bucket = payload[0].payload as TimeSeriesBucket;
  return (
    <div
      style={{
        background: theme.palette.background.paper,
        color: theme.palette.text.primary,
        border: `1px solid ${theme.palette.divider}`,
        padding: theme.spacing(1),
      }}
    >
      <div>{new Date(bucket.start).toLocaleString()}</div>
      <strong>{bucket.count.toLocaleString()} records</strong>
    </div>
  );
}

/** Records per minute as bars; animation off because the data is live. */
export function RecordCountChart({ buckets }: { buckets: TimeSeriesBucket[] }) {
  const theme = useTheme();
  return (
    <div
      data-testid="record-count-chart"
      style={{ width: '100%', height: 320 }}
    >
      <ResponsiveContainer>
        <BarChart
          data={buckets}
          margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
        >
          <CartesianGrid stroke={theme.palette.divider} vertical={false} />
          <XAxis
            dataKey="start"
            tickFormatter={timeOfDay}
            stroke={theme.palette.text.secondary}
            minTickGap={24}
          />
          <YAxis allowDecimals={false} stroke={theme.palette.text.secondary} />
          <Tooltip
            content={CountTooltip}
            cursor={{ fill: theme.palette.action.hover }}
          />
          <Bar
            dataKey="count"
            name="Records"
            fill={theme.palette.primary.main}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
