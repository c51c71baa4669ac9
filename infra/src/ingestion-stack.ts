import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import { InfraConfig, namePrefix } from './config';
import { DataBuckets } from './ingestion/data-buckets';
import { DeliveryStreams } from './ingestion/delivery-streams';
import { DeviceIdentityPool } from './ingestion/device-identity-pool';
import { TransformFunction } from './ingestion/transform-function';

export interface IngestionStackProps extends StackProps {
  config: InfraConfig;
}

/** Devices → Firehose (transform) → S3, with a raw backup of every record. */
export class IngestionStack extends Stack {
  readonly dataKey: kms.Key;
  readonly buckets: DataBuckets;
  readonly transform: TransformFunction;
  readonly deliveryStreams: DeliveryStreams;
  readonly devices: DeviceIdentityPool;

  constructor(scope: Construct, id: string, props: IngestionStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: `alias/${namePrefix(config)}-data`,
      description:
        'Encrypts Real-time Insights records: delivery streams, event, backup and report buckets',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
    });

    this.buckets = new DataBuckets(this, 'Buckets', {
      config,
      key: this.dataKey,
    });
    this.transform = new TransformFunction(this, 'Transform', { config });
    this.deliveryStreams = new DeliveryStreams(this, 'DeliveryStreams', {
      config,
      key: this.dataKey,
      events: this.buckets.events,
      rawBackup: this.buckets.rawBackup,
      transform: this.transform.function,
    });
    this.devices = new DeviceIdentityPool(this, 'Devices', {
      config,
      streams: DATA_CLASSES.map(c => this.deliveryStreams.streams[c]),
    });

    // What the device SDK and the stream entities' annotations need.
    for (const dataClass of DATA_CLASSES) {
      const outputId = dataClass.replace(/-(\w)/g, (_, c: string) =>
        c.toUpperCase(),
      );
      new CfnOutput(this, `${outputId}DeliveryStream`, {
        value: this.deliveryStreams.streams[dataClass].deliveryStreamName,
      });
      new CfnOutput(this, `${outputId}Bucket`, {
        description: `realtime-insights.io/bucket of the ${dataClass} stream entity`,
        value: this.buckets.events[dataClass].bucketName,
      });
    }
    new CfnOutput(this, 'ReportsBucket', {
      value: this.buckets.reports.bucketName,
    });
    new CfnOutput(this, 'RawBackupBucket', {
      value: this.buckets.rawBackup.bucketName,
    });
    new CfnOutput(this, 'DeviceIdentityPoolId', {
      value: this.devices.pool.identityPoolId,
    });
  }
}
