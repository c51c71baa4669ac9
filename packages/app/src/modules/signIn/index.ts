import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { oidcAuthApi } from './oidcAuthApi';

const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => (await import('./SsoSignInPage')).PortalSignInPage,
  },
});

/** The sign-in page and the SSO's auth API, replacing the app's guest-only default. */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [oidcAuthApi, signInPage],
});

export { oidcAuthApiRef } from './oidcAuthApi';
