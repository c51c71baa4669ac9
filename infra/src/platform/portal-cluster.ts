import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { Construct } from 'constructs';
import { InfraConfig, namePrefix } from '../config';

/** The port the Backstage backend serves HTTPS on inside the pod. */
export const BACKEND_PORT = 7007;
export const BACKEND_SERVICE_ACCOUNT = 'rti-portal-backend';
export const EXTERNAL_SECRETS_NAMESPACE = 'external-secrets';

export interface PortalClusterProps {
  config: InfraConfig;
  vpc: ec2.IVpc;
  /** Encrypts Kubernetes secrets in etcd. */
  secretsKey: kms.IKey;
}

/**
 * EKS for the portal: private API endpoint, every control-plane log, etcd
 * secrets under KMS, a managed spot node group, and the add-ons the portal's
 * manifests rely on (AWS Load Balancer Controller, cert-manager, External
 * Secrets, metrics-server, VPC CNI with security groups for pods and
 * network policies).
 */
export class PortalCluster extends Construct {
  readonly cluster: eks.Cluster;
  readonly namespace: string;
  readonly portalNamespace: eks.KubernetesManifest;
  /** Backend pods' identity (EKS Pod Identity): S3 access is granted to it. */
  readonly backendServiceAccount: eks.ServiceAccount;
  /** External Secrets Operator's identity: reads the portal's secrets. */
  readonly externalSecretsServiceAccount: eks.ServiceAccount;
  /** Attached to backend pods (SecurityGroupPolicy); Redis and PostgreSQL admit only it. */
  readonly backendPodsSecurityGroup: ec2.SecurityGroup;
  /** The portal ALB's security group (the Ingress names it). */
  readonly albSecurityGroup: ec2.SecurityGroup;
  readonly addons: Construct[] = [];

