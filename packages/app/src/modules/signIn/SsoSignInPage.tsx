import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  SignInPage,
  SignInProviderConfig,
  UserIdentity,
} from '@backstage/core-components';
import {
  configApiRef,
  discoveryApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useEffect, useState } from 'react';
import { oidcAuthApiRef } from './oidcAuthApi';
import { SignInSettings, signInSettings } from './signInSettings';
import { ssoStartProblem } from './ssoStartProblem';

/** The sign-in window went away without an answer. */
const isPopupClosed = (message: string) =>
  /popup|closed|rejected/i.test(message);

/**
 * What a failed sign-in means to the person trying. The auth backend
 * answers "unable to resolve user identity" when the SSO account's email
 * matches no catalog User, and passes on the provider's OAuth errors.
 */
export function explainSignInFailure(error: unknown, sso: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/resolve user identity|user not found|no user/i.test(message)) {
    return `You signed in to ${sso}, but this portal has no user with your email address. Ask the portal's administrators to add you to the catalog, then sign in again.`;
  }
  if (/invalid_client|unauthorized_client/i.test(message)) {
    return `${sso} refused the portal's client credentials (${message}). The portal's administrators must check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET against the portal's registration at ${sso}.`;
  }
  if (/unexpected iss|issuer/i.test(message)) {
    return `${sso} answered as another issuer than the portal expects (${message}). The portal's administrators must check OIDC_METADATA_URL.`;
  }
  if (isPopupClosed(message)) {
    return `The sign-in window was closed before ${sso} answered. Try again, and allow pop-ups for this site.`;
  }
  return `Sign-in through ${sso} failed: ${message}`;
}

/** The portal could not even send the person to the SSO. */
export function explainStartProblem(problem: string, sso: string): string {
  return `The portal cannot reach ${sso} to start signing in (${problem}). The portal's administrators must check OIDC_METADATA_URL and that ${sso} answers there.`;
}

/**
 * The portal's sign-in page: the company's SSO (OIDC), and the guest where
 * the local stack configures it (`app.signIn.providers`).
 */
export function PortalSignInPage(props: SignInPageProps) {
  const settings = signInSettings(useApi(configApiRef));
  if (!settings.providers.includes('oidc')) {
    return <SignInPage {...props} providers={['guest']} align="center" />;
  }
  if (settings.providers.includes('guest')) {
    // Both: Backstage's own page, the SSO as one of its providers.
    const sso: SignInProviderConfig = {
      id: 'oidc',
      title: `Sign in with ${settings.oidc.title}`,
      message: 'Use your company account',
      apiRef: oidcAuthApiRef,
    };
    return <SignInPage {...props} providers={[sso, 'guest']} align="center" />;
  }
  return <SsoSignInPage {...props} settings={settings} />;
}

function SsoSignInPage({
  onSignInSuccess,
  settings,
}: SignInPageProps & { settings: SignInSettings }) {
  const authApi = useApi(oidcAuthApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const environment =
    useApi(configApiRef).getOptionalString('auth.environment') ?? 'development';
  const appTitle =
    useApi(configApiRef).getOptionalString('app.title') ?? 'Backstage';
  const sso = settings.oidc.title;
  const [state, setState] = useState<
    { kind: 'restoring' } | { kind: 'idle' } | { kind: 'signing-in' }
  >({ kind: 'restoring' });
  const [failure, setFailure] = useState<string>();

  const finish = useCallback(
    async (instantPopup: boolean) => {
      const identity = await authApi.getBackstageIdentity(
        instantPopup ? { instantPopup: true } : { optional: true },
      );
      if (!identity) return false;
      const profile = await authApi.getProfile();
      onSignInSuccess(
        UserIdentity.create({ identity: identity.identity, profile, authApi }),
      );
      return true;
    },
    [authApi, onSignInSuccess],
  );

  // A session kept by the auth backend's refresh cookie signs in silently.
  useEffect(() => {
    let cancelled = false;
    finish(false)
      .catch(() => false)
      .then(done => {
        if (!cancelled && !done) setState({ kind: 'idle' });
      });
    return () => {
      cancelled = true;
    };
  }, [finish]);

  const signIn = async () => {
    setFailure(undefined);
    setState({ kind: 'signing-in' });
    try {
      if (!(await finish(true))) {
        throw new Error(`${sso} returned no identity`);
      }
    } catch (error) {
      // A closed window may have shown the backend's error instead of the
      // SSO's login page: ask the backend what it said.
      const message = error instanceof Error ? error.message : String(error);
      const problem = isPopupClosed(message)
        ? await ssoStartProblem(discoveryApi, environment).catch(
            () => undefined,
          )
        : undefined;
      setFailure(
        problem
          ? explainStartProblem(problem, sso)
          : explainSignInFailure(error, sso),
      );
      setState({ kind: 'idle' });
    }
  };

  return (
    <Page themeId="home">
      <Header title={appTitle} />
      <Content>
        {state.kind === 'restoring' ? (
          <Progress />
        ) : (
          <Grid container justifyContent="center" spacing={2}>
            <Grid item xs={12} md={6} lg={4}>
              {failure && (
                <Alert
                  severity="error"
                  role="alert"
                  style={{ marginBottom: 16 }}
                >
                  {failure}
                </Alert>
              )}
              <InfoCard
                title={
                  <span
                    style={{ display: 'flex', alignItems: 'center', gap: 12 }}
                  >
                    {settings.oidc.iconUrl && (
                      <img
                        src={settings.oidc.iconUrl}
                        alt=""
                        width={32}
                        height={32}
                      />
                    )}
                    {`Sign in with ${sso}`}
                  </span>
                }
              >
                <Typography variant="body1" paragraph>
                  Use your company account. A window of {sso} opens; once you
                  have signed in there, it closes and you are back here.
                </Typography>
                <Button
                  color="primary"
                  variant="contained"
                  onClick={signIn}
                  disabled={state.kind === 'signing-in'}
                >
                  {state.kind === 'signing-in'
                    ? 'Signing in…'
                    : `Sign in with ${sso}`}
                </Button>
              </InfoCard>
            </Grid>
          </Grid>
        )}
      </Content>
    </Page>
  );
}
