import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
) {
  const result = spawnSync(command, args, { ...options, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed in ${path.relative(
        root,
        options.cwd,
      )} (exit ${result.status})`,
    );
  }
}

/** What the production install depends on: lockfile and native sources. */
function installFingerprint(): string {
  const hash = createHash('sha256');
  const files = ['package.json', 'package-lock.json'];
  const native = 'packages/native-summariser';
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), {
      withFileTypes: true,
    })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else files.push(rel);
    }
  };
  walk(path.join(native, 'src/native'));
  files.push(path.join(native, 'binding.gyp'));
  files.push(path.join(native, 'scripts/build-addon.js'));
  for (const file of files.sort()) {
    hash.update(file).update(fs.readFileSync(path.join(root, file)));
  }
  return hash.digest('hex');
}

/**
 * Builds the portal as the container image does (infra/docker/Dockerfile):
 * the backend bundle with the app inside it, unpacked into `dir` and its
 * dependencies installed with `npm install --omit=dev`. The install is
 * reused while the lockfile and native sources are unchanged.
 */
export function buildPortal(dir: string, log: (message: string) => void): void {
  const backend = path.join(root, 'packages/backend');
  // backstage-cli's bundler looks for a yarn.lock to find the repository
  // root and runs `yarn run build` in the app: a yarn shim that runs npm.
  const yarnLock = path.join(root, 'yarn.lock');
  const madeYarnLock = !fs.existsSync(yarnLock);
  if (madeYarnLock) fs.writeFileSync(yarnLock, '');
  try {
    log(
      'building the backend bundle and the app (backstage-cli package build)',
    );
    run(
      path.join(root, 'node_modules/.bin/backstage-cli'),
      ['package', 'build'],
      {
        cwd: backend,
        env: {
          ...process.env,
          PATH: `${path.join(__dirname, 'bin')}:${process.env.PATH}`,
        },
      },
    );
  } finally {
    if (madeYarnLock) fs.rmSync(yarnLock);
  }

  const stampFile = path.join(dir, '.rti-install-stamp');
  const fingerprint = installFingerprint();
  const installed =
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, 'utf8') === fingerprint;
  if (!installed) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // Unpacked over the last run's: the install (node_modules and the
  // native addon built in its package) stays.
  for (const archive of ['skeleton.tar.gz', 'bundle.tar.gz']) {
    run('tar', ['xzf', path.join(backend, 'dist', archive), '-C', dir], {
      cwd: root,
    });
  }
  for (const file of [
    'package.json',
    'package-lock.json',
    'app-config.yaml',
    'app-config.production.yaml',
  ]) {
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
  if (!installed) {
    log(
      'installing production dependencies (npm install --omit=dev, about a minute)',
    );
    run(
      'npm',
      ['install', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'],
      {
        cwd: dir,
      },
    );
    fs.writeFileSync(stampFile, fingerprint);
  } else {
    log('production dependencies unchanged since the last run: reusing them');
  }
}