  constructor(scope: Construct, id: string, props: PortalClusterProps) {
    super(scope, id);
    const { platform, portal } = props.config;
    this.namespace = portal.namespace;

    const role = new iam.Role(this, 'ClusterRole', {
      assumedBy: new iam.ServicePrincipal('eks.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSClusterPolicy'),
        // Security groups for pods: lets EKS manage branch ENIs.
        iam.ManagedPolicy.fromAwsManagedPolicyName(
          'AmazonEKSVPCResourceController',
        ),
      ],
    });
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]',
        reason:
          'The EKS service role policy AWS requires for a cluster role; AWS maintains it with the service.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSVPCResourceController]',
        reason:
          'AWS-maintained policy EKS needs to manage branch ENIs for security groups for pods.',
      },
    );

    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName: namePrefix(props.config),
      version: eks.KubernetesVersion.of(platform.kubernetesVersion),
      kubectlLayer: new KubectlV35Layer(this, 'KubectlLayer'),
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess: eks.EndpointAccess.PRIVATE,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      secretsEncryptionKey: props.secretsKey,
      role,
      defaultCapacity: 0,
      authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP,
      albController: { version: eks.AlbControllerVersion.V2_17_1 },
    });

    if (platform.clusterAdminRoleArn) {
      this.cluster.grantAccess('ClusterAdmin', platform.clusterAdminRoleArn, [
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', {
          accessScopeType: eks.AccessScopeType.CLUSTER,
        }),
      ]);
    }

    // Spot capacity: several instance types of the same size so that EKS can
    // find spot capacity; the portal tolerates losing a node (≥ 3 replicas, PDB).
    const spot = this.cluster.addNodegroupCapacity('Spot', {
      nodegroupName: `${namePrefix(props.config)}-spot`,
      capacityType: eks.CapacityType.SPOT,
      instanceTypes: platform.spotInstanceTypes.map(
        t => new ec2.InstanceType(t),
      ),
      amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      minSize: platform.nodes.min,
      desiredSize: platform.nodes.desired,
      maxSize: platform.nodes.max,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      labels: { 'realtime-insights/capacity': 'spot' },
    });
    Validations.of(spot).acknowledge(
      ...[
        'AmazonEKSWorkerNodePolicy',
        'AmazonEKS_CNI_Policy',
        'AmazonEC2ContainerRegistryReadOnly',
      ].map(policy => ({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
        reason:
          'The AWS-maintained policies every EKS worker node role needs (kubelet, VPC CNI, image pulls).',
      })),
    );

    // VPC CNI: security groups for pods (branch ENIs) and network policy
    // enforcement for the portal's NetworkPolicies.
    this.addons.push(
      new eks.CfnAddon(this, 'VpcCni', {
        clusterName: this.cluster.clusterName,
        addonName: 'vpc-cni',
        resolveConflicts: 'OVERWRITE',
        configurationValues: JSON.stringify({
          enableNetworkPolicy: 'true',
          env: {
            ENABLE_POD_ENI: 'true',
            POD_SECURITY_GROUP_ENFORCING_MODE: 'standard',
          },
          // Kubelet probes to pods with their own security group (AWS docs).
          init: { env: { DISABLE_TCP_EARLY_DEMUX: 'true' } },
        }),
      }),
      // HPA on CPU and memory reads the resource metrics API.
      new eks.CfnAddon(this, 'MetricsServer', {
        clusterName: this.cluster.clusterName,
        addonName: 'metrics-server',
        resolveConflicts: 'OVERWRITE',
      }),
    );

    this.albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc: props.vpc,
      description: 'Portal ALB: HTTPS from the configured CIDRs',
      allowAllOutbound: false,
    });
    for (const cidr of portal.albInboundCidrs) {
      this.albSecurityGroup.addIngressRule(
        ec2.Peer.ipv4(cidr),
        ec2.Port.tcp(443),
        'portal users',
      );
    }

    this.backendPodsSecurityGroup = new ec2.SecurityGroup(
      this,
      'BackendPodsSecurityGroup',
      {
        vpc: props.vpc,
        description:
          'Portal backend pods (security groups for pods): HTTPS from the ALB and kubelet',
        allowAllOutbound: true,
      },
    );
    this.backendPodsSecurityGroup.addIngressRule(
      this.albSecurityGroup,
      ec2.Port.tcp(BACKEND_PORT),
      'ALB targets (target-type ip)',
    );
    this.albSecurityGroup.addEgressRule(
      this.backendPodsSecurityGroup,
      ec2.Port.tcp(BACKEND_PORT),
      'to the backend pods',
    );
    this.backendPodsSecurityGroup.addIngressRule(
      this.cluster.clusterSecurityGroup,
      ec2.Port.tcp(BACKEND_PORT),
      'kubelet probes from the nodes',
    );

    this.portalNamespace = this.cluster.addManifest('PortalNamespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: portal.namespace,
        labels: { 'app.kubernetes.io/part-of': 'realtime-insights' },
      },
    });

    this.backendServiceAccount = this.cluster.addServiceAccount(
      'BackendServiceAccount',
      {
        name: BACKEND_SERVICE_ACCOUNT,
        namespace: portal.namespace,
        identityType: eks.IdentityType.POD_IDENTITY,
      },
    );
    this.backendServiceAccount.node.addDependency(this.portalNamespace);

    const externalSecretsNamespace = this.cluster.addManifest(
      'ExternalSecretsNamespace',
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: EXTERNAL_SECRETS_NAMESPACE },
      },
    );
    this.externalSecretsServiceAccount = this.cluster.addServiceAccount(
      'ExternalSecretsServiceAccount',
      {
        name: 'external-secrets',
        namespace: EXTERNAL_SECRETS_NAMESPACE,
        identityType: eks.IdentityType.POD_IDENTITY,
      },
    );
    this.externalSecretsServiceAccount.node.addDependency(
      externalSecretsNamespace,
    );

    const externalSecrets = this.cluster.addHelmChart('ExternalSecrets', {
      chart: 'external-secrets',
      release: 'external-secrets',
      repository: platform.charts.externalSecrets.repository,
      version: platform.charts.externalSecrets.version,
      namespace: EXTERNAL_SECRETS_NAMESPACE,
      values: {
        installCRDs: true,
        serviceAccount: { create: false, name: 'external-secrets' },
      },
    });
    externalSecrets.node.addDependency(this.externalSecretsServiceAccount);
    externalSecrets.node.addDependency(spot);

    const certManager = this.cluster.addHelmChart('CertManager', {
      chart: 'cert-manager',
      release: 'cert-manager',
      repository: platform.charts.certManager.repository,
      version: platform.charts.certManager.version,
      namespace: 'cert-manager',
      createNamespace: true,
      values: { crds: { enabled: true } },
    });
    certManager.node.addDependency(spot);
    this.addons.push(externalSecrets, certManager);
  }
}
