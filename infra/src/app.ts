import { App, Stage, Tags } from 'aws-cdk-lib';
import { InfraConfig } from './config';
import { IngestionStack } from './ingestion-stack';
import { PlatformStack } from './platform-stack';
import { PortalStack } from './portal-stack';

export interface RealtimeInsightsStacks {
  ingestion: IngestionStack;
  platform: PlatformStack;
  portal: PortalStack;
}

/** The three stacks, wired: ingestion → platform → portal. */
export function createRealtimeInsightsStacks(
  scope: App | Stage,
  config: InfraConfig,
): RealtimeInsightsStacks {
  const env = { account: config.account, region: config.region };
  const prefix = `Rti-${config.stage}`;

  const ingestion = new IngestionStack(scope, `${prefix}-Ingestion`, {
    config,
    env,
    description:
      'Real-time Insights: Firehose streams, buckets, KMS, device identity pool',
  });
  const platform = new PlatformStack(scope, `${prefix}-Platform`, {
    config,
    env,
    dataKey: ingestion.dataKey,
    description: 'Real-time Insights: VPC, EKS, ElastiCache, Aurora PostgreSQL',
  });
  const portal = new PortalStack(scope, `${prefix}-Portal`, {
    config,
    env,
    platform,
    description: 'Real-time Insights: the Backstage portal on EKS',
  });
  platform.acknowledgeCdkManagedFindings();

  for (const [key, value] of Object.entries(config.tags)) {
    Tags.of(scope).add(key, value);
  }
  return { ingestion, platform, portal };
}
