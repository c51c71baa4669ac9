import {
  DATA_CLASSES,
  deviceRecordSchema,
} from '@internal/plugin-realtime-insights-common';
import {
  createFleet,
  createRng,
  encodeRecord,
  generateRecord,
} from './generate';

const MINUTE = new Date('2026-03-14T09:26:00.000Z');

function parseEncoded(record: unknown): unknown {
  try {
    return JSON.parse(encodeRecord(record as any).toString('utf8'));
  } catch {
    return undefined; // not JSON
  }
}

describe('createFleet', () => {
  it('is deterministic per seed and different across seeds', () => {
    expect(createFleet({ devices: 50, seed: 7 })).toEqual(
      createFleet({ devices: 50, seed: 7 }),
    );
    expect(createFleet({ devices: 50, seed: 8 })[0].deviceId).not.toEqual(
      createFleet({ devices: 50, seed: 7 })[0].deviceId,
    );
  });

  it('spreads phases evenly over the minute and ids are unique', () => {
    const fleet = createFleet({ devices: 600, customers: 100, seed: 3 });
    expect(new Set(fleet.map(d => d.deviceId)).size).toBe(600);
    expect(new Set(fleet.map(d => d.customerId)).size).toBe(100);
    // Each tenth of the minute holds a tenth of the devices.
    const slices = new Array(10).fill(0);
    for (const d of fleet) {
      expect(d.phase).toBeGreaterThanOrEqual(0);
      expect(d.phase).toBeLessThan(1);
      slices[Math.floor(d.phase * 10)]++;
    }
    expect(slices).toEqual(new Array(10).fill(60));
  });

  it('rejects a non-positive device count', () => {
    expect(() => createFleet({ devices: 0 })).toThrow(/devices/);
  });
});

