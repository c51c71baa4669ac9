import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const infraDir = path.resolve(__dirname, '..');

/** Runs the pinned CDK CLI (devDependency `aws-cdk`) in infra/. */
function cdk(args: string[]) {
  const cli = require.resolve('aws-cdk/bin/cdk');
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: infraDir,
    encoding: 'utf8',
    timeout: 150_000,
    // No AWS account, no credentials: synthesis must not need any lookups.
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      CDK_DISABLE_VERSION_CHECK: '1',
      CI: 'true',
    },
  });
}

describe('cdk CLI', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rti-cdk-out-'));

  it('synthesizes the app offline, cdk-nag included, and reads the assembly back', () => {
    const synth = cdk(['synth', '--quiet', '--no-notices', '-o', outdir]);
    expect({
      status: synth.status,
      stderr: synth.status ? synth.stderr : '',
    }).toEqual({
      status: 0,
      stderr: '',
    });
    for (const stack of ['Ingestion', 'Platform', 'Portal']) {
      expect(
        fs.existsSync(path.join(outdir, `Rti-prod-${stack}.template.json`)),
      ).toBe(true);
    }

    const ls = cdk(['ls', '--no-notices', '--app', outdir]);
    expect(ls.status).toBe(0);
    expect(ls.stdout.trim().split('\n').sort()).toEqual([
      'Rti-prod-Ingestion',
      'Rti-prod-Platform',
      'Rti-prod-Portal',
    ]);
  }, 180_000);
});
