/*
 * Processes for benchmarks: servers (this S3 server among them) run in
 * processes of their own so they do not share an event loop, or a core,
 * with what is measured.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The monorepo root: scripts are given relative to it.
const root = path.resolve(
  require.resolve('@internal/local-s3/package.json'),
  '../../..',
);

/**
 * Runs `node <script> ...args` from the repo root: TypeScript through tsx
 * (`--import tsx`), JavaScript (a compiled bundle) as it is.
 */
export function startNodeChild(script: string, args: string[] = []) {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, script, ...args], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', d => {
    stderr = (stderr + d).slice(-4000);
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', d => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', code =>
      reject(new Error(`child exited (${code}): ${stderr}`)),
    );
  });
  // Only some children announce themselves; nobody waits on the others.
  firstLine.catch(() => {});
  return { child, firstLine, stderr: () => stderr };
}

/** SIGTERM, then the exit code. */
export function stopChild(child: ChildProcess): Promise<number | null> {
  return new Promise(resolve => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
      return;
    }
    child.once('exit', code => resolve(code));
    child.kill('SIGTERM');
  });
}

/** Peak resident memory of a process, MiB (Linux). */
export function peakRssMiB(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
  } catch {
    return NaN;
  }
}

/**
 * CPU time a process has used so far, user and system, in seconds (Linux:
 * `/proc`, in clock ticks of 1/100 s); NaN elsewhere.
 */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Starts the local S3 server in its own process; resolves its endpoint. */
export async function startS3Child(buckets: string[], directory: string) {
  const proc = startNodeChild('packages/local-s3/src/serve.ts', [
    JSON.stringify(buckets),
    directory,
  ]);
  const { endpoint } = JSON.parse(await proc.firstLine) as { endpoint: string };
  return { ...proc, endpoint };
}
