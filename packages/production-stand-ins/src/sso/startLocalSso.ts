import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A person who can sign in at the provider's login page. */
export type SsoUser = {
  /** The subject (`sub`) of the ID token. */
  id: string;
  email: string;
  name: string;
  password: string;
};

/** A relying party, e.g. the portal's auth backend. */
export type SsoClient = {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
};

export type LocalSsoOptions = {
  users: SsoUser[];
  clients: SsoClient[];
  /** 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Shown on the login page. Default "Local SSO". */
  title?: string;
};

export type LocalSso = {
  /** The issuer, e.g. http://127.0.0.1:4580 */
  issuer: string;
  /** `${issuer}/.well-known/openid-configuration` */
  metadataUrl: string;
  stop(): Promise<void>;
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(options: {
  title: string;
  action: string;
  login?: string;
  error?: string;
}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(
    options.title,
  )}: sign in</title>
<style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto}
label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.4rem}
button{margin-top:1rem;padding:.5rem 1.5rem}.error{color:#b00020}</style></head>
<body><h1>${escapeHtml(options.title)}</h1>
${
  options.error
    ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>`
    : ''
}
<form method="post" action="${escapeHtml(options.action)}">
<label for="login">Email</label>
<input id="login" name="login" type="email" autocomplete="username" required value="${escapeHtml(
    options.login ?? '',
  )}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></body></html>`;
}

/**
 * A certified OpenID Provider (`oidc-provider`) on loopback: discovery,
 * authorization code flow, refresh tokens, userinfo, revocation and
 * end-session, with a login page that checks each user's password. The
 * portal's relying party is first-party, so consent is granted without a
 * prompt, as company SSOs do for internal apps.
 */
export async function startLocalSso(
  options: LocalSsoOptions,
): Promise<LocalSso> {
  const host = options.host ?? '127.0.0.1';
  const title = options.title ?? 'Local SSO';
  const byId = new Map(options.users.map(u => [u.id, u]));
  const byEmail = new Map(options.users.map(u => [u.email.toLowerCase(), u]));

  // The port must be known before the issuer is: listen first.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (
    _req,
    res,
  ) => {
    res.statusCode = 503;
    res.end();
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host}:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'local-sso-1',
    use: 'sig',
    alg: 'RS256',
  };

  const provider = new Provider(issuer, {
    clients: options.clients.map(c => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [signingKey] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    // The granted scopes' claims in the ID token too, as Okta and Entra ID
    // put them, not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // Refresh tokens for the portal's session renewal, as an enterprise
    // IdP issues them to a confidential client.
    issueRefreshToken: async (_ctx: unknown, client: any) =>
      client.grantTypeAllowed('refresh_token'),
    findAccount: async (_ctx: unknown, sub: string) => {
      const user = byId.get(sub);
      if (!user) return undefined;
      return {
        accountId: user.id,
        claims: async () => ({
          sub: user.id,
          email: user.email,
          email_verified: true,
          name: user.name,
        }),
      };
    },
    ttl: {
      AccessToken: 3600,
      IdToken: 3600,
      RefreshToken: 86400,
      Session: 86400,
      Interaction: 600,
      Grant: 86400,
    },
  });
  provider.on('server_error', (_ctx: unknown, error: Error) => {
    process.stderr.write(`local-sso: ${error.stack ?? error.message}\n`);
  });

  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    const action = `/interaction/${details.uid}`;
    const send = (status: number, html: string) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(html);
    };
    if (details.prompt.name === 'login') {
      if (req.method !== 'POST') {
        send(200, loginPage({ title, action }));
        return;
      }
      const form = await formBody(req);
      const login = form.get('login') ?? '';
      const user = byEmail.get(login.toLowerCase());
      if (!user || !samePassword(form.get('password') ?? '', user.password)) {
        send(
          401,
          loginPage({
            title,
            action,
            login,
            error: 'Wrong email or password.',
          }),
        );
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.id } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    // consent: first-party client, every requested scope and claim.
    const { prompt, params, session } = details;
    if (!session) throw new Error('no login session for this consent');
    const grant =
      (details.grantId && (await provider.Grant.find(details.grantId))) ||
      new provider.Grant({
        accountId: session.accountId,
        clientId: String(params.client_id),
      });
    const missingScope = prompt.details.missingOIDCScope as
      | string[]
      | undefined;
    if (missingScope) grant.addOIDCScope(missingScope.join(' '));
    const missingClaims = prompt.details.missingOIDCClaims as
      | string[]
      | undefined;
    if (missingClaims) grant.addOIDCClaims(missingClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  };

  const callback = provider.callback();
  handler = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch(error => {
        if (!res.headersSent) {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        }
        res.end(`Sign-in failed: ${(error as Error).message}`);
      });
      return;
    }
    callback(req, res);
  };

  return {
    issuer,
    metadataUrl: `${issuer}/.well-known/openid-configuration`,
    stop: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
