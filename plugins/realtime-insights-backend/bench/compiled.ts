import { buildSync } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { startObjectWorker } from '../src/services/ObjectWorkers/ObjectWorkerPool';

/** The monorepo root (two levels above this package). */
const root = path.resolve(
  require.resolve('@internal/plugin-realtime-insights-backend/package.json'),
  '../../..',
);

/**
 * Compiles `entry` (a file of the monorepo) and everything it imports into
 * one CommonJS file under `.cache/bench/`, for benchmarks to measure code
 * as a build runs it, not through the monorepo's tsx loader — which costs
 * each thread memory (about 15 MiB a worker, 45 MiB a main thread) and
 * start-up time. Inside the repo, so its packages resolve as they do here.
 */
export function compileForBench(entry: string, name: string): string {
  const outfile = path.join(root, '.cache', 'bench', `${name}.cjs`);
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  buildSync({
    entryPoints: [path.resolve(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile,
    logLevel: 'warning',
    // Left as they are on purpose: they resolve from the bundle's place in
    // the repo, as from the sources.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  return outfile;
}

/** The plugin's object worker entry point (`./objectWorker`), compiled. */
export const compileObjectWorker = () =>
  compileForBench(
    require.resolve('@internal/plugin-realtime-insights-backend/objectWorker'),
    'objectWorker',
  );

/** Starts object workers on a file made by `compileObjectWorker`. */
export const compiledWorkers = (file: string) => (): Worker =>
  startObjectWorker(file);
