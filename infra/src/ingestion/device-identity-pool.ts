import { Validations } from 'aws-cdk-lib';
import * as identitypool from 'aws-cdk-lib/aws-cognito-identitypool';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config';

export interface DeviceIdentityPoolProps {
  config: InfraConfig;
  /** The only resources device credentials may touch. */
  streams: firehose.IDeliveryStream[];
}

/**
 * Where the mobile SDK gets short-lived credentials: they may put records
 * into the delivery streams and do nothing else.
 */
export class DeviceIdentityPool extends Construct {
  readonly pool: identitypool.IdentityPool;

  constructor(scope: Construct, id: string, props: DeviceIdentityPoolProps) {
    super(scope, id);
    const { ingestion } = props.config;

    this.pool = new identitypool.IdentityPool(this, 'Pool', {
      identityPoolName: `rti_${props.config.stage}_devices`,
      allowUnauthenticatedIdentities: ingestion.allowUnauthenticatedIdentities,
      allowClassicFlow: false,
      authenticationProviders: {
        customProvider: ingestion.developerProviderName,
      },
    });

    for (const stream of props.streams) {
      stream.grantPutRecords(this.pool.authenticatedRole);
      if (ingestion.allowUnauthenticatedIdentities) {
        stream.grantPutRecords(this.pool.unauthenticatedRole);
      }
    }

    if (ingestion.allowUnauthenticatedIdentities) {
      Validations.of(this.pool).acknowledge({
        id: 'AwsSolutions-COG7',
        reason:
          'Configured on purpose (ingestion.allowUnauthenticatedIdentities): devices without a sign-in get guest credentials that can only PutRecord/PutRecordBatch on the three delivery streams.',
      });
    }
  }
}
