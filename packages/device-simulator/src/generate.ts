import {
  DataClass,
  DeviceRecord,
  InteractionsRecord,
  MAX_EVENTS_PER_RECORD,
  SensorReadingsRecord,
  TransactionLogsRecord,
} from '@internal/plugin-realtime-insights-common';
import {
  Rng,
  createRng,
  logNormal,
  normal,
  pick,
  pickWeighted,
  poisson,
  randomHex,
  randomInt,
} from './random';

export { createRng } from './random';
export type { Rng } from './random';

/**
 * One simulated phone with an installed app. Its traits are fixed when the
 * fleet is created so that the same device behaves consistently over time
 * (a heavy user stays a heavy user, an American phone keeps reporting °F).
 *
 * @public
 */
export type SimulatedDevice = {
  /** Position in the fleet. */
  index: number;
  deviceId: string;
  customerId: string;
  platform: 'ios' | 'android';
  appVersion: string;
  /**
   * Where in each minute this device sends, as a fraction of the minute in
   * [0, 1). Phases are spread evenly over the fleet so load is smooth.
   */
  phase: number;
  /** How busy the user is; scales interaction and transaction counts (median 1). */
  activity: number;
  /** Offset of the device's local time from UTC, for day/night light levels. */
  utcOffsetMinutes: number;
  temperatureUnit: '°C' | '°F';
  homeCurrency: string;
  /** Battery percentage points lost per minute while discharging. */
  batteryDrainPerMinute: number;
  /** Shifts the charge cycle so devices are not all charging at once. */
  batteryCycleOffsetMinutes: number;
};

/** What kind of breakage a malformed record carries. */
export type MalformedKind =
  | 'invalid-json'
  | 'missing-field'
  | 'wrong-type'
  | 'wrong-schema'
  | 'no-events';

/** @public */
export const MALFORMED_KINDS: readonly MalformedKind[] = [
  'invalid-json',
  'missing-field',
  'wrong-type',
  'wrong-schema',
  'no-events',
];

/**
 * What `generateRecord` returns: a valid {@link DeviceRecord}; or, for a bad
 * record, either a JSON object that fails the schema or — for the
 * `invalid-json` kind — a string that is not JSON at all.
 *
 * @public
 */
export type GeneratedRecord = DeviceRecord | Record<string, unknown> | string;

const MINUTE_MS = 60_000;

// Home currencies of the fleet and their rough value per US dollar (for
// amounts that look plausible in each currency) and minor-unit digits.
const CURRENCIES: Record<
  string,
  { weight: number; perUsd: number; digits: number }
> = {
  USD: { weight: 40, perUsd: 1, digits: 2 },
  EUR: { weight: 25, perUsd: 0.92, digits: 2 },
  GBP: { weight: 10, perUsd: 0.79, digits: 2 },
  JPY: { weight: 6, perUsd: 150, digits: 0 },
  CAD: { weight: 5, perUsd: 1.36, digits: 2 },
  AUD: { weight: 4, perUsd: 1.52, digits: 2 },
  INR: { weight: 4, perUsd: 83, digits: 2 },
  BRL: { weight: 3, perUsd: 5, digits: 2 },
  CHF: { weight: 2, perUsd: 0.88, digits: 2 },
  SEK: { weight: 1, perUsd: 10.5, digits: 2 },
};
const CURRENCY_WEIGHTS = Object.entries(CURRENCIES).map(
  ([code, { weight }]) => [code, weight] as const,
);

// Screens in order of popularity; weights follow a Zipf-like law, so a few
// screens get most of the traffic as in real apps.
const SCREENS = [
  'home',
  'product-list',
  'product-detail',
  'search',
  'cart',
  'checkout',
  'orders',
  'profile',
  'notifications',
  'settings',
  'wishlist',
  'help',
  'onboarding',
] as const;
const SCREEN_WEIGHTS = SCREENS.map(
  (screen, rank) => [screen, 1 / Math.pow(rank + 1, 1.2)] as const,
);

const INTERACTION_TYPES = [
  ['tap', 42],
  ['scroll', 24],
  ['view', 18],
  ['swipe', 10],
  ['search', 6],
] as const;

const TAP_ELEMENTS = [
  'button-primary',
  'button-back',
  'tab-bar',
  'list-item',
  'banner',
  'menu',
  'add-to-cart',
  'buy-now',
  'filter',
  'share',
] as const;

const MERCHANT_CATEGORIES = [
  ['grocery', 24],
  ['restaurants', 18],
  ['transport', 14],
  ['fashion', 10],
  ['electronics', 8],
  ['digital-goods', 8],
  ['entertainment', 7],
  ['utilities', 6],
  ['travel', 5],
] as const;

