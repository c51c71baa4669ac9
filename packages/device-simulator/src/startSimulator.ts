import { FirehoseClient } from '@aws-sdk/client-firehose';
import {
  DATA_CLASSES,
  DataClass,
} from '@internal/plugin-realtime-insights-common';
import {
  FirehoseSender,
  FirehoseSenderOptions,
  SendResult,
  SimulatorLogger,
} from './FirehoseSender';
import {
  GeneratedRecord,
  SimulatedDevice,
  createFleet,
  encodeRecord,
  generateRecord,
} from './generate';
import { createRng, hashSeed } from './random';

const MINUTE_MS = 60_000;

/** @public */
export type SimulatorOptions = {
  /** A ready client; when given, `endpoint`, `region` and `credentials` are ignored. */
  client?: FirehoseClient;
  /** Firehose endpoint, e.g. `http://127.0.0.1:4573` for firehose-local. */
  endpoint?: string;
  /** Default: the SDK's region chain (AWS_REGION, config); `us-east-1` with an `endpoint`. */
  region?: string;
  /** Default: the AWS SDK's default credential chain. */
  credentials?: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };
  /** Delivery stream per class; default `rti-<class>`. */
  streams?: Partial<Record<DataClass, string>>;
  /** Classes to simulate; default all three. */
  classes?: readonly DataClass[];
  /** Number of simulated devices. */
  devices: number;
  /** Customers owning the devices; default one per three devices. */
  customers?: number;
  /**
   * Simulated minutes per real minute: 1 is real time, 60 makes every device
   * send a simulated minute every real second. Event timestamps follow the
   * simulated clock, which starts at the real time of start.
   */
  timeScale?: number;
  /** Share of malformed records, 0..1. Default 0. */
  badRate?: number;
  /**
   * Load mode: a fixed total of records per real second, round-robin over
   * devices and classes, instead of one record per device, class and
   * simulated minute.
   */
  ratePerSecond?: number;
  /** Stop by itself after this many real seconds. */
  durationSeconds?: number;
  /** Fixes the fleet (device and customer ids, traits). Default 1. */
  seed?: number;
  logger?: SimulatorLogger;
  /** Called after each batch (one class, one tick) settled. */
  onBatch?: (batch: BatchStats) => void;
  /** Real milliseconds between scheduler ticks. Default 1000. */
  tickMs?: number;
  /**
   * Records sent but not yet settled above which new records are dropped
   * (and counted) rather than queued, so a slow endpoint cannot grow memory
   * without bound. Default 50,000.
   */
  maxPendingRecords?: number;
  /** Retry and concurrency tuning of the sender. */
  sender?: Omit<FirehoseSenderOptions, 'client' | 'logger'>;
};

/** Counters of one class, or of all classes together. @public */
export type ClassStats = {
  /** Records handed to Firehose (each counted once, however often retried). */
  sent: number;
  acked: number;
  failedPermanently: number;
  /** Re-sends of records after a failure. */
  retried: number;
  /** Malformed records among `sent`. */
  badInjected: number;
  /** Records not sent because too many were still pending (backpressure). */
  dropped: number;
};

/** @public */
export type SimulatorStats = ClassStats & {
  byClass: Record<DataClass, ClassStats>;
  /** Sent records whose outcome is not known yet. */
  pending: number;
  /** Real seconds since start. */
  elapsedSeconds: number;
  /** The simulated clock, ISO-8601. */
  simulatedTime: string;
};

/** What `onBatch` receives: one batch's outcome. @public */
export type BatchStats = SendResult & {
  dataClass: DataClass;
  stream: string;
};

/** @public */
export type Simulator = {
  /** Stops generating, waits for in-flight records to settle. Idempotent. */
  stop(): Promise<void>;
  stats(): SimulatorStats;
  /**
   * Resolves when the simulator has stopped and flushed: after
   * `durationSeconds`, or after `stop()`.
   */
  done: Promise<void>;
};

type Due = {
  device: SimulatedDevice;
  dataClass: DataClass;
  minuteStart: number;
};

const emptyStats = (): ClassStats => ({
  sent: 0,
  acked: 0,
  failedPermanently: 0,
  retried: 0,
  badInjected: 0,
  dropped: 0,
});

function validate(options: SimulatorOptions) {
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new RangeError(message);
  };
  check(
    Number.isInteger(options.devices) && options.devices >= 1,
    `devices must be a positive integer, got ${options.devices}`,
  );
  const { timeScale, badRate, ratePerSecond, durationSeconds, tickMs } =
    options;
  check(
    timeScale === undefined || (Number.isFinite(timeScale) && timeScale > 0),
    `timeScale must be a positive number, got ${timeScale}`,
  );
  check(
    badRate === undefined ||
      (Number.isFinite(badRate) && badRate >= 0 && badRate <= 1),
    `badRate must be between 0 and 1, got ${badRate}`,
  );
  check(
    ratePerSecond === undefined ||
      (Number.isFinite(ratePerSecond) && ratePerSecond > 0),
    `ratePerSecond must be a positive number, got ${ratePerSecond}`,
  );
  check(
    durationSeconds === undefined ||
      (Number.isFinite(durationSeconds) && durationSeconds > 0),
    `durationSeconds must be a positive number, got ${durationSeconds}`,
  );
  check(
    tickMs === undefined || (Number.isFinite(tickMs) && tickMs > 0),
    `tickMs must be a positive number, got ${tickMs}`,
  );
  for (const c of options.classes ?? []) {
    check(DATA_CLASSES.includes(c), `unknown data class ${c}`);
  }
}

