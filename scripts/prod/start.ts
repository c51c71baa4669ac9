/*
 * `npm run start:prod`: the portal built and run as the container image runs
 * it (backend bundle installed with --omit=dev, app served by the backend,
 * NODE_ENV=production, app-config.yaml + app-config.production.yaml), against
 * loopback services that speak the production protocols: an OpenID
 * Provider, Redis with TLS and AUTH, PostgreSQL with TLS, S3 and Firehose.
 * Only environment variables differ from what the container gets.
 */
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { LOCAL_S3_CREDENTIALS } from '@internal/local-s3';
import { startLocalStack } from '../dev/localStack';
import { PROD_PORTS, assertPortsFree } from '../dev/ports';
import {
  PEOPLE,
  makeThrowawayTls,
  orgCatalogYaml,
  startLocalSso,
  startLogged,
  startTlsPostgres,
  startTlsRedis,
  stopChild,
  waitUntil,
} from '@internal/production-stand-ins';
import { intFromEnv } from '../lib/env';
import { buildPortal } from './portalBundle';

const root = path.resolve(__dirname, '../..');
const work = path.resolve(root, process.env.RTI_PROD_DIR ?? '.cache/prod');
const log = (message: string) =>
  console.log(`\x1b[36m[rti-prod]\x1b[0m ${message}`);
const secret = () => randomBytes(24).toString('hex');

/** GET over HTTPS trusting only the throwaway CA; resolves to the status. */
function httpsStatus(url: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, response => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

async function main() {
  const devices = intFromEnv('RTI_DEVICES', 300);
  await assertPortsFree(PROD_PORTS);
  const portalDir = path.join(work, 'portal');
  buildPortal(portalDir, log);

  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    for (const stop of stops.reverse()) {
      await stop().catch(error => log(`while stopping: ${error.message}`));
    }
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const watch = (child: ChildProcess, name: string) => {
    stops.push(() => stopChild(child));
    child.on('exit', code => {
      if (!stopping) {
        log(`${name} exited (code ${code}); stopping the rest`);
        void shutdown(1);
      }
    });
  };

  try {
    const tls = makeThrowawayTls(path.join(work, 'tls'));
    const ca = fs.readFileSync(tls.caFile);
    log(`throwaway CA ${tls.caFile}`);

    const redis = await startTlsRedis({
      port: PROD_PORTS.redis,
      password: secret(),
      tls,
    });
    watch(redis.child, 'redis-server');
    log(`Redis with TLS and AUTH on rediss://localhost:${redis.port}`);

    const postgres = await startTlsPostgres({
      dir: path.join(work, 'postgres'),
      port: PROD_PORTS.postgres,
      user: 'rti_portal',
      password: secret(),
      tls,
    });
    watch(postgres.child, 'postgres');
    log(`PostgreSQL with TLS on localhost:${postgres.port}`);

    const portalUrl = `https://localhost:${PROD_PORTS.portal}`;
    const oidcClient = { clientId: 'rti-portal', clientSecret: secret() };
    const sso = await startLocalSso({
      port: PROD_PORTS.sso,
      title: 'Example Corp SSO',
      users: PEOPLE,
      clients: [
        {
          ...oidcClient,
          redirectUris: [`${portalUrl}/api/auth/oidc/handler/frame`],
        },
      ],
    });
    stops.push(() => sso.stop());
    log(`OpenID Provider ${sso.issuer}`);

    const stack = await startLocalStack({
      dataDir: path.join(work, 'data'),
      s3Port: PROD_PORTS.s3,
      firehosePort: PROD_PORTS.firehose,
      devices,
      bufferIntervalSeconds: 5,
      log,
    });
    stops.push(() => stack.stop());

    const catalogDir = path.join(work, 'catalog');
    fs.mkdirSync(catalogDir, { recursive: true });
    const orgFile = path.join(catalogDir, 'org.yaml');
    const streamsFile = path.join(catalogDir, 'streams.yaml');
    fs.writeFileSync(orgFile, orgCatalogYaml());
    fs.copyFileSync(path.join(root, 'examples/streams.yaml'), streamsFile);

    // What the container gets (infra/k8s), with local values.
    const production: Record<string, string> = {
      PORTAL_BASE_URL: portalUrl,
      OIDC_TITLE: 'Example Corp SSO',
      PORTAL_TLS_CERT_FILE: tls.certFile,
      PORTAL_TLS_KEY_FILE: tls.keyFile,
      AUTH_SESSION_SECRET: secret(),
      POSTGRES_HOST: postgres.host,
      POSTGRES_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PASSWORD: postgres.password,
      POSTGRES_CA_FILE: tls.caFile,
      OIDC_METADATA_URL: sso.metadataUrl,
      OIDC_CLIENT_ID: oidcClient.clientId,
      OIDC_CLIENT_SECRET: oidcClient.clientSecret,
      RTI_CATALOG_ORG_FILE: orgFile,
      RTI_CATALOG_STREAMS_FILE: streamsFile,
      AWS_REGION: 'us-east-1',
      RTI_BUCKET_INTERACTIONS: 'rti-interactions',
      RTI_BUCKET_SENSOR_READINGS: 'rti-sensor-readings',
      RTI_BUCKET_TRANSACTION_LOGS: 'rti-transaction-logs',
      RTI_REPORTS_BUCKET: 'rti-reports',
      REDIS_HOST: redis.host,
      REDIS_PORT: String(redis.port),
      REDIS_AUTH_TOKEN: redis.password,
    };
    // What differs from AWS: where S3 is, static keys instead of the pod's
    // role, and trust in the throwaway CA (ElastiCache's certificates chain
    // to a public CA Node already trusts).
    const local: Record<string, string> = {
      AWS_ENDPOINT_URL_S3: stack.s3Endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      NODE_EXTRA_CA_CERTS: tls.caFile,
    };
    const backend = startLogged(
      'portal',
      process.execPath,
      [
        'packages/backend',
        '--config',
        'app-config.yaml',
        '--config',
        'app-config.production.yaml',
      ],
      {
        cwd: portalDir,
        // One JSON line per request: only failed ones are worth a look here.
        skip: line =>
          line.includes('"type":"incomingRequest"') &&
          /"status":[123]\d\d/.test(line),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'production',
          ...production,
          ...local,
        },
      },
    );
    watch(backend, 'portal backend');
    await waitUntil(
      async () =>
        (await httpsStatus(
          `${portalUrl}/.backstage/health/v1/readiness`,
          ca,
        )) === 200,
      {
        timeoutMs: 180_000,
        intervalMs: 500,
        failure: `${portalUrl} did not become ready within 180 s`,
      },
    );
    const people = PEOPLE.filter(p => p.catalogName)
      .map(p => `${p.email} / ${p.password} (${p.teams.join(', ')})`)
      .join('; ');
    log(`people: ${people}`);
    log(
      `ready: open ${portalUrl} (certificate from the throwaway CA ${tls.caFile}) and sign in with Example Corp SSO (Ctrl-C stops everything)`,
    );
  } catch (error) {
    log(`\x1b[31m${(error as Error).message}\x1b[0m`);
    await shutdown(1);
  }
}

main().catch(error => {
  console.error(`\x1b[31m[rti-prod] ${error.message}\x1b[0m`);
  process.exit(1);
});
