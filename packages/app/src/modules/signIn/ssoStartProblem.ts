import { DiscoveryApi } from '@backstage/frontend-plugin-api';

/**
 * Why the auth backend cannot start an SSO sign-in, or undefined when it
 * can (it answers the start with a redirect to the provider). A popup
 * that was closed on a raw error page tells the app nothing; this asks the
 * same URL the popup opened, without following the redirect.
 */
export async function ssoStartProblem(
  discoveryApi: DiscoveryApi,
  environment: string,
  fetchFn: typeof fetch = fetch,
): Promise<string | undefined> {
  const base = await discoveryApi.getBaseUrl('auth');
  const query = new URLSearchParams({ env: environment, scope: 'openid' });
  let response: Response;
  try {
    response = await fetchFn(`${base}/oidc/start?${query}`, {
      redirect: 'manual',
      credentials: 'include',
    });
  } catch (error) {
    return `the portal's backend did not answer (${(error as Error).message})`;
  }
  if (response.type === 'opaqueredirect' || response.status < 400) {
    return undefined;
  }
  try {
    const body = await response.json();
    const message = body?.error?.message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // not Backstage's JSON error
  }
  return `HTTP ${response.status}`;
}
