import { DimensionFilter } from '@internal/plugin-realtime-insights-common';

/** A predicate over parsed events: every filter must match one of its values. */
export function eventFilter(
  filters: DimensionFilter[],
): (event: Record<string, unknown>) => boolean {
  if (filters.length === 0) return () => true;
  const sets = filters.map(f => ({
    field: f.field,
    values: new Set(f.values),
  }));
  return event =>
    sets.every(({ field, values }) => {
      const value = event[field];
      return value !== undefined && value !== null && values.has(String(value));
    });
}

/** A stable text of the filters, for cache keys and cursors. */
export function filterKey(filters: DimensionFilter[]): string {
  return filters
    .map(f => `${f.field}=${[...f.values].sort().join(',')}`)
    .sort()
    .join('&');
}
