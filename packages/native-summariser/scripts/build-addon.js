/*
 * Install step: builds the addon with node-gyp against the running Node's
 * headers. Never fails the install: without a C compiler (or with any other
 * build failure) the backend plugin summarises in TypeScript, and says so
 * when it starts.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

function nodeGyp() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return process.env.npm_config_node_gyp;
  }
}

const gyp = nodeGyp();
const root = path.join(__dirname, '..');
const result = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild', '--loglevel=error'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    })
  : { status: 1, stderr: 'node-gyp not found' };
if (result.status !== 0) {
  process.stderr.write(
    `@internal/native-summariser: the native summariser was not built, so summaries will be made in TypeScript (slower, same results).\n${(
      result.stderr || ''
    )
      .split('\n')
      .slice(-15)
      .join('\n')}\n`,
  );
}
