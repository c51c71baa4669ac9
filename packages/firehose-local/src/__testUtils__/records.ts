import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A valid `interactions/v1` device record with `events` events. */
export function interactionsRecord(device: number, events = 2) {
  const sentAt = new Date(Date.UTC(2026, 10, 23, 10, device % 60, 0));
  return {
    schema: 'interactions/v1',
    deviceId: `dev-${device}`,
    customerId: `cust-${device % 7}`,
    sentAt: sentAt.toISOString(),
    events: Array.from({ length: events }, (_, i) => ({
      at: new Date(sentAt.getTime() - (events - i) * 1000).toISOString(),
      type: 'tap',
      screen: `screen-${i}`,
    })),
  };
}

export const toData = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

export const tempDir = (name: string) =>
  mkdtempSync(path.join(tmpdir(), `firehose-local-${name}-`));

/** Polls until `check` returns a value (no timing assertion: just waits). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 20000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}
