/*
 * `npm start`: the whole system on embedded defaults. Local S3, local
 * Firehose and simulated devices run in this process; the Backstage backend
 * (:7007) and app (:3000) run as child processes. Ctrl-C stops everything.
 */
import { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startLocalStack } from './localStack';
import { LOCAL_PORTS, assertPortsFree } from './ports';
import {
  startLogged,
  stopChild,
  waitForHttp,
  waitUntil,
} from '@internal/production-stand-ins';
import { intFromEnv } from '../lib/env';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'node_modules/.bin/backstage-cli');

const log = (message: string) => console.log(`\x1b[36m[rti]\x1b[0m ${message}`);

function startChild(name: string, cwd: string): ChildProcess {
  return startLogged(name, cli, ['package', 'start'], {
    cwd: path.join(root, cwd),
    env: { ...process.env, BROWSER: 'none', FORCE_COLOR: '1' },
  });
}

/**
 * Ready for a person once the catalog knows the guest user's teams: until
 * then a sign-in would own no stream and the insights page would be empty.
 */
function waitForGuestTeams(timeoutMs: number): Promise<void> {
  return waitUntil(
    async () => {
      const response = await fetch(
        `http://localhost:${LOCAL_PORTS.backend}/api/auth/guest/refresh`,
      );
      const body = (await response.json()) as {
        backstageIdentity?: { identity?: { ownershipEntityRefs?: string[] } };
      };
      const refs = body.backstageIdentity?.identity?.ownershipEntityRefs ?? [];
      return refs.some(ref => ref.startsWith('group:'));
    },
    {
      timeoutMs,
      intervalMs: 1000,
      failure:
        'the catalog did not load the guest user and its teams (examples/org.yaml) in time',
    },
  );
}

async function main() {
  const devices = intFromEnv('RTI_DEVICES', 300);
  const bufferIntervalSeconds = intFromEnv('RTI_BUFFER_SECONDS', 5);
  // Per mille of malformed records, so the error prefix has something in it.
  const badPerMille = intFromEnv('RTI_BAD_PER_MILLE', 10);
  await assertPortsFree(LOCAL_PORTS);

  const stack = await startLocalStack({
    dataDir: path.resolve(root, process.env.RTI_DATA_DIR ?? '.cache/local'),
    s3Port: LOCAL_PORTS.s3,
    firehosePort: LOCAL_PORTS.firehose,
    devices,
    bufferIntervalSeconds,
    badRate: badPerMille / 1000,
    log,
  });

  const children = [
    startChild('backend', 'packages/backend'),
    startChild('app', 'packages/app'),
  ];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await Promise.all(children.map(stopChild));
    await stack.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  for (const [index, child] of children.entries()) {
    child.on('exit', code => {
      if (!stopping) {
        log(
          `${
            index === 0 ? 'backend' : 'app'
          } exited (code ${code}); stopping the rest`,
        );
        void shutdown(1);
      }
    });
  }

  try {
    await waitForHttp(
      `http://localhost:${LOCAL_PORTS.backend}/.backstage/health/v1/readiness`,
      180_000,
    );
    await waitForGuestTeams(180_000);
    await waitForHttp(`http://localhost:${LOCAL_PORTS.app}`, 300_000);
  } catch (error) {
    log(`\x1b[31m${(error as Error).message}\x1b[0m`);
    await shutdown(1);
    return;
  }
  log(
    `ready: open http://localhost:${LOCAL_PORTS.app} and choose "Real-time Insights" (Ctrl-C stops everything)`,
  );
}

main().catch(error => {
  console.error(`\x1b[31m[rti] ${error.message}\x1b[0m`);
  process.exit(1);
});
