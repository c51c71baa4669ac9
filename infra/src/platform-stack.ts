import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import { bucketName, InfraConfig, namePrefix } from './config';
import {
  acknowledgeMatchingFindings,
  BUCKET_GRANT_FINDINGS,
  CDK_EKS_MANAGED_FINDINGS,
} from './nag';
import { SummaryCache } from './platform/cache';
import { PortalDatabase } from './platform/database';
import { Network } from './platform/network';
import { PortalCluster } from './platform/portal-cluster';
import { PortalSecrets } from './platform/portal-secrets';

export interface PlatformStackProps extends StackProps {
  config: InfraConfig;
  /** The key of the ingestion buckets (the backend decrypts events, encrypts reports). */
  dataKey: kms.IKey;
}

/** Network, EKS, the summary cache and the portal database. */
export class PlatformStack extends Stack {
  readonly platformKey: kms.Key;
  readonly network: Network;
  readonly portalCluster: PortalCluster;
  readonly cache: SummaryCache;
  readonly database: PortalDatabase;
  readonly portalSecrets: PortalSecrets;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.platformKey = new kms.Key(this, 'PlatformKey', {
      alias: `alias/${namePrefix(config)}-platform`,
      description:
        'Encrypts Real-time Insights platform data: Redis, PostgreSQL, Secrets Manager',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
    });

    // A key of its own for etcd: the cluster's creation role must use it
    // before any service account role exists (the platform key's policy
    // names those roles through the Secrets Manager grants).
    const clusterSecretsKey = new kms.Key(this, 'ClusterSecretsKey', {
      alias: `alias/${namePrefix(config)}-eks-secrets`,
      description: 'Encrypts Kubernetes secrets in the portal cluster etcd',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
    });

    this.network = new Network(this, 'Network', { config });
    this.portalCluster = new PortalCluster(this, 'Portal', {
      config,
      vpc: this.network.vpc,
      secretsKey: clusterSecretsKey,
    });
    const clientSecurityGroup = this.portalCluster.backendPodsSecurityGroup;
    this.cache = new SummaryCache(this, 'Cache', {
      config,
      vpc: this.network.vpc,
      key: this.platformKey,
      clientSecurityGroup,
    });
    this.database = new PortalDatabase(this, 'Database', {
      config,
      vpc: this.network.vpc,
      key: this.platformKey,
      clientSecurityGroup,
    });
    this.portalSecrets = new PortalSecrets(this, 'PortalSecrets', {
      key: this.platformKey,
    });

    // The backend queries history read-only and writes report exports.
    const backend = this.portalCluster.backendServiceAccount;
    const bucket = (
      constructId: string,
      name: Parameters<typeof bucketName>[1],
    ) =>
      s3.Bucket.fromBucketAttributes(this, constructId, {
        bucketName: bucketName(config, name),
        encryptionKey: props.dataKey,
      });
    for (const dataClass of DATA_CLASSES) {
      bucket(`Events-${dataClass}`, dataClass).grantRead(backend);
    }
    bucket('Reports', 'reports').grantReadWrite(backend);

    // External Secrets copies exactly these into Kubernetes secrets.
    const externalSecrets = this.portalCluster.externalSecretsServiceAccount;
    for (const secret of this.portalSecretSources()) {
      secret.grantRead(externalSecrets);
    }

    acknowledgeMatchingFindings(backend, BUCKET_GRANT_FINDINGS);

    new CfnOutput(this, 'ClusterName', {
      value: this.portalCluster.cluster.clusterName,
    });
    new CfnOutput(this, 'RedisPrimaryEndpoint', {
      description: 'Host of REDIS_URL (rediss://:<token>@<host>:6379)',
      value: this.cache.replicationGroup.attrPrimaryEndPointAddress,
    });
    new CfnOutput(this, 'RedisAuthTokenSecretArn', {
      value: this.cache.authToken.secretArn,
    });
    new CfnOutput(this, 'PostgresHost', {
      description: 'POSTGRES_HOST',
      value: this.database.cluster.clusterEndpoint.hostname,
    });
    new CfnOutput(this, 'PostgresSecretArn', {
      description: 'POSTGRES_USER / POSTGRES_PASSWORD',
      value: this.database.cluster.secret!.secretArn,
    });
    new CfnOutput(this, 'BackendRoleArn', {
      description: 'Pod Identity role of the backend (S3 access)',
      value: backend.role.roleArn,
    });
  }

  /**
   * Acknowledges the findings in what aws-cdk-lib's EKS module generates
   * (providers, creation role, kubectl role, load balancer controller).
   * Called once all stacks exist: later stacks add to these roles.
   */
  acknowledgeCdkManagedFindings(): void {
    const cluster = this.portalCluster.cluster;
    const scopes = [
      this.node.tryFindChild('@aws-cdk--aws-eks.ClusterResourceProvider'),
      this.node.tryFindChild('@aws-cdk--aws-eks.KubectlProvider'),
      cluster.albController,
      cluster.node.tryFindChild('Resource'),
      cluster.node.tryFindChild('KubectlHandlerRole'),
    ];
    for (const scope of scopes) {
      if (scope) acknowledgeMatchingFindings(scope, CDK_EKS_MANAGED_FINDINGS);
    }
  }

  /** Every Secrets Manager secret the portal's pods get through External Secrets. */
  portalSecretSources() {
    return [
      this.cache.authToken,
      this.database.cluster.secret!,
      this.portalSecrets.sessionSecret,
      this.portalSecrets.oidc,
    ];
  }
}
