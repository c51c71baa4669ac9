import { Theme, useTheme } from '@material-ui/core/styles';
import { ReactElement, ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';

/** Series colours from the theme's palette, so light and dark both work. */
export function seriesColours(theme: Theme): string[] {
  const p = theme.palette;
  return [
    p.primary.main,
    p.secondary.main,
    p.success.main,
    p.warning.main,
    p.info.main,
    p.error.main,
    p.primary.light,
    p.secondary.light,
  ];
}

/** Axis and grid props shared by the time charts. */
export function useAxisStyle() {
  const theme = useTheme();
  return {
    theme,
    grid: { stroke: theme.palette.divider, vertical: false },
    axis: {
      stroke: theme.palette.text.secondary,
      tick: { fill: theme.palette.text.secondary, fontSize: 12 },
    },
  };
}

/**
 * A chart's frame: a fixed height, a label for screen readers (and tests)
 * summarising what it shows, and a responsive container.
 */
export function ChartFrame(props: {
  testId: string;
  label: string;
  height?: number;
  /** Extra `data-*` attributes, e.g. for browser tests and benchmarks. */
  dataAttributes?: Record<`data-${string}`, string>;
  children: ReactElement;
}) {
  const { testId, label, height = 240, dataAttributes, children } = props;
  return (
    <div
      {...dataAttributes}
      data-testid={testId}
      role="img"
      aria-label={label}
      style={{ width: '100%', height }}
    >
      <ResponsiveContainer>{children}</ResponsiveContainer>
    </div>
  );
}

type TooltipItem = {
  name?: ReactNode;
  value?: unknown;
  color?: string;
  payload?: unknown;
};

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(formatValue).join(' – ');
  if (typeof value === 'number') {
    return value.toLocaleString(undefined, { maximumFractionDigits: 2 });
  }
  return value === null || value === undefined ? '–' : String(value);
}

/** Tooltip in the theme's paper colours: a title and one line per series. */
export function ChartTooltip(props: {
  active?: boolean;
  payload?: ReadonlyArray<TooltipItem>;
  label?: ReactNode;
  formatLabel?: (label: any) => string;
}) {
  const theme = useTheme();
  const { active, payload, label, formatLabel } = props;
  if (!active || !payload?.length) return null;
  return (
    <div
      style={{
        background: theme.palette.background.paper,
        color: theme.palette.text.primary,
        border: `1px solid ${theme.palette.divider}`,
        padding: theme.spacing(1),
        fontSize: 13,
      }}
    >
      <div style={{ marginBottom: 4 }}>
        {formatLabel ? formatLabel(label) : label}
      </div>
      {payload.map((item, i) => (
        <div key={i} style={{ color: item.color }}>
          {item.name}: <strong>{formatValue(item.value)}</strong>
        </div>
      ))}
    </div>
  );
}
