import {
  MinuteSummary,
  ObjectSummary,
  emptyMinute,
  emptySummary,
  mergeMinute,
} from './summary';

const HOUR_SEC = 3600;

/** Counts a merge found: what the rollup skipped or could not read. */
export type MergeStats = {
  objects: number;
  corruptObjects: number;
  badLines: number;
  duplicateEvents: number;
  duplicateObjects: number;
};

export function emptyMergeStats(): MergeStats {
  return {
    objects: 0,
    corruptObjects: 0,
    badLines: 0,
    duplicateEvents: 0,
    duplicateObjects: 0,
  };
}

/**
 * Merges object summaries, counting an object whose events were already
 * seen (same fingerprint: Firehose re-delivered it) only once.
 */
export function dedupeSummaries(
  summaries: ObjectSummary[],
  stats: MergeStats,
  seen: Set<string> = new Set(),
): ObjectSummary[] {
  const unique: ObjectSummary[] = [];
  for (const summary of summaries) {
    stats.objects += summary.rollup?.objects ?? 1;
    stats.corruptObjects +=
      summary.rollup?.corruptObjects ?? (summary.corrupt ? 1 : 0);
    stats.duplicateObjects += summary.rollup?.duplicateObjects ?? 0;
    stats.badLines += summary.badLines;
    stats.duplicateEvents += summary.duplicateEvents;
    if (summary.fingerprint && seen.has(summary.fingerprint)) {
      stats.duplicateObjects++;
      continue;
    }
    if (summary.fingerprint) seen.add(summary.fingerprint);
    unique.push(summary);
  }
  return unique;
}

/**
 * One summary for a closed hour's objects: minutes merged across objects,
 * plus per-event-hour totals, so a day-long query merges 24 of these
 * instead of thousands of object summaries.
 */
export function rollUp(summaries: ObjectSummary[]): ObjectSummary {
  const stats = emptyMergeStats();
  const unique = dedupeSummaries(summaries, stats);
  const rollup = emptySummary();
  const hours = new Map<number, MinuteSummary>();
  for (const summary of unique) {
    rollup.events += summary.events;
    for (const [sec, minute] of summary.minutes) {
      let target = rollup.minutes.get(sec);
      if (!target) {
        target = emptyMinute();
        rollup.minutes.set(sec, target);
      }
      mergeMinute(target, minute);
      const hourSec = Math.floor(sec / HOUR_SEC) * HOUR_SEC;
      let hour = hours.get(hourSec);
      if (!hour) {
        hour = emptyMinute();
        hours.set(hourSec, hour);
      }
      mergeMinute(hour, minute);
    }
    if (
      summary.maxTsMs !== null &&
      (rollup.maxTsMs === null || summary.maxTsMs > rollup.maxTsMs)
    ) {
      rollup.maxTsMs = summary.maxTsMs;
    }
    if (
      summary.maxArrivalMs !== null &&
      (rollup.maxArrivalMs === null ||
        summary.maxArrivalMs > rollup.maxArrivalMs)
    ) {
      rollup.maxArrivalMs = summary.maxArrivalMs;
    }
  }
  rollup.hours = hours;
  rollup.badLines = stats.badLines;
  rollup.duplicateEvents = stats.duplicateEvents;
  rollup.rollup = {
    objects: stats.objects,
    corruptObjects: stats.corruptObjects,
    duplicateObjects: stats.duplicateObjects,
  };
  return rollup;
}

// Each summary's minutes grouped by event hour, computed once per summary.
const minutesByHour = new WeakMap<
  ObjectSummary,
  Map<number, Array<[number, MinuteSummary]>>
>();

function hourGroups(summary: ObjectSummary) {
  let groups = minutesByHour.get(summary);
  if (!groups) {
    groups = new Map();
    for (const [sec, minute] of summary.minutes) {
      const hourSec = Math.floor(sec / HOUR_SEC) * HOUR_SEC;
      let list = groups.get(hourSec);
      if (!list) {
        list = [];
        groups.set(hourSec, list);
      }
      list.push([sec, minute]);
    }
    minutesByHour.set(summary, groups);
  }
  return groups;
}

/**
 * The parts of a summary that fall in [fromMs, toMs): whole event hours as
 * one total when `hourly` allows it and the rollup has them, other minutes
 * one by one. Yields [startMs, summary].
 */
export function* segments(
  summary: ObjectSummary,
  fromMs: number,
  toMs: number,
  hourly: boolean,
): Generator<[number, MinuteSummary]> {
  for (const [hourSec, minutes] of hourGroups(summary)) {
    const hourMs = hourSec * 1000;
    if (hourMs + HOUR_SEC * 1000 <= fromMs || hourMs >= toMs) continue;
    const total = hourly ? summary.hours?.get(hourSec) : undefined;
    if (total && hourMs >= fromMs && hourMs + HOUR_SEC * 1000 <= toMs) {
      yield [hourMs, total];
      continue;
    }
    for (const [sec, minute] of minutes) {
      const ms = sec * 1000;
      if (ms >= fromMs && ms < toMs) yield [ms, minute];
    }
  }
}