async function buildClient(options: SimulatorOptions): Promise<FirehoseClient> {
  const client = new FirehoseClient({
    endpoint: options.endpoint,
    region:
      options.region ??
      (options.endpoint
        ? process.env.AWS_REGION ??
          process.env.AWS_DEFAULT_REGION ??
          'us-east-1'
        : undefined),
    credentials: options.credentials,
    // The sender owns retries (per record, with backoff); SDK retries on top
    // would multiply the attempts.
    maxAttempts: 1,
  });
  // Fail at start with a clear message, not on every batch.
  try {
    await client.config.region();
  } catch (error) {
    client.destroy();
    throw new Error(
      `No AWS region: pass region (--region) or set AWS_REGION (${
        (error as Error).message
      })`,
    );
  }
  try {
    await client.config.credentials();
  } catch (error) {
    client.destroy();
    throw new Error(
      `No AWS credentials found by the default chain; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (any values for a local endpoint): ${
        (error as Error).message
      }`,
    );
  }
  return client;
}

/**
 * Starts a fleet of simulated devices that send device records to Firehose.
 *
 * Each device sends one record per class per simulated minute at its own
 * phase within the minute, so the fleet's load is spread evenly. Each
 * scheduler tick batches the due records per class into one `send` of the
 * {@link FirehoseSender}.
 *
 * @public
 */
