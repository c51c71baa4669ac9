import { CookieBrowser } from './cookieBrowser';
import { LocalSso, startLocalSso } from './startLocalSso';

const client = {
  clientId: 'portal',
  clientSecret: 'portal-secret',
  redirectUris: ['https://portal.test/api/auth/oidc/handler/frame'],
};
const user = {
  id: 'u-1',
  email: 'mia@example.com',
  name: 'Mia',
  password: 'right-password',
};

describe('startLocalSso', () => {
  let sso: LocalSso;
  beforeAll(async () => {
    sso = await startLocalSso({ users: [user], clients: [client], port: 0 });
  });
  afterAll(() => sso.stop());

  const authorize = (browser: CookieBrowser) =>
    browser.request(
      `${sso.issuer}/auth?${new URLSearchParams({
        client_id: client.clientId,
        redirect_uri: client.redirectUris[0],
        response_type: 'code',
        scope: 'openid email profile offline_access',
        prompt: 'consent',
        state: 'state-1',
        nonce: 'nonce-1',
      })}`,
    );

  async function loginPage(browser: CookieBrowser) {
    const page = await browser.follow(await authorize(browser));
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = new URL(/action="([^"]+)"/.exec(html)![1], sso.issuer).href;
    return { html, action };
  }

  const login = (browser: CookieBrowser, action: string, password: string) =>
    browser.submit(action, { login: user.email, password });

  async function codeFor(browser: CookieBrowser): Promise<string> {
    const { action } = await loginPage(browser);
    const back = await browser.follow(
      await login(browser, action, user.password),
      next => next.origin === sso.issuer,
    );
    const location = new URL(back.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(client.redirectUris[0]);
    expect(location.searchParams.get('state')).toBe('state-1');
    return location.searchParams.get('code')!;
  }

  const token = (code: string, secret: string) =>
    fetch(`${sso.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(
          `${client.clientId}:${secret}`,
        ).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: client.redirectUris[0],
      }).toString(),
    });

  it('publishes discovery metadata for its issuer', async () => {
    const metadata = await (await fetch(sso.metadataUrl)).json();
    expect(metadata.issuer).toBe(sso.issuer);
    expect(metadata.authorization_endpoint).toBe(`${sso.issuer}/auth`);
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'email', 'profile', 'offline_access']),
    );
  });

  it('shows its login page and refuses a wrong password', async () => {
    const browser = new CookieBrowser();
    const { html, action } = await loginPage(browser);
    expect(html).toContain('<label for="password">Password</label>');
    const refused = await login(browser, action, 'wrong-password');
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('Wrong email or password.');
  });

  it('signs a user in with the code flow: an ID token with the email, and a refresh token', async () => {
    const code = await codeFor(new CookieBrowser());
    const response = await token(code, client.clientSecret);
    expect(response.status).toBe(200);
    const tokens = await response.json();
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const claims = JSON.parse(
      Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString(),
    );
    expect(claims).toMatchObject({
      iss: sso.issuer,
      aud: client.clientId,
      sub: user.id,
      email: user.email,
      email_verified: true,
      nonce: 'nonce-1',
    });
  });

  it('refuses a client with the wrong secret, as an IdP does', async () => {
    const code = await codeFor(new CookieBrowser());
    const response = await token(code, 'not-the-secret');
    expect(response.status).toBe(401);
    expect((await response.json()).error).toBe('invalid_client');
  });
});
