import { z } from 'zod';
import { realtimeInsightsConfigSchema } from '../../config';
import { applyOverrides, editableLeaves } from './settingFields';

const defaults = realtimeInsightsConfigSchema.parse({});

describe('editableLeaves', () => {
  it('offers the tuning knobs, never where data lives or secrets', () => {
    const paths = editableLeaves().map(l => l.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'cache.ttlSeconds',
        'query.maxRangeHours',
        'query.maxBuckets',
        'query.maxPageSize',
        'query.latenessMinutes',
        'live.followIntervalSeconds',
      ]),
    );
    // The reports section as it is today: offered without code here.
    expect(paths).toEqual(
      expect.arrayContaining([
        'reports.retentionDays',
        'reports.directMaxBytes',
        'reports.sharing.enabled',
        'reports.sharing.maxLifetimeHours',
      ]),
    );
    expect(paths).not.toContain('query.hourClosesAfterMinutes');
    // Read once at startup: a change would not take effect.
    expect(paths).not.toContain('reports.jobs.pollIntervalSeconds');
    for (const path of paths) {
      expect(path).not.toMatch(
        /^(s3|catalog)\.|redis|secret|credentials|kms|bucket$|prefix$|\.type$/,
      );
    }
  });

  it('bounds every number an admin can set, above and below', () => {
    for (const leaf of editableLeaves()) {
      if (leaf.type !== 'number') continue;
      expect({ path: leaf.path, min: leaf.min, max: leaf.max }).toEqual({
        path: leaf.path,
        min: expect.any(Number),
        max: expect.any(Number),
      });
    }
  });

  it('refuses the values that once made jobs and requests run away', () => {
    const { config, rejected } = applyOverrides(defaults, {
      'reports.retentionDays': 1e12,
      'query.maxRangeHours': 1e308,
      'query.maxPageSize': 956_197,
    });
    expect(config.reports.retentionDays).toBe(defaults.reports.retentionDays);
    expect(config.query.maxRangeHours).toBe(defaults.query.maxRangeHours);
    expect(config.query.maxPageSize).toBe(defaults.query.maxPageSize);
    expect(rejected.map(r => r.path).sort()).toEqual([
      'query.maxPageSize',
      'query.maxRangeHours',
      'reports.retentionDays',
    ]);
    for (const r of rejected) expect(r.message).toMatch(/^must be at most \d/);
  });

  it('takes every number, boolean and enum of a * section, nested too, with bounds', () => {
    const schema = z.object({
      cache: z.object({ ttlSeconds: z.number().int().min(1).default(5) }),
      reports: z
        .object({
          retentionDays: z.number().min(0.5).max(30).default(7),
          format: z.enum(['csv', 'xlsx']).default('csv'),
          title: z.string().default('x'),
          s3: z.object({ bucket: z.string() }).default({ bucket: 'b' }),
          sharing: z
            .object({
              enabled: z.boolean().default(true),
              secret: z.string().optional(),
              linkLifetimeHours: z
                .number()
                .int()
                .describe('How long links last')
                .default(24),
            })
            .default({}),
        })
        .default({}),
    });
    expect(editableLeaves(schema)).toEqual([
      {
        path: 'cache.ttlSeconds',
        section: 'cache',
        label: 'Cache time to live (seconds)',
        description: expect.any(String),
        type: 'integer',
        min: 1,
      },
      {
        path: 'reports.retentionDays',
        section: 'reports',
        label: 'Report retention (days)',
        type: 'number',
        min: 0.5,
        max: 30,
      },
      {
        path: 'reports.format',
        section: 'reports',
        label: 'Format',
        type: 'enum',
        options: ['csv', 'xlsx'],
      },
      {
        path: 'reports.sharing.enabled',
        section: 'reports',
        label: 'Shared links allowed',
        type: 'boolean',
      },
      {
        path: 'reports.sharing.linkLifetimeHours',
        section: 'reports',
        label: 'Link lifetime (hours)',
        description: 'How long links last',
        type: 'integer',
      },
    ]);
  });
});

describe('applyOverrides', () => {
  it('lays overrides over the defaults', () => {
    const { config, rejected } = applyOverrides(defaults, {
      'cache.ttlSeconds': 60,
      'query.latenessMinutes': 5,
    });
    expect(rejected).toEqual([]);
    expect(config.cache).toEqual({ ...defaults.cache, ttlSeconds: 60 });
    expect(config.query.latenessMinutes).toBe(5);
    expect(config.s3).toEqual(defaults.s3);
  });

  it('leaves out what it cannot apply and says why', () => {
    const { config, rejected } = applyOverrides(defaults, {
      'cache.ttlSeconds': 0,
      'cache.redis.url': 'redis://elsewhere',
      'query.defaultPageSize': 5000,
      'query.maxBuckets': 10,
    });
    expect(config.cache).toEqual(defaults.cache);
    expect(config.query.defaultPageSize).toBe(100);
    expect(config.query.maxBuckets).toBe(10);
    expect(rejected).toEqual(
      expect.arrayContaining([
        { path: 'cache.ttlSeconds', message: 'must be at least 1' },
        {
          path: 'cache.redis.url',
          message: 'is not a setting admins can change',
        },
        {
          path: 'query.defaultPageSize',
          message: 'must be at most the largest page (1000)',
        },
      ]),
    );
  });
});
