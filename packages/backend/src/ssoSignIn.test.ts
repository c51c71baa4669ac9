import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CookieBrowser,
  freePort,
  LocalSso,
  startLocalSso,
} from '@internal/production-stand-ins';
import oidcModule from './oidcProvider';
import authPlugin from '@backstage/plugin-auth-backend';

/*
 * The auth backend's OIDC sign-in against a real OpenID Provider, the way
 * app-config.production.yaml configures it, driven as the sign-in popup
 * drives it: start → the provider's login page → handler/frame, whose
 * page posts the result to the app. A wrong client secret and an
 * unreachable metadata URL must say what failed.
 */

const appOrigin = 'http://localhost:3000';
const mia = {
  id: 'u-1',
  email: 'mia.mobile@example.com',
  name: 'Mia Mobile',
  password: 'mia-password',
};
const clientSecret = 'portal-secret';

/** The message handler/frame's page posts to the app (window.opener). */
function postedMessage(html: string): {
  type: string;
  response?: { backstageIdentity?: { identity?: { userEntityRef?: string } } };
  error?: { name: string; message: string };
} {
  const encoded = /decodeURIComponent\('([^']*)'\)/.exec(html)?.[1];
  if (!encoded) throw new Error(`no posted message in: ${html.slice(0, 300)}`);
  return JSON.parse(decodeURIComponent(encoded));
}

/** The portal's backend with its auth plugin, on `port`. */
async function portal(options: {
  port: number;
  metadataUrl: string;
  secret: string;
}) {
  const backend = createBackend();
  for (const feature of [
    authPlugin,
    oidcModule,
    mockServices.rootLogger.factory(),
    catalogServiceMock.factory({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'User',
          metadata: { name: 'mia.mobile', namespace: 'default' },
          spec: { profile: { email: mia.email }, memberOf: [] },
        },
      ],
    }),
    mockServices.rootConfig.factory({
      data: {
        app: { baseUrl: appOrigin },
        backend: {
          baseUrl: `http://localhost:${options.port}`,
          listen: { port: options.port },
          database: { client: 'better-sqlite3', connection: ':memory:' },
        },
        auth: {
          environment: 'production',
          session: { secret: 'session-secret' },
          providers: {
            oidc: {
              production: {
                metadataUrl: options.metadataUrl,
                clientId: 'rti-portal',
                clientSecret: options.secret,
                prompt: 'auto',
                signIn: {
                  resolvers: [
                    { resolver: 'emailMatchingUserEntityProfileEmail' },
                  ],
                },
              },
            },
          },
        },
      },
    }),
  ]) {
    backend.add(feature);
  }
  await backend.start();
  return backend;
}

type Portal = Awaited<ReturnType<typeof portal>>;

describe('SSO sign-in through the auth backend', () => {
  let ssoPort: number;
  let portalPort: number;
  let sso: LocalSso | undefined;
  let backend: Portal | undefined;

  beforeEach(async () => {
    ssoPort = await freePort();
    portalPort = await freePort();
  });
  afterEach(async () => {
    await backend?.stop();
    await sso?.stop();
    backend = undefined;
    sso = undefined;
  });

  /** The company SSO, knowing the portal as a client with `clientSecret`. */
  async function startSso(authBase: string) {
    sso = await startLocalSso({
      port: ssoPort,
      users: [mia],
      clients: [
        {
          clientId: 'rti-portal',
          clientSecret,
          redirectUris: [`${authBase}/oidc/handler/frame`],
        },
      ],
    });
    return sso;
  }

  /** The provider, then the portal that discovers it at start-up. */
  async function start(secret: string) {
    const authBase = `http://localhost:${portalPort}/api/auth`;
    const provider = await startSso(authBase);
    backend = await portal({
      port: portalPort,
      metadataUrl: provider.metadataUrl,
      secret,
    });
    return authBase;
  }

  /** The popup's journey; resolves to the frame page's posted message. */
  async function signIn(authBase: string) {
    const browser = new CookieBrowser();
    const query = new URLSearchParams({
      env: 'production',
      scope: 'openid profile email offline_access',
      origin: appOrigin,
    });
    const toProvider = await browser.request(`${authBase}/oidc/start?${query}`);
    expect(toProvider.status).toBe(302);
    const loginPage = await browser.follow(toProvider);
    const html = await loginPage.text();
    const action = new URL(/action="([^"]+)"/.exec(html)![1], loginPage.url);
    const frame = await browser.follow(
      await browser.submit(action.href, {
        login: mia.email,
        password: mia.password,
      }),
    );
    expect(new URL(frame.url).pathname).toBe('/api/auth/oidc/handler/frame');
    return postedMessage(await frame.text());
  }

  it('signs in a catalog user by email', async () => {
    const message = await signIn(await start(clientSecret));
    expect(message.error).toBeUndefined();
    expect(message.response?.backstageIdentity?.identity?.userEntityRef).toBe(
      'user:default/mia.mobile',
    );
  });

  it('tells the app that the provider refused the client, when the secret is wrong', async () => {
    const message = await signIn(await start('not-the-secret'));
    expect(message.type).toBe('authorization_response');
    expect(message.error?.message).toMatch(/invalid_client/);
  });

  it('answers the start of a sign-in with what failed, when the metadata URL has no provider', async () => {
    backend = await portal({
      port: portalPort,
      metadataUrl: `http://127.0.0.1:${ssoPort}/.well-known/openid-configuration`,
      secret: clientSecret,
    });
    const response = await fetch(
      `http://localhost:${portalPort}/api/auth/oidc/start?env=production&scope=openid`,
      { redirect: 'manual' },
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    const body = await response.json();
    expect(body.error.message).toMatch(/ECONNREFUSED|fetch failed|connect/);
  });

  it('discovers the provider again after it did not answer at start-up', async () => {
    const authBase = `http://localhost:${portalPort}/api/auth`;
    backend = await portal({
      port: portalPort,
      metadataUrl: `http://127.0.0.1:${ssoPort}/.well-known/openid-configuration`,
      secret: clientSecret,
    });
    const first = await fetch(
      `${authBase}/oidc/start?env=production&scope=openid`,
      { redirect: 'manual' },
    );
    expect((await first.json()).error.message).toMatch(/ECONNREFUSED/);
    // The SSO comes up; no restart of the portal.
    await startSso(authBase);
    const message = await signIn(authBase);
    expect(message.response?.backstageIdentity?.identity?.userEntityRef).toBe(
      'user:default/mia.mobile',
    );
  });
});
