import { InputError } from '@backstage/errors';
import {
  SettingField,
  SettingValue,
  settingValueProblem,
} from '@internal/plugin-realtime-insights-common';
import { z } from 'zod';
import {
  RealtimeInsightsConfig,
  realtimeInsightsConfigSchema,
} from '../../config';

/** Overrides by dotted config path, e.g. `{ 'cache.ttlSeconds': 3600 }`. */
export type SettingsOverrides = Record<string, SettingValue>;

/**
 * What admins may change, by config section: the named keys, or `*` for
 * every number, boolean and enum of the section (nested too), so new keys
 * of those sections show up on the admin page by themselves. Connection
 * details (S3, Redis, catalog) stay in app-config: they are not for a web
 * form, and some are secrets.
 */
const EDITABLE: Record<string, string[] | '*'> = {
  cache: ['ttlSeconds'],
  query: [
    'maxRangeHours',
    'maxBuckets',
    'maxPageSize',
    'defaultPageSize',
    'maxObjectsPerPage',
    'latenessMinutes',
  ],
  live: '*',
  reports: '*',
};

/** Never editable in a `*` section: where data lives, and secrets. */
const NEVER =
  /secret|password|token|credential|kms|url|endpoint|^bucket$|^prefix$/i;
const NEVER_OBJECTS = new Set(['s3', 'redis', 'credentials']);

/**
 * Read only when the backend starts, so a change would not take effect
 * until a restart: not offered. (The report jobs task is scheduled with it;
 * `scheduleFollowingSetting` would make it live.)
 */
const READ_AT_STARTUP = new Set(['reports.jobs.pollIntervalSeconds']);

/** Labels and help of the known keys; others get a label from their name. */
const TEXT: Record<string, { label: string; description?: string }> = {
  'cache.ttlSeconds': {
    label: 'Cache time to live (seconds)',
    description:
      'How long summaries and listings stay cached (the design says 1 day).',
  },
  'query.maxRangeHours': {
    label: 'Longest query range (hours)',
  },
  'query.maxBuckets': { label: 'Most buckets of a time series' },
  'query.maxPageSize': { label: 'Largest page of raw records' },
  'query.defaultPageSize': {
    label: 'Default page of raw records',
    description: 'At most the largest page.',
  },
  'query.maxObjectsPerPage': {
    label: 'Objects one page of records may read',
  },
  'query.latenessMinutes': {
    label: 'Lateness window (minutes)',
    description:
      'How late an event may arrive: this many minutes of later hours are read too.',
  },
  'live.followIntervalSeconds': {
    label: 'Live refresh interval (seconds)',
    description: 'How often new objects of every stream are looked for.',
  },
  'reports.directMaxBytes': {
    label: 'Job size threshold (bytes)',
    description:
      'Reports over this many bytes of stream objects run as jobs instead of downloading at once.',
  },
  'reports.retentionDays': { label: 'Report retention (days)' },
  'reports.maxRangeHours': { label: 'Longest report range (hours)' },
  'reports.sharing.enabled': { label: 'Shared links allowed' },
  'reports.sharing.maxLifetimeHours': {
    label: 'Longest shared link lifetime (hours)',
  },
};

type Leaf = Omit<SettingField, 'defaultValue' | 'value' | 'overridden'>;

type AnyZod = z.ZodTypeAny;

/** The schema under defaults, optionals and refinements. */
function unwrap(schema: AnyZod): AnyZod {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodDefault ||
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable
    ) {
      current = current._def.innerType;
    } else if (current instanceof z.ZodEffects) {
      current = current._def.schema;
    } else {
      return current;
    }
  }
}

function humanise(path: string): string {
  const name = path.slice(path.lastIndexOf('.') + 1);
  const unit = name.match(/(Seconds|Minutes|Hours|Days|Bytes|Ms)$/)?.[1];
  const words = (unit ? name.slice(0, -unit.length) : name)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLocaleLowerCase('en-US');
  const label = words.charAt(0).toLocaleUpperCase('en-US') + words.slice(1);
  return unit ? `${label} (${unit.toLocaleLowerCase('en-US')})` : label;
}

function leafOf(path: string, schema: AnyZod): Leaf | undefined {
  const inner = unwrap(schema);
  const section = path.slice(0, path.indexOf('.'));
  const text = TEXT[path] ?? { label: humanise(path) };
  const description = text.description ?? schema.description;
  const base = {
    path,
    section,
    label: text.label,
    ...(description ? { description } : {}),
  };
  if (inner instanceof z.ZodNumber) {
    return {
      ...base,
      type: inner.isInt ? 'integer' : 'number',
      ...(Number.isFinite(inner.minValue) ? { min: inner.minValue! } : {}),
      ...(Number.isFinite(inner.maxValue) ? { max: inner.maxValue! } : {}),
    };
  }
  if (inner instanceof z.ZodBoolean) {
    return { ...base, type: 'boolean' };
  }
  if (inner instanceof z.ZodEnum) {
    return { ...base, type: 'enum', options: [...inner.options] as string[] };
  }
  return undefined;
}

function collect(prefix: string, schema: AnyZod, keys: string[] | '*'): Leaf[] {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return [];
  const leaves: Leaf[] = [];
  for (const [key, child] of Object.entries(
    inner.shape as Record<string, AnyZod>,
  )) {
    if (keys !== '*' && !keys.includes(key)) continue;
    const path = `${prefix}.${key}`;
    if (keys === '*' && NEVER.test(key)) continue;
    if (READ_AT_STARTUP.has(path)) continue;
    if (unwrap(child) instanceof z.ZodObject) {
      if (keys === '*' && !NEVER_OBJECTS.has(key)) {
        leaves.push(...collect(path, child, '*'));
      }
      continue;
    }
    const leaf = leafOf(path, child);
    if (leaf) leaves.push(leaf);
  }
  return leaves;
}

