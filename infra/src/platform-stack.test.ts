import { Match } from 'aws-cdk-lib/assertions';
import {
  policyStatementsOfRole,
  synthesizeApp,
} from './__testing__/synthesize';

const { templates, stacks, config } = synthesizeApp();
const template = templates.platform;
const platform = stacks.platform;
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  platform.getLogicalId(construct.node.defaultChild as never);

describe('network', () => {
  it('builds the VPC from the configured CIDR with private and isolated subnets', () => {
    template.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: config.platform.vpcCidr,
    });
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    const byType = (type: string) =>
      subnets.filter(s =>
        s.Properties.Tags.some(
          (t: { Key: string; Value: string }) =>
            t.Key === 'aws-cdk:subnet-type' && t.Value === type,
        ),
      );
    expect(byType('Private').length).toBeGreaterThanOrEqual(2);
    expect(byType('Isolated').length).toBeGreaterThanOrEqual(2);
    for (const s of [...byType('Private'), ...byType('Isolated')]) {
      expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  it('routes S3 through a gateway endpoint', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])],
      }),
    });
  });

  it('logs rejected flows', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
    });
  });
});

describe('EKS', () => {
  const cluster = Object.values(
    template.findResources('Custom::AWSCDK-EKS-Cluster'),
  )[0].Properties.Config;

  it('has a private endpoint only', () => {
    expect(cluster.resourcesVpcConfig).toMatchObject({
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
    });
  });

  it('logs every control-plane log type', () => {
    expect(cluster.logging.clusterLogging[0]).toEqual({
      enabled: true,
      types: [
        'api',
        'audit',
        'authenticator',
        'controllerManager',
        'scheduler',
      ],
    });
  });

  it('encrypts Kubernetes secrets with a rotating KMS key', () => {
    expect(cluster.encryptionConfig).toEqual([
      {
        provider: { keyArn: expect.anything() },
        resources: ['secrets'],
      },
    ]);
    const keys = template.findResources('AWS::KMS::Key');
    for (const key of Object.values(keys)) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
    }
  });

  it('runs on a managed spot node group with several instance types', () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      CapacityType: 'SPOT',
      InstanceTypes: config.platform.spotInstanceTypes,
      ScalingConfig: {
        MinSize: config.platform.nodes.min,
        DesiredSize: config.platform.nodes.desired,
        MaxSize: config.platform.nodes.max,
      },
    });
    expect(config.platform.spotInstanceTypes.length).toBeGreaterThan(1);
  });

  it('enables security groups for pods and network policies in the VPC CNI', () => {
    const addon = Object.values(
      template.findResources('AWS::EKS::Addon', {
        Properties: { AddonName: 'vpc-cni' },
      }),
    )[0];
    expect(JSON.parse(addon.Properties.ConfigurationValues)).toMatchObject({
      enableNetworkPolicy: 'true',
      env: { ENABLE_POD_ENI: 'true' },
    });
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'metrics-server',
    });
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'eks-pod-identity-agent',
    });
  });

  it('installs the load balancer controller, cert-manager and External Secrets', () => {
    const charts = Object.values(
      template.findResources('Custom::AWSCDK-EKS-HelmChart'),
    ).map(c => c.Properties.Chart);
    expect(charts).toEqual(
      expect.arrayContaining([
        'aws-load-balancer-controller',
        'cert-manager',
        'external-secrets',
      ]),
    );
  });

  it('gives the backend a Pod Identity role', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: config.portal.namespace,
      ServiceAccount: 'rti-portal-backend',
    });
  });
});

describe('backend S3 access', () => {
  const roleId = logicalId(
    platform.portalCluster.backendServiceAccount.role as never,
  );
  const statements = policyStatementsOfRole(template, roleId);
  const actionsOn = (bucketPart: string) =>
    statements
      .filter(s => JSON.stringify(s.Resource).includes(bucketPart))
      .flatMap(s => s.Action as string[]);

  it.each(['interactions', 'sensor-readings', 'transaction-logs'])(
    'reads the %s event bucket, read-only',
    dataClass => {
      const actions = actionsOn(`-${dataClass}-`);
      expect(actions).toEqual(
        expect.arrayContaining(['s3:GetObject*', 's3:List*']),
      );
      expect(actions.some(a => /Put|Delete/.test(a))).toBe(false);
    },
  );

  it('reads and writes the reports bucket', () => {
    expect(actionsOn('-reports-')).toEqual(
      expect.arrayContaining([
        's3:GetObject*',
        's3:PutObject',
        's3:DeleteObject*',
      ]),
    );
  });

  it('may decrypt with the ingestion key', () => {
    expect(
      statements.some(
        s =>
          (s.Action as string[]).includes('kms:Decrypt') &&
          JSON.stringify(s.Resource).includes('Ingestion'),
      ),
    ).toBe(true);
  });
});

describe('Redis', () => {
  it('is a 2-node, multi-AZ, failover, TLS, AUTH, KMS replication group', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: config.platform.redis.engine,
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(platform.platformKey), 'Arn'] },
      Port: 6379,
      AuthToken: {
        'Fn::Join': [
          '',
          Match.arrayWith([
            '{{resolve:secretsmanager:',
            { Ref: logicalId(platform.cache.authToken) },
            ':SecretString:token::}}',
          ]),
        ],
      },
    });
  });

  it('admits only the backend pods on 6379', () => {
    const sgId = logicalId(platform.cache.securityGroup);
    const rules = Object.values(
      template.findResources('AWS::EC2::SecurityGroupIngress'),
    ).filter(r => r.Properties.GroupId['Fn::GetAtt']?.[0] === sgId);
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 6379,
      ToPort: 6379,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [
          logicalId(platform.portalCluster.backendPodsSecurityGroup),
          'GroupId',
        ],
      },
    });
    const sg = template.findResources('AWS::EC2::SecurityGroup')[sgId];
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });
});

describe('PostgreSQL', () => {
  it('is encrypted, private, deletion-protected Aurora PostgreSQL', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(platform.platformKey), 'Arn'] },
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
    });
    const instances = template.findResources('AWS::RDS::DBInstance');
    expect(Object.keys(instances)).toHaveLength(2);
    for (const instance of Object.values(instances)) {
      expect(instance.Properties.PubliclyAccessible).toBe(false);
    }
  });

  it('admits only the backend pods on 5432', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [
          logicalId(platform.portalCluster.backendPodsSecurityGroup),
          'GroupId',
        ],
      },
    });
  });
});

describe('portal secrets', () => {
  it('lets External Secrets read exactly the portal secrets', () => {
    const roleId = logicalId(
      platform.portalCluster.externalSecretsServiceAccount.role as never,
    );
    const statements = policyStatementsOfRole(template, roleId);
    const secretRefs = statements
      .filter(s =>
        (s.Action as string[]).includes('secretsmanager:GetSecretValue'),
      )
      .flatMap(s => [s.Resource].flat())
      .map(r => JSON.stringify(r));
    expect(new Set(secretRefs)).toEqual(
      new Set(
        platform
          .portalSecretSources()
          .map(secret => JSON.stringify({ Ref: logicalId(secret) })),
      ),
    );
  });

  it('outputs what app-config.production.yaml needs', () => {
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining([
        'RedisPrimaryEndpoint',
        'PostgresHost',
        'PostgresSecretArn',
        'ClusterName',
      ]),
    );
  });
});
