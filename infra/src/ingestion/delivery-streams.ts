import { Duration, Size } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { defaultStreamConfig } from '@internal/firehose-local';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import type { DataClass } from '@internal/plugin-realtime-insights-common';
import { deliveryStreamName, InfraConfig } from '../config';
import { acknowledgeIam5, GRANT_WILDCARD_REASON, nagArnRef } from '../nag';

/** Seconds the transform processor buffers records before invoking the Lambda. */
const PROCESSOR_BUFFER_SECONDS = 60;

/** A delivery stream's S3 buffering, from the config or the shared defaults. */
export function bufferingOf(config: InfraConfig, dataClass: DataClass) {
  const shared = defaultStreamConfig(dataClass);
  return {
    sizeMiB:
      config.ingestion.bufferingSizeMiB ??
      shared.bufferingHints?.sizeInMBs ??
      5,
    intervalSeconds:
      config.ingestion.bufferingIntervalSeconds ??
      shared.bufferingHints?.intervalInSeconds ??
      300,
  };
}

/**
 * How long after its oldest record's arrival (which names it) an object of
 * the stream can hold records: the processor's buffering, then S3's. The
 * portal reads that far into the hour before a range
 * (`realtime-insights.io/buffer-interval-seconds`).
 */
export function objectSpanSeconds(config: InfraConfig, dataClass: DataClass) {
  return (
    PROCESSOR_BUFFER_SECONDS + bufferingOf(config, dataClass).intervalSeconds
  );
}

export interface DeliveryStreamsProps {
  config: InfraConfig;
  key: kms.IKey;
  events: Record<DataClass, s3.IBucket>;
  rawBackup: s3.IBucket;
  transform: lambda.IFunction;
}

/**
 * One Firehose delivery stream per data class. Prefixes, buffering,
 * compression and the backup prefix come from `defaultStreamConfig`, the
 * settings firehose-local applies locally, so both runtimes write the same keys.
 */
export class DeliveryStreams extends Construct {
  readonly streams: Record<DataClass, firehose.DeliveryStream>;

  constructor(scope: Construct, id: string, props: DeliveryStreamsProps) {
    super(scope, id);
    const { ingestion } = props.config;

    this.streams = Object.fromEntries(
      DATA_CLASSES.map(dataClass => {
        const shared = defaultStreamConfig(dataClass);
        const { sizeMiB, intervalSeconds } = bufferingOf(
          props.config,
          dataClass,
        );
        const compression =
          shared.compression === 'UNCOMPRESSED'
            ? firehose.Compression.UNCOMPRESSED
            : firehose.Compression.GZIP;

        const logGroup = new logs.LogGroup(this, `Logs-${dataClass}`, {
          retention: ingestion.logRetentionDays as logs.RetentionDays,
        });

        const destination = new firehose.S3Bucket(props.events[dataClass], {
          compression,
          bufferingSize: Size.mebibytes(sizeMiB),
          bufferingInterval: Duration.seconds(intervalSeconds),
          dataOutputPrefix: shared.prefix,
          errorOutputPrefix: shared.errorOutputPrefix,
          encryptionKey: props.key,
          loggingConfig: new firehose.EnableLogging(logGroup),
          processors: [
            new firehose.LambdaFunctionProcessor(props.transform, {
              // Keeps each invocation's response far below Lambda's 6 MB payload limit.
              bufferSize: Size.mebibytes(1),
              bufferInterval: Duration.seconds(PROCESSOR_BUFFER_SECONDS),
              retries: 3,
            }),
          ],
          s3Backup: {
            mode: firehose.BackupMode.ALL,
            bucket: props.rawBackup,
            dataOutputPrefix: shared.backup?.prefix ?? `${dataClass}/`,
            compression,
            bufferingSize: Size.mebibytes(sizeMiB),
            bufferingInterval: Duration.seconds(intervalSeconds),
            encryptionKey: props.key,
            loggingConfig: new firehose.EnableLogging(logGroup),
          },
        });

        const stream = new firehose.DeliveryStream(this, dataClass, {
          deliveryStreamName: deliveryStreamName(props.config, dataClass),
          destination,
          encryption: firehose.StreamEncryption.customerManagedKey(props.key),
        });
        acknowledgeIam5(stream, [
          ...[
            'GetObject*',
            'GetBucket*',
            'List*',
            'DeleteObject*',
            'Abort*',
          ].map(action => ({
            finding: `Action::s3:${action}`,
            reason: GRANT_WILDCARD_REASON.s3Actions,
          })),
          ...['GenerateDataKey*', 'ReEncrypt*'].map(action => ({
            finding: `Action::kms:${action}`,
            reason: GRANT_WILDCARD_REASON.kmsActions,
          })),
          ...[props.events[dataClass], props.rawBackup].map(bucket => ({
            finding: nagArnRef(bucket, '/*'),
            reason: GRANT_WILDCARD_REASON.s3Objects,
          })),
          {
            finding: nagArnRef(props.transform, ':*'),
            reason: GRANT_WILDCARD_REASON.lambdaVersions,
          },
        ]);
        return [dataClass, stream];
      }),
    ) as Record<DataClass, firehose.DeliveryStream>;
  }
}
