import { Aws } from 'aws-cdk-lib';
import type { DataClass } from '@internal/plugin-realtime-insights-common';

/**
 * Everything a deployment may vary. `defaultInfraConfig` fills in sane
 * defaults; `cdk.json` context (`-c rti='{...}'`) overrides any of them.
 */
export interface InfraConfig {
  /** Deployment stage, part of every name (`rti-<stage>-…`). */
  stage: string;
  /** Target account. Unset: env-agnostic stacks, synth needs no account lookups. */
  account?: string;
  region: string;
  /** Tags applied to every resource. */
  tags: Record<string, string>;
  ingestion: {
    /** Days before event objects (the query source) expire. Unset: kept forever. */
    eventExpirationDays?: number;
    /** Days before event objects move to S3 Intelligent-Tiering (infrequently read history). */
    eventIntelligentTieringAfterDays: number;
    /** Days before raw-backup objects move to Glacier Flexible Retrieval. */
    backupGlacierAfterDays: number;
    /** Days before raw-backup objects expire. Unset: kept forever. */
    backupExpirationDays?: number;
    /** Days before finished report exports expire. */
    reportExpirationDays: number;
    /** Days server access logs are kept. */
    accessLogExpirationDays: number;
    /** CloudWatch retention of Firehose and Lambda logs, days. */
    logRetentionDays: number;
    /**
     * Firehose buffering overrides. Unset: the shared stream defaults that
     * firehose-local uses too (`defaultStreamConfig`).
     */
    bufferingSizeMiB?: number;
    bufferingIntervalSeconds?: number;
    /** Transform Lambda memory, MiB. */
    transformMemoryMiB: number;
    /**
     * Whether devices may get credentials without signing in (the mobile SDK's
     * guest identities). Off by default: devices sign in through the
     * developer provider below.
     */
    allowUnauthenticatedIdentities: boolean;
    /** Developer-authenticated identities provider name of the identity pool. */
    developerProviderName: string;
  };
  platform: {
    vpcCidr: string;
    /** AZs to spread subnets over (≥ 2 for Redis failover and the portal's spread). */
    maxAzs: number;
    /** NAT gateways: 1 is cheaper, one per AZ survives an AZ outage. */
    natGateways: number;
    kubernetesVersion: string;
    /** Instance types of the managed spot node group (several, for spot capacity). */
    spotInstanceTypes: string[];
    nodes: { min: number; desired: number; max: number };
    /** IAM role ARN granted cluster-admin via an EKS access entry. */
    clusterAdminRoleArn?: string;
    redis: {
      engine: 'valkey' | 'redis';
      engineVersion: string;
      nodeType: string;
      snapshotRetentionDays: number;
    };
    database: {
      /** Aurora PostgreSQL engine version. */
      engineVersion: string;
      /** Aurora Serverless v2 capacity, ACU. */
      minCapacity: number;
      maxCapacity: number;
      backupRetentionDays: number;
    };
    /** Helm charts of the cluster add-ons the portal relies on. */
    charts: {
      certManager: { repository: string; version: string };
      externalSecrets: { repository: string; version: string };
    };
  };
  portal: {
    namespace: string;
    /** Public host name of the portal; PORTAL_BASE_URL is https://<hostname>. */
    hostname: string;
    /** ACM certificate of the ALB listener. Unset: the controller discovers it by host. */
    certificateArn?: string;
    /** `internal` keeps the portal on the corporate network (behind the SSO anyway). */
    albScheme: 'internal' | 'internet-facing';
    /** CIDRs allowed to reach the ALB. */
    albInboundCidrs: string[];
    imageTag: string;
    /**
     * The company's people and teams for the portal's catalog (Users with
     * `spec.profile.email`, which SSO sign-in matches, and Groups), a path
     * from the repository root. The portal admits only User and Group
     * entities from it.
     */
    orgCatalogFile: string;
    replicas: number;
    maxReplicas: number;
    resources: {
      cpuRequest: string;
      memoryRequest: string;
      cpuLimit: string;
      memoryLimit: string;
    };
  };
}

/** Deep-partial overrides, as read from CDK context. */
export type InfraConfigOverrides = {
  [K in keyof InfraConfig]?: InfraConfig[K] extends Record<string, unknown>
    ? Partial<InfraConfig[K]>
    : InfraConfig[K];
};