describe('generateRecord', () => {
  const fleet = createFleet({ devices: 40, seed: 11 });

  it.each(DATA_CLASSES)(
    'makes %s records that pass the schema over many seeds',
    dataClass => {
      for (let seed = 0; seed < 300; seed++) {
        const rng = createRng(seed);
        const device = fleet[seed % fleet.length];
        const record = generateRecord(dataClass, device, MINUTE, rng);
        const parsed = deviceRecordSchema.safeParse(parseEncoded(record));
        if (!parsed.success) {
          throw new Error(
            `seed ${seed}: ${JSON.stringify(parsed.error.issues[0])}`,
          );
        }
        expect(record.schema).toBe(`${dataClass}/v1`);
        expect(record.deviceId).toBe(device.deviceId);
        expect(record.customerId).toBe(device.customerId);
        expect(record.events.length).toBeGreaterThanOrEqual(1);
        const start = MINUTE.getTime();
        for (const event of record.events) {
          const at = Date.parse(event.at);
          expect(at).toBeGreaterThanOrEqual(start);
          expect(at).toBeLessThan(start + 60_000);
        }
        expect(Date.parse(record.sentAt)).toBeGreaterThanOrEqual(
          start + 60_000,
        );
      }
    },
  );

  it('is deterministic for the same rng seed', () => {
    for (const dataClass of DATA_CLASSES) {
      const a = generateRecord(dataClass, fleet[3], MINUTE, createRng(42), {
        bad: false,
      });
      const b = generateRecord(dataClass, fleet[3], MINUTE, createRng(42), {
        bad: false,
      });
      expect(a).toEqual(b);
      const c = generateRecord(dataClass, fleet[3], MINUTE, createRng(43));
      expect(c).not.toEqual(a);
    }
  });

  it('makes bad records that fail the schema or are not JSON, of varied kinds', () => {
    const notJsonTypes: string[] = [];
    const schemaPasses: boolean[] = [];
    for (let seed = 0; seed < 600; seed++) {
      const dataClass = DATA_CLASSES[seed % 3];
      const record = generateRecord(
        dataClass,
        fleet[seed % fleet.length],
        MINUTE,
        createRng(seed),
        { bad: true },
      );
      const json = parseEncoded(record);
      if (json === undefined) notJsonTypes.push(typeof record);
      else schemaPasses.push(deviceRecordSchema.safeParse(json).success);
    }
    // Invalid JSON comes as a string; every JSON one fails the schema.
    expect(new Set(notJsonTypes)).toEqual(new Set(['string']));
    expect(schemaPasses.every(passes => !passes)).toBe(true);
    // Both families show up (the kinds are chosen uniformly from five).
    expect(notJsonTypes.length).toBeGreaterThan(60);
    expect(schemaPasses.length).toBeGreaterThan(300);
  });

  it('has sane distributions', () => {
    const rng = createRng(2024);
    const big = createFleet({ devices: 500, seed: 5 });
    let transactions = 0;
    let declined = 0;
    let declinedWithReason = 0;
    const currencies = new Map<string, number>();
    const screens = new Map<string, number>();
    const batteries: number[] = [];
    let fahrenheit = 0;
    let temperatures = 0;
    const celsius: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const device = big[i % big.length];
      const tx = generateRecord('transaction-logs', device, MINUTE, rng);
      for (const e of tx.events as any[]) {
        transactions++;
        currencies.set(e.currency, (currencies.get(e.currency) ?? 0) + 1);
        if (e.status === 'declined') {
          declined++;
          if (e.declineReason) declinedWithReason++;
        }
        expect(e.latencyMs).toBeGreaterThanOrEqual(0);
      }
      if (i < 1000) {
        const ui = generateRecord('interactions', device, MINUTE, rng);
        for (const e of ui.events as any[]) {
          screens.set(e.screen, (screens.get(e.screen) ?? 0) + 1);
        }
        const sensors = generateRecord('sensor-readings', device, MINUTE, rng);
        for (const e of sensors.events as any[]) {
          if (e.sensor === 'battery') batteries.push(e.value);
          if (e.sensor === 'temperature') {
            temperatures++;
            if (e.unit === '°F') fahrenheit++;
            celsius.push(e.unit === '°F' ? ((e.value - 32) * 5) / 9 : e.value);
          }
        }
      }
    }
    const declineShare = declined / transactions;
    expect(declineShare).toBeGreaterThan(0.03);
    expect(declineShare).toBeLessThan(0.08);
    expect(declinedWithReason).toBe(declined);
    // Currencies are weighted: USD leads, EUR second, all ISO codes.
    const ranked = [...currencies.entries()].sort((a, b) => b[1] - a[1]);
    expect(ranked[0][0]).toBe('USD');
    expect(ranked[1][0]).toBe('EUR');
    // Screen popularity is skewed: the top screen gets far more than the median.
    const counts = [...screens.values()].sort((a, b) => b - a);
    expect(counts[0]).toBeGreaterThan(
      3 * counts[Math.floor(counts.length / 2)],
    );
    // Some but not most devices report °F.
    expect(fahrenheit / temperatures).toBeGreaterThan(0.1);
    expect(fahrenheit / temperatures).toBeLessThan(0.6);
    // Phone temperatures, whichever unit they came in.
    expect(Math.min(...celsius)).toBeGreaterThan(15);
    expect(Math.max(...celsius)).toBeLessThan(50);
    for (const level of batteries) {
      expect(level).toBeGreaterThanOrEqual(1);
      expect(level).toBeLessThanOrEqual(100);
    }
  });

  it('drains the battery over time while discharging', () => {
    const device = { ...createFleet({ devices: 1, seed: 9 })[0] };
    device.batteryCycleOffsetMinutes = 0;
    device.batteryDrainPerMinute = 0.2;
    const level = (minute: number) => {
      const record = generateRecord(
        'sensor-readings',
        device,
        new Date(Date.UTC(2026, 0, 1) + minute * 60_000),
        createRng(minute),
      );
      return (record.events as any[]).find(e => e.sensor === 'battery').value;
    };
    // Sample well within one discharge period (85 / 0.2 = 425 minutes).
    const epochMinute = Date.UTC(2026, 0, 1) / 60_000;
    const period = 85 / 0.2 + 60;
    const cycleStart = Math.ceil(epochMinute / period) * period - epochMinute;
    expect(level(cycleStart + 10)).toBeGreaterThan(level(cycleStart + 200));
  });
});
