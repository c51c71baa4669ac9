import { parseArgs } from 'node:util';
import type { SimulatorOptions } from './startSimulator';

/** A command-line mistake; the message is meant for the user. */
export class CliUsageError extends Error {
  name = 'CliUsageError';
}

export const USAGE = `Usage: device-simulator [options]

Simulated mobile devices sending interactions, sensor readings and
transaction logs to Amazon Data Firehose (or firehose-local) with
PutRecordBatch. Delivery streams: rti-interactions, rti-sensor-readings,
rti-transaction-logs.

Options:
  --endpoint <url>       Firehose endpoint, e.g. http://127.0.0.1:4573
                         (default: the AWS endpoint of the region)
  --region <region>      AWS region (default: AWS_REGION, or us-east-1 with --endpoint)
  --devices <n>          simulated devices (default 1000)
  --time-scale <x>       simulated minutes per real minute (default 1;
                         60 = every device sends each class every second)
  --bad-rate <0..1>      share of malformed records (default 0)
  --rate <n>             load mode: n records per second in total instead of
                         one per device, class and minute
  --duration <seconds>   stop after this many seconds (default: run until Ctrl-C)
  --seed <n>             fleet seed: same seed, same device ids (default 1)
  --help                 show this help

Credentials come from the AWS SDK's default chain (AWS_PROFILE,
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, instance roles). For a local
endpoint any values do, e.g. AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local.
`;

export type CliCommand =
  | { help: true }
  | {
      help: false;
      options: Omit<SimulatorOptions, 'logger' | 'onBatch' | 'client'>;
    };

function numberFlag(
  name: string,
  raw: string | undefined,
  check: {
    integer?: boolean;
    min?: number;
    max?: number;
    minExclusive?: number;
  },
): number | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim() === '' ? NaN : Number(raw);
  const kind = check.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (check.integer && !Number.isInteger(value))) {
    throw new CliUsageError(`--${name} must be ${kind}, got '${raw}'`);
  }
  if (check.min !== undefined && value < check.min) {
    throw new CliUsageError(
      `--${name} must be at least ${check.min}, got ${raw}`,
    );
  }
  if (check.max !== undefined && value > check.max) {
    throw new CliUsageError(
      `--${name} must be at most ${check.max}, got ${raw}`,
    );
  }
  if (check.minExclusive !== undefined && value <= check.minExclusive) {
    throw new CliUsageError(
      `--${name} must be greater than ${check.minExclusive}, got ${raw}`,
    );
  }
  return value;
}

/** Parses and validates the command line (without `node` and the script). */
export function parseCliArgs(argv: string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        endpoint: { type: 'string' },
        region: { type: 'string' },
        devices: { type: 'string' },
        'time-scale': { type: 'string' },
        'bad-rate': { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help) return { help: true };

  if (values.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(values.endpoint);
    } catch {
      throw new CliUsageError(
        `--endpoint must be a URL such as http://127.0.0.1:4573, got '${values.endpoint}'`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CliUsageError(
        `--endpoint must be an http:// or https:// URL, got '${values.endpoint}'`,
      );
    }
  }
  if (values.region !== undefined && !/^[a-z0-9-]+$/.test(values.region)) {
    throw new CliUsageError(
      `--region must look like us-east-1, got '${values.region}'`,
    );
  }

  return {
    help: false,
    options: {
      endpoint: values.endpoint,
      region: values.region,
      devices:
        numberFlag('devices', values.devices, { integer: true, min: 1 }) ??
        1000,
      timeScale: numberFlag('time-scale', values['time-scale'], {
        minExclusive: 0,
      }),
      badRate: numberFlag('bad-rate', values['bad-rate'], { min: 0, max: 1 }),
      ratePerSecond: numberFlag('rate', values.rate, { minExclusive: 0 }),
      durationSeconds: numberFlag('duration', values.duration, {
        minExclusive: 0,
      }),
      seed: numberFlag('seed', values.seed, { integer: true }),
    },
  };
}
