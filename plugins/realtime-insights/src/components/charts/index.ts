export { BreakdownChart } from './BreakdownChart';
export { DistinctChart } from './DistinctChart';
export { MeasureChart } from './MeasureChart';
export { RecordCountChart, totalCount } from './RecordCountChart';
export type { PreviousPeriodSeries } from './RecordCountChart';
