import { ConfigApi } from '@backstage/frontend-plugin-api';

export type SignInProviderId = 'oidc' | 'guest';

export type SignInSettings = {
  /** Offered in this order; unknown names are left out. */
  providers: SignInProviderId[];
  oidc: { title: string; iconUrl?: string };
};

/** `app.signIn` (packages/app/config.d.ts). Without it, guest only. */
export function signInSettings(config: ConfigApi): SignInSettings {
  const providers = (
    config.getOptionalStringArray('app.signIn.providers') ?? ['guest']
  ).filter((p): p is SignInProviderId => p === 'oidc' || p === 'guest');
  return {
    providers,
    oidc: {
      title:
        config.getOptionalString('app.signIn.oidc.title') ?? 'single sign-on',
      iconUrl: config.getOptionalString('app.signIn.oidc.iconUrl'),
    },
  };
}
