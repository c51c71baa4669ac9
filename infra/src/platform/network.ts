import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config';

export interface NetworkProps {
  config: InfraConfig;
}

/**
 * Public subnets for the ALB and NAT only, private subnets (with egress) for
 * the EKS nodes and pods, isolated subnets for Redis and PostgreSQL. S3
 * traffic stays on the gateway endpoint.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly s3Endpoint: ec2.GatewayVpcEndpoint;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { platform, ingestion } = props.config;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(platform.vpcCidr),
      maxAzs: platform.maxAzs,
      natGateways: platform.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        // /19: pods take VPC addresses (VPC CNI), one per pod plus branch ENIs.
        {
          name: 'private',
          subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
          cidrMask: 19,
        },
        {
          name: 'data',
          subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: 24,
        },
      ],
      restrictDefaultSecurityGroup: true,
    });

    this.vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogGroup', {
          retention: ingestion.logRetentionDays as logs.RetentionDays,
        }),
      ),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    // The backend reads PB-scale history from S3: no NAT data charges, and
    // bucket policies can require this endpoint.
    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [
        { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
  }
}