export async function startSimulator(
  options: SimulatorOptions,
): Promise<Simulator> {
  validate(options);
  const timeScale = options.timeScale ?? 1;
  const badRate = options.badRate ?? 0;
  const tickMs = options.tickMs ?? 1000;
  const maxPendingRecords = options.maxPendingRecords ?? 50_000;
  const classes = options.classes ?? DATA_CLASSES;
  const seed = options.seed ?? 1;
  const logger = options.logger;
  const streams = Object.fromEntries(
    DATA_CLASSES.map(c => [c, options.streams?.[c] ?? `rti-${c}`]),
  ) as Record<DataClass, string>;

  const ownsClient = !options.client;
  const client = options.client ?? (await buildClient(options));
  const sender = new FirehoseSender({
    ...options.sender,
    client,
    logger,
  });
  const fleet = createFleet({
    devices: options.devices,
    customers: options.customers,
    seed,
  });

  const realStart = performance.now();
  const simStartMs = Date.now();
  // Real time is kept as milliseconds elapsed since start, so the end of a
  // run is exactly `durationSeconds` (no float drift from absolute clocks).
  const elapsedMs = () => performance.now() - realStart;
  const simTimeAt = (realElapsedMs: number) =>
    simStartMs + realElapsedMs * timeScale;
  // The fleet is fixed by the seed; the event stream also depends on the start
  // time so that two runs with the same seed do not send identical payloads.
  const rng = createRng(hashSeed(seed, simStartMs));

  const totals = emptyStats();
  const byClass = Object.fromEntries(
    DATA_CLASSES.map(c => [c, emptyStats()]),
  ) as Record<DataClass, ClassStats>;
  const bump = (dataClass: DataClass, key: keyof ClassStats, n: number) => {
    totals[key] += n;
    byClass[dataClass][key] += n;
  };

  // The transform derives event ids from (device, class, sentAt), so a
  // device must never send two records of a class with the same sentAt.
  const lastSentAt = new Map<string, number>();
  const withUniqueSentAt = (
    record: GeneratedRecord,
    due: Due,
  ): GeneratedRecord => {
    if (typeof record !== 'object' || typeof record.sentAt !== 'string') {
      return record;
    }
    const key = `${due.device.index}:${due.dataClass}`;
    const previous = lastSentAt.get(key) ?? -Infinity;
    let sentAt = Date.parse(record.sentAt);
    if (sentAt <= previous) {
      sentAt = previous + 1;
      record.sentAt = new Date(sentAt).toISOString();
    }
    lastSentAt.set(key, sentAt);
    return record;
  };

  let lastElapsedMs = 0;
  let loadEmitted = 0;
  let lastDropWarning = -Infinity;

  /** Device sends due in the simulated interval (fromSim, toSim]. */
  const periodicDue = (fromSim: number, toSim: number): Due[] => {
    const due: Due[] = [];
    for (const device of fleet) {
      // Sends happen at simStart + (k + phase) minutes, k = 0, 1, ...
      let k = Math.max(
        0,
        Math.floor((fromSim - simStartMs) / MINUTE_MS - device.phase) + 1,
      );
      for (;;) {
        const sendAt = simStartMs + (k + device.phase) * MINUTE_MS;
        if (sendAt > toSim) break;
        if (sendAt > fromSim) {
          for (const dataClass of classes) {
            due.push({ device, dataClass, minuteStart: sendAt - MINUTE_MS });
          }
        }
        k++;
      }
    }
    return due;
  };

  /** Load mode: records owed at a fixed rate, round-robin. */
  const loadDue = (realElapsedMs: number, toSim: number): Due[] => {
    const owed =
      Math.floor((options.ratePerSecond! * realElapsedMs) / 1000 + 1e-9) -
      loadEmitted;
    const due: Due[] = [];
    for (let i = 0; i < owed; i++) {
      const n = loadEmitted + i;
      due.push({
        dataClass: classes[n % classes.length],
        device: fleet[Math.floor(n / classes.length) % fleet.length],
        minuteStart: toSim - MINUTE_MS,
      });
    }
    loadEmitted += Math.max(0, owed);
    return due;
  };

  const sendBatch = (dataClass: DataClass, due: Due[]) => {
    // One batch always goes out when nothing is pending, however large.
    const pending = sender.pendingRecords;
    if (pending > 0 && pending + due.length > maxPendingRecords) {
      bump(dataClass, 'dropped', due.length);
      if (performance.now() - lastDropWarning > 10_000) {
        lastDropWarning = performance.now();
        logger?.warn(
          `Firehose is not keeping up: over ${maxPendingRecords} records pending, dropping new ${dataClass} records`,
        );
      }
      return;
    }
    const payloads: Buffer[] = [];
    for (const d of due) {
      const bad = badRate > 0 && rng() < badRate;
      const record = generateRecord(
        d.dataClass,
        d.device,
        new Date(d.minuteStart),
        rng,
        { bad },
      );
      if (bad) bump(dataClass, 'badInjected', 1);
      payloads.push(encodeRecord(withUniqueSentAt(record, d)));
    }
    bump(dataClass, 'sent', payloads.length);
    const stream = streams[dataClass];
    void sender.send(stream, payloads).then(result => {
      bump(dataClass, 'acked', result.acked);
      bump(dataClass, 'failedPermanently', result.failedPermanently);
      bump(dataClass, 'retried', result.retried);
      try {
        options.onBatch?.({ ...result, dataClass, stream });
      } catch (error) {
        logger?.error(`onBatch threw: ${(error as Error).message}`);
      }
    });
  };

  const endElapsedMs =
    options.durationSeconds !== undefined
      ? options.durationSeconds * 1000
      : Infinity;
  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>(resolve => {
    resolveDone = resolve;
  });

  const stop = (): Promise<void> => {
    if (!stopping) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      stopping = sender.idle().then(() => {
        if (ownsClient) client.destroy();
        resolveDone();
      });
    }
    return stopping;
  };

  const tick = () => {
    timer = undefined;
    const nowElapsed = Math.min(elapsedMs(), endElapsedMs);
    try {
      const fromSim = simTimeAt(lastElapsedMs);
      const toSim = simTimeAt(nowElapsed);
      const due =
        options.ratePerSecond !== undefined
          ? loadDue(nowElapsed, toSim)
          : periodicDue(fromSim, toSim);
      lastElapsedMs = nowElapsed;
      for (const dataClass of classes) {
        const ofClass = due.filter(d => d.dataClass === dataClass);
        if (ofClass.length > 0) sendBatch(dataClass, ofClass);
      }
    } catch (error) {
      logger?.error(`simulator tick failed: ${(error as Error).stack}`);
    }
    if (nowElapsed >= endElapsedMs) {
      void stop();
    } else if (!stopping) {
      timer = setTimeout(tick, Math.min(tickMs, endElapsedMs - nowElapsed));
    }
  };

  const stats = (): SimulatorStats => {
    const copy = Object.fromEntries(
      DATA_CLASSES.map(c => [c, { ...byClass[c] }]),
    ) as Record<DataClass, ClassStats>;
    return {
      ...totals,
      byClass: copy,
      pending: totals.sent - totals.acked - totals.failedPermanently,
      elapsedSeconds: lastElapsedMs / 1000,
      simulatedTime: new Date(simTimeAt(lastElapsedMs)).toISOString(),
    };
  };

  const rate =
    options.ratePerSecond !== undefined
      ? `${options.ratePerSecond} records/s`
      : `time scale ${timeScale} (~${Math.round(
          (fleet.length * classes.length * timeScale) / 60,
        )} records/s)`;
  logger?.info(
    `device simulator: ${fleet.length} devices, classes ${classes.join(
      ', ',
    )}, ${rate}, ` +
      `bad rate ${badRate}, streams ${classes.map(c => streams[c]).join(', ')}`,
  );
  timer = setTimeout(tick, Math.min(tickMs, endElapsedMs));

  return { stop, stats, done };
}