const DECLINE_REASONS = [
  ['insufficient-funds', 40],
  ['do-not-honor', 20],
  ['suspected-fraud', 10],
  ['card-expired', 10],
  ['incorrect-cvc', 10],
  ['limit-exceeded', 10],
] as const;

const APP_VERSIONS = [
  ['4.12.0', 45],
  ['4.11.2', 30],
  ['4.10.5', 15],
  ['4.9.0', 10],
] as const;

/** A UUID-shaped (version 4 layout) id from the seeded generator. */
function uuidFrom(rng: Rng): string {
  const hex = randomHex(rng, 32).split('');
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(rng() * 4)];
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(
    16,
    20,
  )}-${s.slice(20)}`;
}

/**
 * Creates a fleet of simulated devices. Pure: the same options always give the
 * same fleet, so restarts of the simulator keep the same device and customer
 * ids (distinct-device counts stay meaningful).
 *
 * @param options.devices - number of devices (at least 1)
 * @param options.customers - number of customers owning them; default one per
 *   three devices. Ownership is skewed: a few customers own many devices.
 * @param options.seed - default 1
 * @public
 */
export function createFleet(options: {
  devices: number;
  customers?: number;
  seed?: number;
}): SimulatedDevice[] {
  const { devices } = options;
  if (!Number.isInteger(devices) || devices < 1) {
    throw new RangeError(`devices must be a positive integer, got ${devices}`);
  }
  const customers = options.customers ?? Math.max(1, Math.ceil(devices / 3));
  if (!Number.isInteger(customers) || customers < 1) {
    throw new RangeError(
      `customers must be a positive integer, got ${customers}`,
    );
  }
  const rng = createRng(options.seed ?? 1);
  const customerIds = Array.from(
    { length: customers },
    () => `cust-${randomHex(rng, 12)}`,
  );

  return Array.from({ length: devices }, (_, index): SimulatedDevice => {
    // Every customer owns at least one device while there are enough; the
    // rest go mostly to the first customers (squared uniform skews low).
    const customerIndex =
      index < customers ? index : Math.floor(rng() * rng() * customers);
    const homeCurrency = pickWeighted(rng, CURRENCY_WEIGHTS);
    const usesFahrenheit = homeCurrency === 'USD' ? rng() < 0.85 : rng() < 0.02;
    return {
      index,
      deviceId: uuidFrom(rng),
      customerId: customerIds[customerIndex],
      platform: rng() < 0.55 ? 'android' : 'ios',
      appVersion: pickWeighted(rng, APP_VERSIONS),
      // Stratified: one device per equal slice of the minute, jittered
      // within its slice, so sends are spread evenly without a lockstep grid.
      phase: (index + rng()) / devices,
      activity: Math.min(8, Math.max(0.1, logNormal(rng, 1, 0.6))),
      utcOffsetMinutes: 60 * randomInt(rng, -8, 9),
      temperatureUnit: usesFahrenheit ? '°F' : '°C',
      homeCurrency,
      batteryDrainPerMinute: Math.max(0.02, logNormal(rng, 0.12, 0.4)),
      batteryCycleOffsetMinutes: Math.floor(rng() * 24 * 60),
    };
  });
}

/** Sorted event times (epoch ms) inside the minute starting at `start`. */
function eventTimes(rng: Rng, start: number, count: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    times.push(start + Math.floor(rng() * MINUTE_MS));
  }
  return times.sort((a, b) => a - b);
}

const iso = (ms: number) => new Date(ms).toISOString();
const clampCount = (n: number) =>
  Math.max(1, Math.min(MAX_EVENTS_PER_RECORD, n));
const round = (value: number, digits: number) => {
  const f = Math.pow(10, digits);
  return Math.round(value * f) / f;
};

function interactionEvents(
  device: SimulatedDevice,
  start: number,
  rng: Rng,
): InteractionsRecord['events'] {
  const count = clampCount(poisson(rng, 10 * device.activity));
  let screen: string = pickWeighted(rng, SCREEN_WEIGHTS);
  return eventTimes(rng, start, count).map((at, i) => {
    // Users mostly stay on a screen; a change of screen is a `view`.
    const changesScreen = i > 0 && rng() < 0.2;
    if (changesScreen) screen = pickWeighted(rng, SCREEN_WEIGHTS);
    let type = pickWeighted(rng, INTERACTION_TYPES);
    if (i === 0 || changesScreen) type = 'view';
    else if (screen === 'search' && rng() < 0.4) type = 'search';
    switch (type) {
      case 'view':
        return {
          at: iso(at),
          type,
          screen,
          durationMs: Math.min(
            3_600_000,
            Math.round(logNormal(rng, 7000, 0.9)),
          ),
        };
      case 'tap':
        return { at: iso(at), type, screen, element: pick(rng, TAP_ELEMENTS) };
      case 'scroll':
        return {
          at: iso(at),
          type,
          screen,
          durationMs: Math.round(logNormal(rng, 1200, 0.7)),
        };
      case 'swipe':
        return {
          at: iso(at),
          type,
          screen,
          element: rng() < 0.6 ? 'carousel' : 'list-item',
          durationMs: Math.round(logNormal(rng, 280, 0.4)),
        };
      default:
        return {
          at: iso(at),
          type,
          screen,
          element: 'search-box',
          durationMs: Math.round(logNormal(rng, 3500, 0.6)),
        };
    }
  });
}

/**
 * Battery level as a pure function of time: a sawtooth that drains at the
 * device's rate down to ~15 %, then charges back to 100 % in about an hour.
 */
function batteryLevel(device: SimulatedDevice, atMs: number): number {
  const dischargeMinutes = 85 / device.batteryDrainPerMinute;
  const chargeMinutes = 60;
  const period = dischargeMinutes + chargeMinutes;
  const minute = atMs / MINUTE_MS + device.batteryCycleOffsetMinutes;
  const t = ((minute % period) + period) % period;
  return t < dischargeMinutes
    ? 100 - device.batteryDrainPerMinute * t
    : 15 + (85 * (t - dischargeMinutes)) / chargeMinutes;
}

function sensorEvents(
  device: SimulatedDevice,
  start: number,
  rng: Rng,
): SensorReadingsRecord['events'] {
  // One motion state per minute: lying still, in a vehicle, or walking.
  const motion = pickWeighted(rng, [
    [0.05, 55],
    [0.6, 15],
    [1.8, 30],
  ] as const);
  const localHour =
    ((((start / MINUTE_MS + device.utcOffsetMinutes) / 60) % 24) + 24) % 24;
  const daylight = localHour >= 7 && localHour < 19;
  const events: SensorReadingsRecord['events'] = [];
  const add = (
    sensor: SensorReadingsRecord['events'][number]['sensor'],
    times: number[],
    reading: (at: number) => { value: number; unit: string },
  ) => {
    for (const at of times)
      events.push({ at: iso(at), sensor, ...reading(at) });
  };

  add('accelerometer', eventTimes(rng, start, randomInt(rng, 1, 6)), () => ({
    // Magnitude including gravity.
    value: round(Math.abs(9.81 + normal(rng, 0, motion)), 3),
    unit: 'm/s2',
  }));
  add('gyroscope', eventTimes(rng, start, randomInt(rng, 1, 6)), () => ({
    value: round(Math.abs(normal(rng, 0, motion * 0.4)), 4),
    unit: 'rad/s',
  }));
  add('temperature', eventTimes(rng, start, 1), () => {
    // Phone temperature runs warmer when busy.
    const celsius = normal(rng, 29 + 2 * Math.min(device.activity, 3), 2.5);
    return device.temperatureUnit === '°F'
      ? { value: round((celsius * 9) / 5 + 32, 1), unit: '°F' }
      : { value: round(celsius, 1), unit: '°C' };
  });
  add('battery', eventTimes(rng, start, 1), at => ({
    value: Math.max(1, Math.min(100, Math.round(batteryLevel(device, at)))),
    unit: '%',
  }));
  if (rng() < 0.8) {
    const outdoors = daylight && rng() < 0.25;
    let median = daylight ? 300 : 8;
    if (outdoors) median = 12_000;
    add('light', eventTimes(rng, start, randomInt(rng, 1, 2)), () => ({
      value: round(Math.min(120_000, logNormal(rng, median, 0.8)), 1),
      unit: 'lx',
    }));
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

function transactionEvents(
  device: SimulatedDevice,
  start: number,
  rng: Rng,
): TransactionLogsRecord['events'] {
  const count = clampCount(1 + poisson(rng, 0.4 * device.activity));
  return eventTimes(rng, start, count).map(at => {
    const currency =
      rng() < 0.85 ? device.homeCurrency : pickWeighted(rng, CURRENCY_WEIGHTS);
    const { perUsd, digits } = CURRENCIES[currency];
    const usd = Math.min(50_000, logNormal(rng, 28, 1.0));
    const amount = Math.max(round(usd * perUsd, digits), 0);
    // Large purchases are declined a little more often.
    const declineChance = usd > 1000 ? 0.12 : 0.05;
    const r = rng();
    let status: 'approved' | 'declined' | 'pending' = 'approved';
    if (r < declineChance) status = 'declined';
    else if (r < declineChance + 0.02) status = 'pending';
    const latencyMs = Math.min(
      600_000,
      Math.round(logNormal(rng, status === 'pending' ? 1500 : 320, 0.6)),
    );
    return {
      at: iso(at),
      // The time part keeps ids unique across simulator runs that share a seed.
      transactionId: `txn_${at.toString(36)}${randomHex(rng, 12)}`,
      amount,
      currency,
      status,
      latencyMs,
      merchantCategory: pickWeighted(rng, MERCHANT_CATEGORIES),
      ...(status === 'declined'
        ? { declineReason: pickWeighted(rng, DECLINE_REASONS) }
        : {}),
    };
  });
}

function goodRecord(
  dataClass: DataClass,
  device: SimulatedDevice,
  start: number,
  rng: Rng,
): DeviceRecord {
  // The device uploads shortly after the minute closes.
  const sentAt = iso(
    start + MINUTE_MS + Math.round(Math.min(5000, logNormal(rng, 150, 0.8))),
  );
  const envelope = {
    deviceId: device.deviceId,
    customerId: device.customerId,
    sentAt,
  };
  switch (dataClass) {
    case 'interactions':
      return {
        schema: 'interactions/v1',
        ...envelope,
        events: interactionEvents(device, start, rng),
      };
    case 'sensor-readings':
      return {
        schema: 'sensor-readings/v1',
        ...envelope,
        events: sensorEvents(device, start, rng),
      };
    case 'transaction-logs':
      return {
        schema: 'transaction-logs/v1',
        ...envelope,
        events: transactionEvents(device, start, rng),
      };
    default:
      throw new TypeError(`unknown data class ${String(dataClass)}`);
  }
}

function malformedRecord(
  dataClass: DataClass,
  good: DeviceRecord,
  rng: Rng,
): Record<string, unknown> | string {
  const record: Record<string, unknown> = { ...good };
  const kind = pick(rng, MALFORMED_KINDS);
  switch (kind) {
    case 'invalid-json': {
      // A prefix of an object's JSON never parses: the closing brace is gone.
      const text = JSON.stringify(good);
      return text.slice(0, randomInt(rng, 1, text.length - 1));
    }
    case 'missing-field':
      delete record[pick(rng, ['deviceId', 'customerId', 'sentAt', 'events'])];
      return record;
    case 'wrong-type':
      switch (randomInt(rng, 0, 2)) {
        case 0:
          record.sentAt = Date.parse(good.sentAt); // epoch number, not ISO
          break;
        case 1:
          record.deviceId = 1000 + randomInt(rng, 0, 9000);
          break;
        default:
          record.events = { ...good.events }; // object, not array
      }
      return record;
    case 'wrong-schema': {
      // Either a version nobody knows or another class's schema name.
      const other = pick(
        rng,
        (
          ['interactions', 'sensor-readings', 'transaction-logs'] as const
        ).filter(c => c !== dataClass),
      );
      record.schema = rng() < 0.5 ? `${dataClass}/v2` : `${other}/v1`;
      return record;
    }
    default:
      record.events = [];
      return record;
  }
}

/**
 * Generates one device record: one minute (starting at `minuteStart`) of one
 * class's events from one device, as the mobile SDK would send it. Pure: all
 * randomness comes from `rng`, so a seeded `rng` gives the same record.
 *
 * Events lie inside the minute, sorted by time; `sentAt` is shortly after the
 * minute ends.
 *
 * @returns a valid {@link DeviceRecord} unless `options.bad` is set. With
 *   `bad: true` it returns a malformed record of a random kind: a JSON object
 *   that fails `deviceRecordSchema` (missing field, wrong type, wrong schema,
 *   no events) or, for the invalid-JSON kind, a `string` that does not parse.
 *   Use {@link encodeRecord} to turn either into Firehose record bytes.
 * @public
 */
export function generateRecord(
  dataClass: DataClass,
  device: SimulatedDevice,
  minuteStart: Date,
  rng: Rng,
): DeviceRecord;
export function generateRecord(
  dataClass: DataClass,
  device: SimulatedDevice,
  minuteStart: Date,
  rng: Rng,
  options: { bad?: boolean },
): GeneratedRecord;
export function generateRecord(
  dataClass: DataClass,
  device: SimulatedDevice,
  minuteStart: Date,
  rng: Rng,
  options?: { bad?: boolean },
): GeneratedRecord {
  const good = goodRecord(dataClass, device, minuteStart.getTime(), rng);
  return options?.bad ? malformedRecord(dataClass, good, rng) : good;
}

/**
 * The bytes of a record as sent to Firehose: JSON followed by a newline (so
 * records stay separable if a stream delivers without the transform); strings
 * (malformed records) are sent as they are.
 *
 * @public
 */
export function encodeRecord(record: GeneratedRecord): Buffer {
  return typeof record === 'string'
    ? Buffer.from(record, 'utf8')
    : Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
}
