import { LoggerService } from '@backstage/backend-plugin-api';
import { EngineStream } from '../src/services/QueryEngine';

/** The day the benchmarks' generated events fall on. */
export const DAY_START = Date.parse('2026-11-20T00:00:00Z');
export const MiB = 1024 * 1024;
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'INR', 'BRL'];

/** The transaction-log stream the benchmarks generate, in `bucket`. */
export function transactionLogStream(bucket: string): EngineStream {
  return {
    name: 'transaction-logs',
    bucket,
    prefix: 'events/',
    firehoseStream: 'rti-transaction-logs',
    timestampField: 'ts',
    measures: ['amount', 'latencyMs'],
    dimensions: ['status', 'currency', 'merchantCategory', 'declineReason'],
  };
}

/** Warnings only: a benchmark's output is its table. */
export const benchLogger: LoggerService = {
  error: (message: string) => console.error(message),
  warn: (message: string) => console.error(message),
  info: () => {},
  debug: () => {},
  child: () => benchLogger,
};
