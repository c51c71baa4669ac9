import { buildSync } from 'esbuild';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { startObjectWorker } from '../src/services/ObjectWorkers/ObjectWorkerPool';

/**
 * Compiles the plugin's object worker entry point (`./objectWorker`) to one
 * CommonJS file in `dir`, as a build runs it: benchmarks measure compiled
 * workers, not the monorepo's tsx loader, which makes each worker start
 * slower and take about 15 MiB more.
 */
export function compileObjectWorker(dir: string): string {
  const outfile = path.join(dir, 'objectWorker.cjs');
  buildSync({
    entryPoints: [
      require.resolve(
        '@internal/plugin-realtime-insights-backend/objectWorker',
      ),
    ],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** Starts object workers on a file made by `compileObjectWorker`. */
export const compiledWorkers = (file: string) => (): Worker =>
  startObjectWorker(file);
