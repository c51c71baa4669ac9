/** OpenSSL's verdicts on a certificate Node does not trust. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** How OpenSSL words those verdicts, for errors re-thrown without a code. */
const UNTRUSTED_MESSAGE =
  /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate/i;

type StartupResult = {
  plugins?: Array<{
    failure?: { error?: unknown };
    modules?: Array<{ failure?: { error?: unknown } }>;
  }>;
};

/**
 * The error and everything under it: causes, and each plugin's and
 * module's failure of a BackendStartupError (its `result`).
 */
function causes(error: unknown): unknown[] {
  const found: unknown[] = [];
  const queue = [error];
  while (queue.length > 0 && found.length < 200) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || found.includes(e)) continue;
    found.push(e);
    queue.push((e as Error).cause);
    const result = (e as { result?: StartupResult }).result;
    for (const plugin of result?.plugins ?? []) {
      queue.push(plugin.failure?.error);
      for (const mod of plugin.modules ?? []) queue.push(mod.failure?.error);
    }
  }
  return found;
}

/**
 * What a failed start-up means to an operator, when we know better than
 * the error does; undefined otherwise.
 *
 * At start-up the plugins migrate their PostgreSQL databases: the only TLS
 * connection that must succeed before the portal runs (Redis is optional,
 * S3 and the SSO are reached on first use). A certificate Node does not
 * trust there means the CA setting is missing or names the wrong bundle.
 */
export function explainStartupFailure(error: unknown): string | undefined {
  const untrusted = causes(error).find(
    e =>
      UNTRUSTED_CERTIFICATE.has((e as { code?: string }).code ?? '') ||
      UNTRUSTED_MESSAGE.test((e as Error).message ?? ''),
  ) as Error | undefined;
  if (!untrusted) return undefined;
  return [
    `The backend could not start: PostgreSQL's TLS certificate is not trusted (${untrusted.message}).`,
    'Set backend.database.connection.ssl.ca to the certificate authority that signed it:',
    'in app-config.production.yaml that is the file POSTGRES_CA_FILE names (the image',
    "carries AWS's RDS bundle at /etc/rti/rds-global-bundle.pem). Do not turn off",
    'rejectUnauthorized.',
  ].join('\n');
}
