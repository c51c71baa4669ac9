import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks';
import { Construct } from 'constructs';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import type { DataClass } from '@internal/plugin-realtime-insights-common';
import { bucketName, deliveryStreamName, InfraConfig } from './config';
import type { PlatformStack } from './platform-stack';
import { REDIS_PORT } from './platform/cache';
import { POSTGRES_PORT } from './platform/database';
import {
  BACKEND_PORT,
  BACKEND_SERVICE_ACCOUNT,
} from './platform/portal-cluster';
import {
  PortalManifestParams,
  portalSupportManifests,
  portalWorkloadManifests,
} from './portal/manifests';
import { orgCatalogYaml, streamCatalogYaml } from './portal/catalog';
import { objectSpanSeconds } from './ingestion/delivery-streams';

export interface PortalStackProps extends StackProps {
  config: InfraConfig;
  platform: PlatformStack;
}

/** The Backstage portal on the platform's EKS cluster. */
export class PortalStack extends Stack {
  readonly repository: ecr.Repository;
  readonly manifestParams: PortalManifestParams;
  readonly support: eks.KubernetesManifest;
  readonly workload: eks.KubernetesManifest;

  constructor(scope: Construct, id: string, props: PortalStackProps) {
    super(scope, id, props);
    const { config, platform } = props;
    const { portal } = config;
    const cluster = platform.portalCluster;

    // Built from infra/docker/Dockerfile and pushed by CI (see README).
    this.repository = new ecr.Repository(this, 'BackendImages', {
      repositoryName: `rti-${config.stage}/portal-backend`,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      lifecycleRules: [{ maxImageCount: 30 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const eventBuckets = Object.fromEntries(
      DATA_CLASSES.map(c => [c, bucketName(config, c)]),
    ) as Record<DataClass, string>;
    this.manifestParams = {
      namespace: cluster.namespace,
      image: this.repository.repositoryUriForTag(portal.imageTag),
      hostname: portal.hostname,
      region: Stack.of(this).region,
      replicas: portal.replicas,
      maxReplicas: portal.maxReplicas,
      resources: portal.resources,
      serviceAccountName: BACKEND_SERVICE_ACCOUNT,
      backendPort: BACKEND_PORT,
      vpcCidr: config.platform.vpcCidr,
      alb: {
        scheme: portal.albScheme,
        securityGroupId: cluster.albSecurityGroup.securityGroupId,
        certificateArn: portal.certificateArn,
      },
      podSecurityGroupIds: [
        cluster.backendPodsSecurityGroup.securityGroupId,
        // DNS and node traffic: the cluster group every node and pod shares.
        cluster.cluster.clusterSecurityGroupId,
      ],
      redis: {
        host: platform.cache.replicationGroup.attrPrimaryEndPointAddress,
        port: REDIS_PORT,
        authTokenSecretArn: platform.cache.authToken.secretArn,
      },
      database: {
        port: POSTGRES_PORT,
        secretArn: platform.database.cluster.secret!.secretArn,
      },
      sessionSecretArn: platform.portalSecrets.sessionSecret.secretArn,
      oidcSecretArn: platform.portalSecrets.oidc.secretArn,
      eventBuckets,
      reports: { bucket: bucketName(config, 'reports') },
      catalog: {
        orgYaml: orgCatalogYaml(portal.orgCatalogFile),
        streamsYaml: streamCatalogYaml({
          buckets: eventBuckets,
          deliveryStreams: Object.fromEntries(
            DATA_CLASSES.map(c => [c, deliveryStreamName(config, c)]),
          ) as Record<DataClass, string>,
          objectSpanSeconds: Object.fromEntries(
            DATA_CLASSES.map(c => [c, objectSpanSeconds(config, c)]),
          ) as Record<DataClass, number>,
        }),
      },
    };

    this.support = new eks.KubernetesManifest(this, 'PortalSupport', {
      cluster: cluster.cluster,
      manifest: portalSupportManifests(this.manifestParams),
      overwrite: true,
    });
    this.workload = new eks.KubernetesManifest(this, 'PortalWorkload', {
      cluster: cluster.cluster,
      manifest: portalWorkloadManifests(this.manifestParams),
      overwrite: true,
    });
    this.workload.node.addDependency(this.support);

    new CfnOutput(this, 'BackendImageRepository', {
      value: this.repository.repositoryUri,
    });
    new CfnOutput(this, 'PortalBaseUrl', {
      description: 'PORTAL_BASE_URL',
      value: `https://${portal.hostname}`,
    });
  }
}
