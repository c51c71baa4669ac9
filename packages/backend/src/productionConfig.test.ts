/*
 * The config the container runs with: app-config.yaml, then
 * app-config.production.yaml (infra/docker/Dockerfile, the Deployment's
 * args), with the environment the pod gets. Nothing of the local stack may
 * leak into it.
 */
import { ConfigSources } from '@backstage/config-loader';
import { Config } from '@backstage/config';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  configFilesOf,
  describeMissing,
  missingVariables,
  requiredVariables,
} from './configVariables';

const root = resolve(__dirname, '../../..');
const PRODUCTION_SET = ['app-config.yaml', 'app-config.production.yaml'].map(
  f => join(root, f),
);
const LOCAL_SET = ['app-config.yaml', 'app-config.local.yaml'].map(f =>
  join(root, f),
);

const scratch = mkdtempSync(join(tmpdir(), 'rti-prod-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A value for each variable the production set needs, as the pod gets it. */
function productionEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const file of PRODUCTION_SET) {
    for (const { name } of requiredVariables(readFileSync(file, 'utf8'))) {
      if (name.endsWith('_FILE')) {
        const path = join(scratch, name.toLowerCase());
        writeFileSync(path, `contents of ${name}\n`);
        env[name] = path;
      } else if (name.endsWith('_URL')) {
        env[name] = `https://${name.toLowerCase().replace(/_/g, '-')}.example`;
      } else if (name.endsWith('_PORT')) {
        env[name] = '6379';
      } else {
        env[name] = `value-of-${name}`;
      }
    }
  }
  return env;
}

async function load(files: string[], env: Record<string, string>) {
  const config = await ConfigSources.toConfig(
    ConfigSources.defaultForTargets({
      rootDir: root,
      targets: files.map(target => ({ type: 'path' as const, target })),
      substitutionFunc: async name => env[name],
    }),
  );
  config.close();
  return config as Config;
}

