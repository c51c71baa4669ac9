import {
  bucketChoices,
  canBeLive,
  effectiveBucket,
  formatDuration,
  fromLocalInputValue,
  isLiveByDefault,
  previousPeriod,
  resolveRange,
  timeZoneLabel,
  toLocalInputValue,
} from './timeRange';

const NOW = Date.parse('2026-11-23T10:07:30.000Z');
const HOUR = 3_600_000;

describe('timeRange', () => {
  it('resolves presets to a range ending now and custom ranges as given', () => {
    expect(resolveRange({ preset: '15m' }, NOW)).toEqual({
      from: '2026-11-23T09:52:30.000Z',
      to: '2026-11-23T10:07:30.000Z',
      spanMs: 15 * 60_000,
    });
    expect(resolveRange({ preset: '7d' }, NOW).from).toBe(
      '2026-11-16T10:07:30.000Z',
    );
    expect(
      resolveRange({ preset: 'custom', fromMs: NOW - HOUR, toMs: NOW }, 0),
    ).toEqual({
      from: '2026-11-23T09:07:30.000Z',
      to: '2026-11-23T10:07:30.000Z',
      spanMs: HOUR,
    });
  });

  it('is live by default only for short ranges, and never for custom ones', () => {
    expect(isLiveByDefault({ preset: '15m' })).toBe(true);
    expect(isLiveByDefault({ preset: '1h' })).toBe(true);
    expect(isLiveByDefault({ preset: '24h' })).toBe(false);
    expect(isLiveByDefault({ preset: '7d' })).toBe(false);
    const custom = { preset: 'custom' as const, fromMs: 0, toMs: HOUR };
    expect(isLiveByDefault(custom)).toBe(false);
    expect(canBeLive(custom)).toBe(false);
    expect(canBeLive({ preset: '7d' })).toBe(true);
  });

  it('picks the default bucket for the range unless a fitting one is chosen', () => {
    expect(effectiveBucket('auto', 15 * 60_000)).toBe('1m');
    expect(effectiveBucket('auto', 24 * HOUR)).toBe('15m');
    expect(effectiveBucket('auto', 7 * 24 * HOUR)).toBe('6h');
    expect(effectiveBucket('5m', 24 * HOUR)).toBe('5m');
    // 1m over 7 days would be 10,080 buckets: back to the default.
    expect(effectiveBucket('1m', 7 * 24 * HOUR)).toBe('6h');
    expect(bucketChoices(24 * HOUR)).toEqual(['1m', '5m', '15m', '1h', '6h']);
    expect(bucketChoices(15 * 60_000)).toEqual(['1m', '5m']);
  });

  it('shifts the previous period by whole buckets', () => {
    const window = resolveRange({ preset: '1h' }, NOW);
    expect(previousPeriod(window, '1m')).toEqual({
      from: '2026-11-23T08:07:30.000Z',
      to: '2026-11-23T09:07:30.000Z',
      spanMs: HOUR,
      shiftMs: HOUR,
    });
    // 50 minutes in 15-minute buckets: shifted by 60 minutes to line up.
    const custom = resolveRange(
      { preset: 'custom', fromMs: NOW - 50 * 60_000, toMs: NOW },
      0,
    );
    expect(previousPeriod(custom, '15m').shiftMs).toBe(HOUR);
  });

  it('names the time zone with its offset', () => {
    expect(timeZoneLabel(NOW, 'UTC')).toBe('UTC (UTC+00:00)');
    expect(timeZoneLabel(NOW, 'Europe/Berlin')).toBe(
      'Europe/Berlin (UTC+01:00)',
    );
    expect(
      timeZoneLabel(Date.parse('2026-07-01T00:00:00Z'), 'Europe/Berlin'),
    ).toBe('Europe/Berlin (UTC+02:00)');
  });

  it('round-trips datetime-local values in local time', () => {
    const ms = new Date(2026, 10, 23, 9, 5).getTime();
    expect(toLocalInputValue(ms)).toBe('2026-11-23T09:05');
    expect(fromLocalInputValue('2026-11-23T09:05')).toBe(ms);
    expect(fromLocalInputValue('')).toBeNaN();
  });

  it('formats ages and lags', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(600)).toBe('10 min');
    expect(formatDuration(5 * 3600)).toBe('5 h');
    expect(formatDuration(3 * 86400)).toBe('3 d');
    expect(formatDuration(-3)).toBe('0 s');
  });
});
