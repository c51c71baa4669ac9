/*
 * Child processes of the start scripts (`npm start`, `npm run start:prod`)
 * and of the stand-ins:
 * output prefixed with the child's name, waiting for readiness, and
 * stopping a child with everything it started.
 */
import {
  ChildProcess,
  spawn,
  spawnSync,
  SpawnOptions,
} from 'node:child_process';
import net from 'node:net';

/** Starts a long-running child whose output lines carry its name. */
export function startLogged(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { skip?: (line: string) => boolean } = {},
): ChildProcess {
  const { skip, ...spawnOptions } = options;
  const child = spawn(command, args, {
    ...spawnOptions,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Same process group as the start script: a terminal's Ctrl-C or a test
    // runner killing the group reaches the servers too, never orphaning them.
  });
  const prefix = `\x1b[35m[${name}]\x1b[0m `;
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (skip?.(line)) continue;
        process.stdout.write(`${prefix}${line}\n`);
      }
    });
  }
  return child;
}

/** Polls `ready` (errors count as not yet) until it holds or time runs out. */
export async function waitUntil(
  ready: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs: number; failure: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await ready()) return;
    } catch {
      // not listening / not ready yet
    }
    await new Promise(r => setTimeout(r, options.intervalMs));
  }
  throw new Error(options.failure);
}

/** A port nothing listens on now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Waits until a GET of `url` answers 2xx. */
export function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  return waitUntil(async () => (await fetch(url)).ok, {
    timeoutMs,
    intervalMs: 500,
    failure: `${url} did not answer within ${timeoutMs / 1000} s`,
  });
}

/** A process and all its descendants (the CLI runs the server as a child). */
function processTree(pid: number): number[] {
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], {
    encoding: 'utf8',
  })
    .stdout.split('\n')
    .map(line => Number(line.trim()))
    .filter(n => n > 0);
  return [pid, ...children.flatMap(processTree)];
}

function signalTree(pids: number[], signal: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM to the child and its descendants; SIGKILL after 10 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  const pids = processTree(child.pid!);
  return new Promise(resolve => {
    const timer = setTimeout(
      () => signalTree(processTree(child.pid!).concat(pids), 'SIGKILL'),
      10_000,
    );
    child.once('exit', () => {
      clearTimeout(timer);
      // Descendants that outlive the CLI get the same signal.
      signalTree(pids.slice(1), 'SIGTERM');
      resolve();
    });
    signalTree(pids, 'SIGTERM');
  });
}
