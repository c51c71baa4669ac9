import { DimensionFilter } from '@internal/plugin-realtime-insights-common';
import {
  EventLine,
  FieldTable,
  TextCache,
  ValueKind,
} from '../events/EventLine';

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

/**
 * {@link eventFilter} for flat lines read in place (`EventLine.flat`): the
 * same test on `String(value)` of each filtered field, whose texts are
 * decoded once per distinct value.
 */
export function lineFilter(
  filters: DimensionFilter[],
  fields: FieldTable,
): (line: EventLine) => boolean {
  const sets = filters.map(f => ({
    field: fields.indexOf(f.field),
    values: new Set(f.values),
    texts: new TextCache(),
  }));
  return line => {
    for (const { field, values, texts } of sets) {
      if (line.kind[field] === ValueKind.Null) return false;
      const value = line.cachedText(field, texts);
      if (value === undefined || !values.has(value)) return false;
    }
    return true;
  };
}

/** A stable text of the filters, for cache keys and cursors. */
export function filterKey(filters: DimensionFilter[]): string {
  return filters
    .map(f => `${f.field}=${[...f.values].sort().join(',')}`)
    .sort()
    .join('&');
}
