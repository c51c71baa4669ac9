export interface Config {
  app: {
    /** What the sign-in page offers. */
    signIn?: {
      /**
       * Providers offered, in order: `oidc` (the company's single sign-on,
       * auth.providers.oidc) and `guest` (local only, auth.providers.guest).
       * @visibility frontend
       */
      providers: Array<'oidc' | 'guest'>;
      oidc?: {
        /**
         * The button reads "Sign in with <title>", e.g. "Acme SSO".
         * @visibility frontend
         */
        title?: string;
        /**
         * An image shown beside the title (a URL or a data: URI).
         * @visibility frontend
         */
        iconUrl?: string;
      };
    };
  };
}