describe('the production config set', () => {
  const env = productionEnvironment();
  let config: Config;
  beforeAll(async () => {
    config = await load(PRODUCTION_SET, env);
  });

  it('reads S3 through the default credential chain, with no endpoint or static keys', () => {
    const s3 = config.getOptionalConfig('realtimeInsights.s3');
    expect(s3?.getOptional('endpoint')).toBeUndefined();
    expect(s3?.getOptional('credentials')).toBeUndefined();
    expect(s3?.getOptional('forcePathStyle')).toBeUndefined();
    expect(s3?.getString('region')).toBe(env.AWS_REGION);
    expect(
      config.getOptional('realtimeInsights.catalog.allowedEndpoints'),
    ).toBeUndefined();
  });

  it('signs in through the company SSO only', () => {
    const providers = config.getConfig('auth.providers');
    expect(providers.keys()).toEqual(['oidc']);
    expect(config.getString('auth.environment')).toBe('production');
    expect(providers.getString('oidc.production.metadataUrl')).toBe(
      env.OIDC_METADATA_URL,
    );
    expect(config.getStringArray('app.signIn.providers')).toEqual(['oidc']);
  });

  it('caches in Redis over TLS with AUTH', () => {
    expect(config.getString('realtimeInsights.cache.type')).toBe('redis');
    const url = new URL(config.getString('realtimeInsights.cache.redis.url'));
    expect(url.protocol).toBe('rediss:');
    expect(url.password).toBe(env.REDIS_AUTH_TOKEN);
  });

  it('connects to PostgreSQL over TLS, trusting the configured CA', () => {
    const db = config.getConfig('backend.database');
    expect(db.getString('client')).toBe('pg');
    expect(db.getBoolean('connection.ssl.rejectUnauthorized')).toBe(true);
    expect(db.getString('connection.ssl.ca')).toBe(
      'contents of POSTGRES_CA_FILE',
    );
  });

  it('serves HTTPS with the pod certificate and trusts no dev origins', () => {
    expect(config.getString('backend.https.certificate.cert')).toBe(
      'contents of PORTAL_TLS_CERT_FILE',
    );
    expect(config.getString('backend.baseUrl')).toBe(env.PORTAL_BASE_URL);
    expect(config.getString('app.baseUrl')).toBe(env.PORTAL_BASE_URL);
    // The app is served by the backend: same origin, no CORS needed.
    expect(config.getOptional('backend.cors')).toBeUndefined();
    const csp = JSON.stringify(config.getOptional('backend.csp') ?? {});
    expect(csp).not.toMatch(/localhost|'http:'|"http:"/);
    expect(JSON.stringify(config.get())).not.toMatch(
      /localhost|127\.0\.0\.1|S3RVER|better-sqlite3/,
    );
  });

  it('admits stream Resources only from the configured stream location', () => {
    const global = config
      .getConfigArray('catalog.rules')
      .flatMap(rule => rule.getStringArray('allow'));
    expect(global).not.toContain('Resource');
    const locations = config.getConfigArray('catalog.locations');
    expect(locations.map(l => l.getString('target'))).toEqual([
      env.RTI_CATALOG_ORG_FILE,
      env.RTI_CATALOG_STREAMS_FILE,
    ]);
    const allowedBy = (target: string) =>
      locations
        .find(l => l.getString('target') === target)!
        .getConfigArray('rules')
        .flatMap(rule => rule.getStringArray('allow'));
    expect(allowedBy(env.RTI_CATALOG_STREAMS_FILE)).toEqual(['Resource']);
    expect(allowedBy(env.RTI_CATALOG_ORG_FILE)).not.toContain('Resource');
  });

  it('lets streams name only the deployed event buckets', () => {
    expect(
      config.getStringArray('realtimeInsights.catalog.allowedBuckets'),
    ).toEqual([
      env.RTI_BUCKET_INTERACTIONS,
      env.RTI_BUCKET_SENSOR_READINGS,
      env.RTI_BUCKET_TRANSACTION_LOGS,
    ]);
    expect(config.getString('realtimeInsights.reports.s3.bucket')).toBe(
      env.RTI_REPORTS_BUCKET,
    );
  });

  it('documents every variable it needs in the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const deploying = readme.slice(readme.indexOf('## Deploying'));
    expect(readme).toContain('## Deploying');
    for (const name of Object.keys(env)) {
      expect({ name, documented: deploying.includes(`\`${name}\``) }).toEqual({
        name,
        documented: true,
      });
    }
  });

  it('stops at start-up naming a missing variable', () => {
    const { POSTGRES_HOST: _unset, ...partial } = env;
    const argv = ['node', 'packages/backend', '--config', PRODUCTION_SET[0]];
    argv.push(`--config=${PRODUCTION_SET[1]}`);
    const missing = missingVariables(configFilesOf(argv), partial);
    expect(missing.map(m => m.name)).toEqual(['POSTGRES_HOST']);
    expect(describeMissing(missing)).toContain(
      'POSTGRES_HOST (used by backend.database.connection.host in',
    );
    expect(missingVariables(configFilesOf(argv), env)).toEqual([]);
  });
});

describe('the local config set', () => {
  it('keeps the embedded defaults: loopback S3, guest sign-in, demo catalog', async () => {
    const config = await load(LOCAL_SET, {});
    expect(config.getString('realtimeInsights.s3.endpoint')).toMatch(
      /^http:\/\/127\.0\.0\.1:/,
    );
    expect(config.getConfig('auth.providers').keys()).toEqual(['guest']);
    expect(config.getStringArray('app.signIn.providers')).toEqual(['guest']);
    expect(config.getString('backend.database.client')).toBe('better-sqlite3');
    expect(
      config
        .getConfigArray('catalog.locations')
        .map(l => l.getString('target')),
    ).toEqual(['../../examples/org.yaml', '../../examples/streams.yaml']);
    expect(missingVariables(LOCAL_SET, {})).toEqual([]);
  });
});

describe('requiredVariables', () => {
  it('finds references in values, not in comments, escapes or fallbacks', () => {
    const yaml = [
      '# ${IN_A_COMMENT}',
      'a:',
      '  b: ${ONE}',
      '  c: x-$${ESCAPED}-${TWO}',
      '  d: ${WITH_FALLBACK:-x}',
      '  e: [{ $file: "${THREE}" }]',
    ].join('\n');
    expect(requiredVariables(yaml)).toEqual([
      { name: 'ONE', key: 'a.b' },
      { name: 'TWO', key: 'a.c' },
      { name: 'THREE', key: 'a.e[0]' },
    ]);
  });
});