export function defaultInfraConfig(stage = 'prod'): InfraConfig {
  return {
    stage,
    region: 'eu-central-1',
    tags: { project: 'realtime-insights', stage },
    ingestion: {
      eventExpirationDays: undefined,
      eventIntelligentTieringAfterDays: 30,
      backupGlacierAfterDays: 30,
      backupExpirationDays: 365,
      reportExpirationDays: 14,
      accessLogExpirationDays: 90,
      logRetentionDays: 30,
      transformMemoryMiB: 512,
      allowUnauthenticatedIdentities: false,
      developerProviderName: 'rti.devices',
    },
    platform: {
      vpcCidr: '10.40.0.0/16',
      maxAzs: 3,
      natGateways: 1,
      kubernetesVersion: '1.35',
      spotInstanceTypes: ['m7i.large', 'm6i.large', 'm6a.large', 'm5.large'],
      nodes: { min: 3, desired: 3, max: 9 },
      clusterAdminRoleArn: undefined,
      redis: {
        engine: 'valkey',
        engineVersion: '8.0',
        nodeType: 'cache.t4g.medium',
        snapshotRetentionDays: 1,
      },
      database: {
        engineVersion: '16.6',
        minCapacity: 0.5,
        maxCapacity: 4,
        backupRetentionDays: 7,
      },
      charts: {
        certManager: {
          repository: 'https://charts.jetstack.io',
          version: 'v1.18.2',
        },
        externalSecrets: {
          repository: 'https://charts.external-secrets.io',
          version: '0.19.2',
        },
      },
    },
    portal: {
      namespace: 'rti-portal',
      hostname: 'insights.example.com',
      certificateArn: undefined,
      albScheme: 'internal',
      albInboundCidrs: ['10.0.0.0/8'],
      imageTag: '0.1.0',
      orgCatalogFile: 'examples/org.yaml',
      replicas: 3,
      maxReplicas: 10,
      resources: {
        cpuRequest: '500m',
        memoryRequest: '1Gi',
        cpuLimit: '2',
        memoryLimit: '2Gi',
      },
    },
  };
}

/** Defaults for the stage, with the overrides merged in one level deep. */
export function resolveInfraConfig(
  overrides: InfraConfigOverrides = {},
): InfraConfig {
  const base = defaultInfraConfig(overrides.stage);
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = (base as unknown as Record<string, unknown>)[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value)
        ? { ...current, ...value }
        : value;
  }
  const config = merged as unknown as InfraConfig;
  validateInfraConfig(config);
  return config;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fails early, naming the field, on values CloudFormation would reject late. */
export function validateInfraConfig(config: InfraConfig): void {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,11}$/.test(config.stage))
    problems.push('stage: 1-12 lower-case letters, digits, hyphens');
  if (config.account !== undefined && !/^\d{12}$/.test(config.account))
    problems.push('account: must be a 12-digit AWS account id');
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(config.region))
    problems.push('region: must be an AWS region such as eu-central-1');
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(config.platform.vpcCidr))
    problems.push('platform.vpcCidr: must be an IPv4 CIDR');
  if (config.platform.maxAzs < 2)
    problems.push('platform.maxAzs: Redis failover needs at least 2 AZs');
  const { nodes } = config.platform;
  if (!(nodes.min <= nodes.desired && nodes.desired <= nodes.max))
    problems.push('platform.nodes: must satisfy min <= desired <= max');
  if (config.portal.replicas < 3)
    problems.push('portal.replicas: at least 3 (one per AZ)');
  if (config.portal.maxReplicas < config.portal.replicas)
    problems.push('portal.maxReplicas: must be >= portal.replicas');
  const { ingestion } = config;
  if (
    ingestion.backupExpirationDays !== undefined &&
    ingestion.backupExpirationDays <= ingestion.backupGlacierAfterDays
  )
    problems.push(
      'ingestion.backupExpirationDays: must be after backupGlacierAfterDays',
    );
  if (problems.length)
    throw new Error(`Invalid infra config: ${problems.join('; ')}`);
}

/** `rti-<stage>`: the prefix of every physical name. */
export function namePrefix(config: InfraConfig): string {
  return `rti-${config.stage}`;
}

/** Delivery stream name of a data class; ends in `-<class>` so the transform recognises it. */
export function deliveryStreamName(
  config: InfraConfig,
  dataClass: DataClass,
): string {
  return `${namePrefix(config)}-${dataClass}`;
}

/**
 * Bucket names are deterministic (globally unique through account and
 * region) so that the platform's policies and the portal's app-config name
 * them without cross-stack exports.
 */
export function bucketName(
  config: InfraConfig,
  bucket: DataClass | 'raw-backup' | 'reports',
): string {
  return `${namePrefix(config)}-${bucket}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}
