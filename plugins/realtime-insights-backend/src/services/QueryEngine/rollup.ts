import { HashSet64 } from '../events/HashSet64';
import { hashString64 } from '../sketches/hashString64';
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

// Objects are told apart by a 64-bit hash of their fingerprint, as rollups
// keep them: two distinct objects collide with odds of about n²/2⁶⁵ (one
// in ~10⁸ for a week of objects landing every second).
const hash = new Uint32Array(2);
const hex = (hi: number, lo: number) =>
  hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');

/** A set for the fingerprints of `objects` objects, sized not to grow. */
export function fingerprintSet(objects: number): HashSet64 {
  return new HashSet64(
    Math.min(22, Math.max(6, Math.ceil(Math.log2(objects + 1)) + 1)),
  );
}

/** A summary to merge; for a rollup, the hashes of objects to leave out. */
export type KeptSummary = { summary: ObjectSummary; repeated: string[] };

/**
 * Goes through object summaries and rollups in order (earliest first),
 * counting an object whose events were already seen (same fingerprint:
 * Firehose re-delivered it) only once, and adding what it sees to `seen`.
 * A repeated object summary is dropped; a rollup is kept whole (it is
 * immutable), with its repeated objects' hashes (hex) in `repeated`, for
 * the caller to merge it without them (`rollUpWithout`).
 */
export function dedupeSummaries(
  summaries: ObjectSummary[],
  stats: MergeStats,
  seen: HashSet64 = fingerprintSet(summaries.length),
): KeptSummary[] {
  const kept: KeptSummary[] = [];
  for (const summary of summaries) {
    stats.objects += summary.rollup?.objects ?? 1;
    stats.corruptObjects +=
      summary.rollup?.corruptObjects ?? (summary.corrupt ? 1 : 0);
    stats.duplicateObjects += summary.rollup?.duplicateObjects ?? 0;
    stats.badLines += summary.badLines;
    stats.duplicateEvents += summary.duplicateEvents;
    if (summary.rollup) {
      const { fingerprints } = summary.rollup;
      const repeated: string[] = [];
      for (let i = 0; i < fingerprints.length; i += 2) {
        if (!seen.add(fingerprints[i], fingerprints[i + 1])) {
          repeated.push(hex(fingerprints[i], fingerprints[i + 1]));
        }
      }
      stats.duplicateObjects += repeated.length;
      kept.push({ summary, repeated });
      continue;
    }
    if (summary.fingerprint) {
      hashString64(summary.fingerprint, hash);
      if (!seen.add(hash[0], hash[1])) {
        stats.duplicateObjects++;
        continue;
      }
    }
    kept.push({ summary, repeated: [] });
  }
  return kept;
}

/**
 * One summary for a closed hour's objects: minutes merged across objects,
 * plus per-event-hour totals, so a day-long query merges 24 of these
 * instead of thousands of object summaries.
 */
export function rollUp(summaries: ObjectSummary[]): ObjectSummary {
  const stats = emptyMergeStats();
  const unique = dedupeSummaries(summaries, stats).map(kept => kept.summary);
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
    fingerprints: hashesOf(unique),
  };
  return rollup;
}

function hashesOf(summaries: ObjectSummary[]): Uint32Array {
  const withIds = summaries.filter(summary => summary.fingerprint);
  const hashes = new Uint32Array(withIds.length * 2);
  withIds.forEach((summary, i) => {
    hashString64(summary.fingerprint, hash);
    hashes[2 * i] = hash[0];
    hashes[2 * i + 1] = hash[1];
  });
  return hashes;
}

/**
 * A closed hour's rollup without the objects `repeated` names (copies of
 * objects an earlier hour holds): merged from the hour's object summaries,
 * a function of them and `repeated` only.
 */
export function rollUpWithout(
  summaries: ObjectSummary[],
  repeated: string[],
): ObjectSummary {
  const drop = new Set(repeated);
  return rollUp(
    summaries.filter(summary => {
      if (!summary.fingerprint) return true;
      hashString64(summary.fingerprint, hash);
      return !drop.has(hex(hash[0], hash[1]));
    }),
  );
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
