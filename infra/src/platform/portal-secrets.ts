import { Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface PortalSecretsProps {
  key: kms.IKey;
}

/**
 * The portal's own secrets in Secrets Manager; External Secrets copies them
 * into Kubernetes secrets. Database and Redis secrets live with their stores.
 */
export class PortalSecrets extends Construct {
  /** `AUTH_SESSION_SECRET`: signs the auth backend's session cookie (OIDC login state). */
  readonly sessionSecret: secretsmanager.Secret;
  /** `OIDC_METADATA_URL`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET` of the company SSO. */
  readonly oidc: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PortalSecretsProps) {
    super(scope, id);

    this.sessionSecret = new secretsmanager.Secret(this, 'SessionSecret', {
      description: 'AUTH_SESSION_SECRET of the Real-time Insights portal',
      encryptionKey: props.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'AUTH_SESSION_SECRET',
        excludePunctuation: true,
        passwordLength: 48,
      },
    });
    Validations.of(this.sessionSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Backstage reads auth.session.secret at start; rotating it needs a rolling restart of the portal (sign-ins in progress start over), done by runbook (infra/README.md).',
    });

    // Filled in by the SSO team after the first deploy; the IdP owns the
    // client secret and its rotation.
    this.oidc = new secretsmanager.Secret(this, 'Oidc', {
      description:
        'Company SSO (OIDC) client of the Real-time Insights portal: fill in OIDC_METADATA_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET',
      encryptionKey: props.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          OIDC_METADATA_URL:
            'https://sso.example.com/.well-known/openid-configuration',
          OIDC_CLIENT_ID: 'set-me',
        }),
        generateStringKey: 'OIDC_CLIENT_SECRET',
        excludePunctuation: true,
      },
    });
    Validations.of(this.oidc).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The OIDC client secret is issued and rotated by the identity provider, not by AWS; operators update this secret when the IdP rotates it.',
    });
  }
}
