import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config';

export const POSTGRES_PORT = 5432;

export interface PortalDatabaseProps {
  config: InfraConfig;
  vpc: ec2.IVpc;
  key: kms.IKey;
  clientSecurityGroup: ec2.ISecurityGroup;
}

/** Backstage's PostgreSQL (settings, report jobs, catalog): Aurora Serverless v2. */
export class PortalDatabase extends Construct {
  readonly cluster: rds.DatabaseCluster;

  constructor(scope: Construct, id: string, props: PortalDatabaseProps) {
    super(scope, id);
    const { database } = props.config.platform;
    const [major] = database.engineVersion.split('.');

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: port 5432 from the portal backend pods only',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(
      props.clientSecurityGroup,
      ec2.Port.tcp(POSTGRES_PORT),
      'portal backend pods',
    );

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({
        version: rds.AuroraPostgresEngineVersion.of(
          database.engineVersion,
          major,
        ),
      }),
      credentials: rds.Credentials.fromGeneratedSecret('backstage', {
        encryptionKey: props.key,
      }),
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      // A reader in another AZ: Aurora fails over to it.
      readers: [
        rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true }),
      ],
      serverlessV2MinCapacity: database.minCapacity,
      serverlessV2MaxCapacity: database.maxCapacity,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      port: POSTGRES_PORT,
      storageEncrypted: true,
      storageEncryptionKey: props.key,
      iamAuthentication: true,
      deletionProtection: true,
      backup: { retention: Duration.days(database.backupRetentionDays) },
      cloudwatchLogsExports: ['postgresql'],
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });

    Validations.of(this.cluster).acknowledge(
      {
        id: 'AwsSolutions-RDS11',
        reason:
          'The default port 5432 is kept (POSTGRES_PORT, NetworkPolicies); the cluster is in isolated subnets and its security group admits the backend pods only.',
      },
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Backstage reads POSTGRES_PASSWORD once at start; automatic rotation would break running pods until restarted. Rotated by runbook with a rolling restart (infra/README.md).',
      },
    );
  }
}