/** The editable settings of a config schema (the plugin's by default). */
export function editableLeaves(
  schema: AnyZod = realtimeInsightsConfigSchema,
): Leaf[] {
  const root = unwrap(schema);
  if (!(root instanceof z.ZodObject)) return [];
  const shape = root.shape as Record<string, AnyZod>;
  return Object.entries(EDITABLE).flatMap(([section, keys]) =>
    shape[section] ? collect(section, shape[section], keys) : [],
  );
}

/** The value at a dotted path of a (config) object. */
export function valueAt(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** A copy of `object` with `value` at the dotted `path`; the rest shared. */
export function withValueAt(
  object: unknown,
  path: string,
  value: unknown,
): unknown {
  const [head, ...rest] = path.split('.');
  const source =
    object !== null && typeof object === 'object'
      ? (object as Record<string, unknown>)
      : {};
  return {
    ...source,
    [head]: rest.length
      ? withValueAt(source[head], rest.join('.'), value)
      : value,
  };
}

/**
 * Checks across fields the schema cannot express. Each problem is named on
 * every field involved, so whichever of them is overridden gets the blame.
 */
function consistencyProblems(
  config: RealtimeInsightsConfig,
): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const { defaultPageSize, maxPageSize } = config.query;
  if (defaultPageSize > maxPageSize) {
    problems.push(
      [
        'query.defaultPageSize',
        `must be at most the largest page (${maxPageSize})`,
      ],
      [
        'query.maxPageSize',
        `must be at least the default page (${defaultPageSize})`,
      ],
    );
  }
  return problems;
}

export type AppliedSettings = {
  config: RealtimeInsightsConfig;
  /** Overrides that could not be applied (e.g. the schema changed since). */
  rejected: Array<{ path: string; message: string }>;
};

/**
 * The defaults with the overrides laid over them, validated by the config
 * schema. An override the schema (or a cross-field check) refuses is left
 * out and reported, so one stale value never takes the others down.
 */
export function applyOverrides(
  defaults: RealtimeInsightsConfig,
  overrides: SettingsOverrides,
  schema: AnyZod = realtimeInsightsConfigSchema,
): AppliedSettings {
  const editable = new Map(editableLeaves(schema).map(l => [l.path, l]));
  const rejected: AppliedSettings['rejected'] = [];
  let accepted = Object.entries(overrides).filter(([path, value]) => {
    const leaf = editable.get(path);
    const problem = leaf
      ? settingValueProblem(leaf, value)
      : 'is not a setting admins can change';
    if (problem) rejected.push({ path, message: problem });
    return !problem;
  });
  for (;;) {
    const merged = accepted.reduce<unknown>(
      (acc, [path, value]) => withValueAt(acc, path, value),
      defaults,
    );
    const parsed = schema.safeParse(merged);
    const problems: Array<[string, string]> = parsed.success
      ? consistencyProblems(parsed.data)
      : parsed.error.issues.map(i => [i.path.join('.'), i.message]);
    if (parsed.success && problems.length === 0) {
      return { config: parsed.data, rejected };
    }
    // Leave out the overrides the problems name; when none is named, the
    // defaults themselves are at fault and stand as app-config has them.
    const messages = new Map<string, string>();
    for (const [path, message] of problems) {
      if (!messages.has(path)) messages.set(path, message);
    }
    const before = accepted.length;
    accepted = accepted.filter(([path]) => {
      const message = messages.get(path);
      if (message) rejected.push({ path, message });
      return !message;
    });
    if (accepted.length === before) {
      return { config: defaults, rejected };
    }
  }
}

/**
 * Checks changes an admin asks for against the overrides in effect: every
 * path editable, every value of the right type and bounds, the result
 * valid, and no other override knocked out by the change. Throws
 * `InputError` naming the bad setting; returns the new overrides.
 */
export function checkChanges(
  defaults: RealtimeInsightsConfig,
  overrides: SettingsOverrides,
  changes: Record<string, SettingValue | null>,
  schema: AnyZod = realtimeInsightsConfigSchema,
): SettingsOverrides {
  const next: SettingsOverrides = { ...overrides };
  for (const [path, value] of Object.entries(changes)) {
    if (value === null) delete next[path];
    else next[path] = value;
  }
  const before = new Set(
    applyOverrides(defaults, overrides, schema).rejected.map(r => r.path),
  );
  const fresh = applyOverrides(defaults, next, schema).rejected.filter(
    r => !before.has(r.path) || changes[r.path] !== undefined,
  );
  const problem =
    fresh.find(
      r => changes[r.path] !== undefined && changes[r.path] !== null,
    ) ?? fresh[0];
  if (problem) {
    throw new InputError(
      `Invalid setting '${problem.path}': ${problem.message}`,
    );
  }
  return next;
}

/** The editable settings with their defaults and values in effect. */
export function describeSettings(
  defaults: RealtimeInsightsConfig,
  effective: RealtimeInsightsConfig,
  overrides: SettingsOverrides,
  schema: AnyZod = realtimeInsightsConfigSchema,
): SettingField[] {
  return editableLeaves(schema).flatMap(leaf => {
    const defaultValue = valueAt(defaults, leaf.path);
    const value = valueAt(effective, leaf.path);
    if (defaultValue === undefined || value === undefined) return [];
    return [
      {
        ...leaf,
        defaultValue: defaultValue as SettingValue,
        value: value as SettingValue,
        overridden: Object.prototype.hasOwnProperty.call(overrides, leaf.path),
      },
    ];
  });
}
