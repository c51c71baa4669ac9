import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import type { DataClass } from '@internal/plugin-realtime-insights-common';
import { bucketName, InfraConfig } from '../config';

export interface DataBucketsProps {
  config: InfraConfig;
  /** Encrypts every data bucket (S3 Bucket Keys keep the KMS request cost down). */
  key: kms.IKey;
}

/**
 * The platform's buckets: one per data class (the query source), the raw
 * backup of every record, report exports, and the server access logs of all
 * of them.
 */
export class DataBuckets extends Construct {
  readonly accessLogs: s3.Bucket;
  readonly events: Record<DataClass, s3.Bucket>;
  readonly rawBackup: s3.Bucket;
  readonly reports: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataBucketsProps) {
    super(scope, id);
    const { ingestion } = props.config;

    // S3 server access logging only delivers to SSE-S3 buckets.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(ingestion.accessLogExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log target of the other buckets; logging it into itself would loop.',
    });

    const dataBucket = (
      bucketId: string,
      name: Parameters<typeof bucketName>[1],
      options: {
        versioned: boolean;
        lifecycleRules: s3.LifecycleRule[];
      },
    ) =>
      new s3.Bucket(this, bucketId, {
        bucketName: bucketName(props.config, name),
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: props.key,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: options.versioned,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${bucketId}/`,
        lifecycleRules: [
          ...options.lifecycleRules,
          {
            id: 'abort-incomplete-uploads',
            abortIncompleteMultipartUploadAfter: Duration.days(7),
          },
        ],
        removalPolicy: RemovalPolicy.RETAIN,
      });

    // Event objects are immutable (key + ETag name their content), so
    // versioning costs nothing until something deletes or overwrites one —
    // which is exactly what it guards against.
    const noncurrent: s3.LifecycleRule = {
      id: 'expire-noncurrent-versions',
      noncurrentVersionExpiration: Duration.days(30),
    };
    this.events = Object.fromEntries(
      DATA_CLASSES.map(dataClass => [
        dataClass,
        dataBucket(`Events-${dataClass}`, dataClass, {
          versioned: true,
          lifecycleRules: [
            {
              id: 'tier-event-history',
              transitions: [
                {
                  storageClass: s3.StorageClass.INTELLIGENT_TIERING,
                  transitionAfter: Duration.days(
                    ingestion.eventIntelligentTieringAfterDays,
                  ),
                },
              ],
              expiration:
                ingestion.eventExpirationDays === undefined
                  ? undefined
                  : Duration.days(ingestion.eventExpirationDays),
            },
            noncurrent,
          ],
        }),
      ]),
    ) as Record<DataClass, s3.Bucket>;

    this.rawBackup = dataBucket('RawBackup', 'raw-backup', {
      versioned: true,
      lifecycleRules: [
        {
          id: 'backup-to-glacier',
          transitions: [
            {
              storageClass: s3.StorageClass.GLACIER,
              transitionAfter: Duration.days(ingestion.backupGlacierAfterDays),
            },
          ],
          expiration:
            ingestion.backupExpirationDays === undefined
              ? undefined
              : Duration.days(ingestion.backupExpirationDays),
        },
        noncurrent,
      ],
    });

    // Reports are derived and can be re-run: no versioning, short expiry.
    this.reports = dataBucket('Reports', 'reports', {
      versioned: false,
      lifecycleRules: [
        {
          id: 'expire-reports',
          expiration: Duration.days(ingestion.reportExpirationDays),
          // Report jobs upload in parts; a cancelled or crashed one leaves
          // its parts behind (the portal aborts them, best effort).
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }
}
