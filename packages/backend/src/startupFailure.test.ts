import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  freePort,
  makeThrowawayTls,
  startTlsPostgres,
  stopChild,
  TlsPostgres,
} from '@internal/production-stand-ins';
import { explainStartupFailure } from './startupFailure';

const root = path.resolve(__dirname, '../../..');

describe('explainStartupFailure', () => {
  it('names the CA setting when a cause is an untrusted certificate', () => {
    const tls = Object.assign(
      new Error('self-signed certificate in certificate chain'),
      { code: 'SELF_SIGNED_CERT_IN_CHAIN' },
    );
    // Shaped as Backstage's BackendStartupError: failures per plugin.
    const error = Object.assign(new Error('Backend startup failed'), {
      result: {
        plugins: [
          { pluginId: 'app', modules: [] },
          {
            pluginId: 'catalog',
            failure: {
              error: new Error('Failed to connect to the database', {
                cause: tls,
              }),
            },
            modules: [],
          },
        ],
      },
    });
    const text = explainStartupFailure(error)!;
    expect(text).toContain(
      "PostgreSQL's TLS certificate is not trusted (self-signed certificate in certificate chain)",
    );
    expect(text).toContain('backend.database.connection.ssl.ca');
    expect(text).toContain('POSTGRES_CA_FILE');
  });

  it('leaves other failures to their own message', () => {
    const error = new Error('boom', {
      cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
    });
    expect(explainStartupFailure(error)).toBeUndefined();
  });
});

const havePostgres = fs.existsSync('/usr/lib/postgresql');
// Without a PostgreSQL server (a user machine may lack it) this shows as
// skipped; CI installs one.
(havePostgres ? describe : describe.skip)(
  'the backend against PostgreSQL whose certificate it does not trust',
  () => {
    const work = fs.mkdtempSync(path.join(root, '.cache', 'untrusted-pg-'));
    let postgres: TlsPostgres;

    beforeAll(async () => {
      fs.chmodSync(work, 0o755);
      const port = await freePort();
      postgres = await startTlsPostgres({
        dir: path.join(work, 'postgres'),
        port,
        user: 'rti_portal',
        password: 'local-only',
        tls: makeThrowawayTls(path.join(work, 'server-ca')),
      });
    }, 60_000);

    afterAll(async () => {
      if (postgres) await stopChild(postgres.child);
      fs.rmSync(work, { recursive: true, force: true });
    });

    it('stops at start-up with a message naming the CA setting', async () => {
      const serverTls = makeThrowawayTls(path.join(work, 'portal-tls'));
      const otherCa = makeThrowawayTls(path.join(work, 'other-ca'));
      const env: Record<string, string> = {
        PATH: process.env.PATH!,
        HOME: process.env.HOME ?? os.homedir(),
        NODE_ENV: 'production',
        PORTAL_BASE_URL: 'https://localhost:7999',
        PORTAL_TLS_CERT_FILE: serverTls.certFile,
        PORTAL_TLS_KEY_FILE: serverTls.keyFile,
        AUTH_SESSION_SECRET: 'local-only',
        POSTGRES_HOST: postgres.host,
        POSTGRES_PORT: String(postgres.port),
        POSTGRES_USER: postgres.user,
        POSTGRES_PASSWORD: postgres.password,
        // A CA, but not the one that signed the server's certificate.
        POSTGRES_CA_FILE: otherCa.caFile,
        OIDC_METADATA_URL:
          'http://127.0.0.1:9/.well-known/openid-configuration',
        OIDC_CLIENT_ID: 'portal',
        OIDC_CLIENT_SECRET: 'local-only',
        RTI_CATALOG_ORG_FILE: path.join(root, 'examples/org.yaml'),
        RTI_CATALOG_STREAMS_FILE: path.join(root, 'examples/streams.yaml'),
        AWS_REGION: 'us-east-1',
        RTI_BUCKET_INTERACTIONS: 'rti-interactions',
        RTI_BUCKET_SENSOR_READINGS: 'rti-sensor-readings',
        RTI_BUCKET_TRANSACTION_LOGS: 'rti-transaction-logs',
        RTI_REPORTS_BUCKET: 'rti-reports',
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: '9',
        REDIS_AUTH_TOKEN: 'local-only',
        // The backend's own port, so a run on a busy machine does not clash.
        APP_CONFIG_backend_listen_port: '7999',
      };
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/index.ts',
          '--config',
          '../../app-config.yaml',
          '--config',
          '../../app-config.production.yaml',
        ],
        { cwd: path.join(root, 'packages/backend'), env },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', d => (stderr += d));
      child.stdout.resume();
      const code = await new Promise<number | null>(resolve => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
        child.on('exit', exitCode => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect(stderr).toContain(
        "The backend could not start: PostgreSQL's TLS certificate is not trusted",
      );
      expect(stderr).toContain('POSTGRES_CA_FILE');
      expect(code).toBe(1);
    }, 150_000);
  },
);
