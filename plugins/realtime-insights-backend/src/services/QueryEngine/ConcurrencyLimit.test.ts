import { ConcurrencyLimit } from './ConcurrencyLimit';

describe('ConcurrencyLimit', () => {
  it('keeps at most the limit in flight across callers, and every call completes', async () => {
    let limit = 3;
    const gate = new ConcurrencyLimit(() => limit);
    let peak = 0;
    const task = (value: number) =>
      gate.run(async () => {
        peak = Math.max(peak, gate.inFlight);
        await new Promise(r => setTimeout(r, 1 + (value % 3)));
        return value;
      });
    // Two callers of their own, as two queries sharing one engine.
    const first = Promise.all(Array.from({ length: 20 }, (_, i) => task(i)));
    const second = Promise.all(
      Array.from({ length: 20 }, (_, i) => task(100 + i)),
    );
    expect(await first).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await second).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    expect(peak).toBe(3);

    limit = 1; // a changed setting applies to the next calls
    peak = 0;
    await Promise.all(Array.from({ length: 5 }, (_, i) => task(i)));
    expect(peak).toBe(1);
  });

  it('frees the slot of a call that fails', async () => {
    const gate = new ConcurrencyLimit(() => 1);
    await expect(
      gate.run(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
    expect(gate.inFlight).toBe(0);
  });
});
