import { discoveryApiRef } from '@backstage/frontend-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PortalSignInPage } from './SsoSignInPage';
import { oidcAuthApiRef } from './oidcAuthApi';

/*
 * What the sign-in page says when the SSO sign-in fails. The messages the
 * auth backend sends are the ones packages/backend/src/ssoSignIn.test.ts
 * gets from the real auth backend and OpenID Provider.
 */

const config = {
  app: {
    title: 'Real-time Insights',
    signIn: { providers: ['oidc'], oidc: { title: 'Example Corp SSO' } },
  },
  auth: { environment: 'production' },
};
const discovery = {
  getBaseUrl: async (plugin: string) => `https://portal.test/api/${plugin}`,
};

function authApiFailingWith(message: string) {
  return {
    getBackstageIdentity: jest.fn(async (options?: { optional?: boolean }) => {
      if (options?.optional) return undefined; // no session to restore
      throw new Error(message);
    }),
    getProfile: jest.fn(),
    getIdToken: jest.fn(),
    getAccessToken: jest.fn(),
    signIn: jest.fn(),
    signOut: jest.fn(),
    sessionState$: jest.fn(),
  };
}

/** Renders the page; resolves to its sign-in button. */
async function renderPage(failure: string) {
  await renderInTestApp(<PortalSignInPage onSignInSuccess={jest.fn()} />, {
    config,
    apis: [
      [discoveryApiRef, discovery],
      [oidcAuthApiRef, authApiFailingWith(failure)],
    ],
  });
  return screen.findByRole('button', { name: 'Sign in with Example Corp SSO' });
}

async function signInFailing(message: string) {
  await userEvent.click(await renderPage(message));
  return screen.findByRole('alert');
}

describe('the SSO sign-in page', () => {
  afterEach(() => jest.restoreAllMocks());

  it('says the SSO refused the client, naming the settings, when the secret is wrong', async () => {
    const alert = await signInFailing(
      'Authentication failed, invalid_client (client authentication failed)',
    );
    expect(alert).toHaveTextContent(
      "Example Corp SSO refused the portal's client credentials (Authentication failed, invalid_client (client authentication failed)). The portal's administrators must check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET",
    );
  });

  it('says the portal cannot reach the SSO, when the backend could not start the sign-in', async () => {
    const fetchSpy = jest.spyOn(global, 'fetch').mockResolvedValue(
      new Response(
        JSON.stringify({
          error: {
            name: 'Error',
            message: 'connect ECONNREFUSED 127.0.0.1:38919',
          },
        }),
        { status: 500, headers: { 'content-type': 'application/json' } },
      ),
    );
    const alert = await signInFailing('Login failed, popup was closed');
    expect(alert).toHaveTextContent(
      "The portal cannot reach Example Corp SSO to start signing in (connect ECONNREFUSED 127.0.0.1:38919). The portal's administrators must check OIDC_METADATA_URL",
    );
    expect(fetchSpy).toHaveBeenCalledWith(
      'https://portal.test/api/auth/oidc/start?env=production&scope=openid',
      expect.objectContaining({ redirect: 'manual' }),
    );
  });

  it('asks to try again when the person closed a window that worked', async () => {
    jest.spyOn(global, 'fetch').mockResolvedValue(
      new Response(null, {
        status: 302,
        headers: { location: 'https://sso.test/auth' },
      }),
    );
    const alert = await signInFailing('Login failed, popup was closed');
    expect(alert).toHaveTextContent(
      'The sign-in window was closed before Example Corp SSO answered. Try again, and allow pop-ups for this site.',
    );
  });

  it('says an SSO account without a catalog user cannot sign in, and why', async () => {
    const alert = await signInFailing(
      'Failed to sign-in, unable to resolve user identity',
    );
    expect(alert).toHaveTextContent(
      'You signed in to Example Corp SSO, but this portal has no user with your email address.',
    );
  });

  it('offers the SSO only', async () => {
    await renderPage('unused');
    await waitFor(() => expect(screen.getAllByRole('button')).toHaveLength(1));
  });
});
