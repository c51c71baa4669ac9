import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { InfraConfig, namePrefix } from '../config';

export const REDIS_PORT = 6379;

export interface SummaryCacheProps {
  config: InfraConfig;
  vpc: ec2.IVpc;
  key: kms.IKey;
  /** The only security group allowed to connect: the backend pods'. */
  clientSecurityGroup: ec2.ISecurityGroup;
}

/**
 * The backend's summary cache: an ElastiCache (Valkey/Redis OSS)
 * replication group with TLS and an AUTH token.
 */
export class SummaryCache extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly authToken: secretsmanager.Secret;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: SummaryCacheProps) {
    super(scope, id);
    const { redis } = props.config.platform;

    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'ElastiCache AUTH token of the Real-time Insights cache',
      encryptionKey: props.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'token',
        // AUTH tokens: 16-128 printable characters without @, " and /.
        excludePunctuation: true,
        passwordLength: 64,
      },
    });
    Validations.of(this.authToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'ElastiCache AUTH rotation needs a two-step ROTATE/SET modify of the replication group that no managed rotation function does; the token is rotated by runbook (docs in infra/README.md).',
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Redis: port 6379 from the portal backend pods only',
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(
      props.clientSecurityGroup,
      ec2.Port.tcp(REDIS_PORT),
      'portal backend pods',
    );

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'Isolated data subnets of the Real-time Insights VPC',
      subnetIds: props.vpc.selectSubnets({
        subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
      }).subnetIds,
    });

    // L1: there is no stable L2 for ElastiCache replication groups. Two nodes
    // (primary + replica) in different AZs, automatic failover, TLS required
    // in transit, AUTH token from Secrets Manager, KMS at rest.
    this.replicationGroup = new elasticache.CfnReplicationGroup(
      this,
      'ReplicationGroup',
      {
        replicationGroupDescription: `${namePrefix(
          props.config,
        )} query summary cache`,
        engine: redis.engine,
        engineVersion: redis.engineVersion,
        cacheNodeType: redis.nodeType,
        numCacheClusters: 2,
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        transitEncryptionEnabled: true,
        transitEncryptionMode: 'required',
        atRestEncryptionEnabled: true,
        kmsKeyId: props.key.keyArn,
        authToken: this.authToken.secretValueFromJson('token').unsafeUnwrap(),
        port: REDIS_PORT,
        cacheSubnetGroupName: subnetGroup.ref,
        securityGroupIds: [this.securityGroup.securityGroupId],
        snapshotRetentionLimit: redis.snapshotRetentionDays,
        autoMinorVersionUpgrade: true,
      },
    );
    Validations.of(this.replicationGroup).acknowledge({
      id: 'AwsSolutions-AEC5',
      reason:
        'The default port 6379 is kept on purpose (backend REDIS_URL, NetworkPolicies); access is limited by the security group to the backend pods, TLS and AUTH, not by port obscurity.',
    });
  }
}
