import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  oidcAuthenticator,
  oidcSignInResolvers,
} from '@backstage/plugin-auth-backend-module-oidc-provider';
import {
  authProvidersExtensionPoint,
  createOAuthAuthenticator,
  createOAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/**
 * A context whose `promise` (the provider's discovered metadata and client)
 * is made again on the next use after it failed, instead of failing every
 * sign-in until the process restarts.
 */
export function rediscovering<C extends { promise: Promise<unknown> }>(
  initialize: () => C,
): C {
  const state = { context: initialize(), failed: false };
  const watch = (context: C) => {
    // Marks this context failed, and keeps a failure nobody awaits yet
    // from being an unhandled rejection.
    context.promise.catch(() => {
      if (state.context === context) state.failed = true;
    });
  };
  watch(state.context);
  return {
    ...state.context,
    get promise() {
      if (state.failed) {
        state.context = initialize();
        state.failed = false;
        watch(state.context);
      }
      return state.context.promise;
    },
  };
}

/**
 * Backstage's OIDC authenticator discovers the provider's metadata once,
 * when the backend starts. If the company SSO does not answer then (a
 * network blip, the SSO restarting), every sign-in fails until the pod
 * restarts. This one discovers again on the next sign-in after a failure;
 * the failing one reports what failed.
 */
export const rediscoveringOidcAuthenticator = createOAuthAuthenticator({
  ...oidcAuthenticator,
  initialize(options) {
    return rediscovering(() => oidcAuthenticator.initialize(options));
  },
});

/** The `oidc` sign-in provider (the company SSO), as the upstream module registers it. */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'oidc-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'oidc',
          factory: createOAuthProviderFactory({
            authenticator: rediscoveringOidcAuthenticator,
            signInResolverFactories: { ...oidcSignInResolvers },
          }),
        });
      },
    });
  },
});
