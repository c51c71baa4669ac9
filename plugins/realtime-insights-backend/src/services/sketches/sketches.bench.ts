/* eslint-disable no-console */
/**
 * Throughput and encoding sizes of the sketches. Not a test; run from the
 * repository root:
 *
 *   node --import tsx plugins/realtime-insights-backend/src/services/sketches/sketches.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { HyperLogLog } from './HyperLogLog';
import { QuantileSketch } from './QuantileSketch';

function rate(label: string, operations: number, run: () => void): void {
  run(); // warm-up
  const start = performance.now();
  run();
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${label.padEnd(44)} ${(operations / seconds / 1e6).toFixed(1)} M/s`,
  );
}

const keys = Array.from(
  { length: 100_000 },
  (_, i) => `device-${(i * 2654435761) % 1e9}:sensor-${i % 97}`,
);
const unicodeKeys = keys.map(key => `${key}-température`);
const latencies = Array.from({ length: 100_000 }, (_, i) => {
  const u = ((i * 0.6180339887) % 1) + 1e-9;
  const v = ((i * 0.7548776662) % 1) + 1e-9;
  return Math.exp(3 + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
});

const ROUNDS = 20;
rate('HyperLogLog.add (ASCII keys, dense)', ROUNDS * keys.length, () => {
  const sketch = new HyperLogLog();
  for (let r = 0; r < ROUNDS; r++) for (const key of keys) sketch.add(key);
});
rate('HyperLogLog.add (non-ASCII keys)', ROUNDS * keys.length, () => {
  const sketch = new HyperLogLog();
  for (let r = 0; r < ROUNDS; r++)
    for (const key of unicodeKeys) sketch.add(key);
});
rate('HyperLogLog.add (200 keys/sketch, sparse)', 5_000 * 200, () => {
  for (let s = 0; s < 5_000; s++) {
    const sketch = new HyperLogLog();
    for (let i = 0; i < 200; i++) sketch.add(keys[(s * 200 + i) % keys.length]);
  }
});
rate('QuantileSketch.add (log-normal)', ROUNDS * latencies.length, () => {
  const sketch = new QuantileSketch();
  for (let r = 0; r < ROUNDS; r++)
    for (const value of latencies) sketch.add(value);
});

console.log('\nEncoded sizes (bytes)');
for (const n of [0, 10, 100, 1_000, 5_000, 100_000]) {
  const sketch = new HyperLogLog();
  for (let i = 0; i < n; i++) sketch.add(keys[i]);
  console.log(
    `  HyperLogLog p=14, ${n} values`.padEnd(40),
    sketch.toBuffer().length,
  );
}
for (const n of [100, 1_000, 100_000]) {
  const sketch = new QuantileSketch();
  for (let i = 0; i < n; i++) sketch.add(latencies[i]);
  console.log(
    `  QuantileSketch, ${n} log-normal values`.padEnd(40),
    sketch.toBuffer().length,
    `(${sketch.binCount} bins)`,
  );
}
