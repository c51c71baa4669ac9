import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { defaultStreamConfig } from '@internal/firehose-local';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import { dataClassOfStream } from '@internal/record-transform';
import {
  policyStatementsOfRole,
  synthesizeApp,
} from './__testing__/synthesize';

const { templates, stacks, outdir, config } = synthesizeApp();
const template = templates.ingestion;
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stacks.ingestion.getLogicalId(construct.node.defaultChild as never);
const keyId = logicalId(stacks.ingestion.dataKey);
const buckets = stacks.ingestion.buckets;

describe('KMS', () => {
  it('uses one customer-managed key with rotation', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
    });
  });
});

describe('buckets', () => {
  const all = template.findResources('AWS::S3::Bucket');

  it('has one bucket per data class, raw backup, reports and access logs', () => {
    expect(Object.keys(all)).toHaveLength(DATA_CLASSES.length + 3);
  });

  it('blocks public access everywhere', () => {
    for (const bucket of Object.values(all)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('denies non-TLS requests on every bucket', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
    });
    const covered = Object.values(policies).map(p => p.Properties.Bucket.Ref);
    expect(covered.sort()).toEqual(Object.keys(all).sort());
  });

  it('encrypts data buckets with the key and logs their access', () => {
    const dataBuckets = [
      ...DATA_CLASSES.map(c => buckets.events[c]),
      buckets.rawBackup,
      buckets.reports,
    ];
    for (const bucket of dataBuckets) {
      expect(all[logicalId(bucket)].Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
              },
            },
          ],
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: logicalId(buckets.accessLogs) },
        },
      });
    }
  });

  it('versions events and backups, not re-creatable reports', () => {
    for (const bucket of [
      ...DATA_CLASSES.map(c => buckets.events[c]),
      buckets.rawBackup,
    ]) {
      expect(all[logicalId(bucket)].Properties.VersioningConfiguration).toEqual(
        { Status: 'Enabled' },
      );
    }
    expect(
      all[logicalId(buckets.reports)].Properties.VersioningConfiguration,
    ).toBeUndefined();
  });

  it('moves backups to Glacier after N days and expires them', () => {
    expect(
      all[logicalId(buckets.rawBackup)].Properties.LifecycleConfiguration.Rules,
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Status: 'Enabled',
          Transitions: [
            {
              StorageClass: 'GLACIER',
              TransitionInDays: config.ingestion.backupGlacierAfterDays,
            },
          ],
          ExpirationInDays: config.ingestion.backupExpirationDays,
        }),
      ]),
    );
  });

  it('tiers event history, expires reports and access logs', () => {
    expect(
      all[logicalId(buckets.events.interactions)].Properties
        .LifecycleConfiguration.Rules,
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Transitions: [
            {
              StorageClass: 'INTELLIGENT_TIERING',
              TransitionInDays:
                config.ingestion.eventIntelligentTieringAfterDays,
            },
          ],
        }),
        expect.objectContaining({
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        }),
      ]),
    );
    expect(
      all[logicalId(buckets.reports)].Properties.LifecycleConfiguration.Rules,
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ExpirationInDays: config.ingestion.reportExpirationDays,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        }),
      ]),
    );
    expect(
      all[logicalId(buckets.accessLogs)].Properties.LifecycleConfiguration
        .Rules[0].ExpirationInDays,
    ).toBe(config.ingestion.accessLogExpirationDays);
  });

  it('expires events only when configured', () => {
    const rule = all[
      logicalId(buckets.events['sensor-readings'])
    ].Properties.LifecycleConfiguration.Rules.find(
      (r: { Id: string }) => r.Id === 'tier-event-history',
    );
    expect(rule.ExpirationInDays).toBeUndefined();
  });
});

describe('delivery streams', () => {
  const streams = template.findResources(
    'AWS::KinesisFirehose::DeliveryStream',
  );
  const byClass = Object.fromEntries(
    DATA_CLASSES.map(c => [
      c,
      streams[logicalId(stacks.ingestion.deliveryStreams.streams[c])]
        .Properties,
    ]),
  );
  const transformId = logicalId(stacks.ingestion.transform.function);

  it('has one stream per data class, named so the transform knows the class', () => {
    expect(Object.keys(streams)).toHaveLength(3);
    for (const dataClass of DATA_CLASSES) {
      const name = byClass[dataClass].DeliveryStreamName;
      expect(name).toBe(`rti-${config.stage}-${dataClass}`);
      expect(dataClassOfStream(name)).toBe(dataClass);
    }
  });

  it.each(DATA_CLASSES)(
    '%s: SSE with the key, the shared prefixes, GZIP, buffering, backup ALL, transform, logging',
    dataClass => {
      const shared = defaultStreamConfig(dataClass);
      const props = byClass[dataClass];
      expect(props.DeliveryStreamType).toBe('DirectPut');
      expect(props.DeliveryStreamEncryptionConfigurationInput).toEqual({
        KeyType: 'CUSTOMER_MANAGED_CMK',
        KeyARN: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
      const s3 = props.ExtendedS3DestinationConfiguration;
      expect(s3).toMatchObject({
        BucketARN: {
          'Fn::GetAtt': [logicalId(buckets.events[dataClass]), 'Arn'],
        },
        Prefix: shared.prefix,
        ErrorOutputPrefix: shared.errorOutputPrefix,
        CompressionFormat: 'GZIP',
        BufferingHints: {
          SizeInMBs: shared.bufferingHints!.sizeInMBs,
          IntervalInSeconds: shared.bufferingHints!.intervalInSeconds,
        },
        EncryptionConfiguration: {
          KMSEncryptionConfig: {
            AWSKMSKeyARN: { 'Fn::GetAtt': [keyId, 'Arn'] },
          },
        },
        CloudWatchLoggingOptions: { Enabled: true },
        S3BackupMode: 'Enabled',
        S3BackupConfiguration: {
          BucketARN: {
            'Fn::GetAtt': [logicalId(buckets.rawBackup), 'Arn'],
          },
          Prefix: shared.backup!.prefix,
          CompressionFormat: 'GZIP',
          EncryptionConfiguration: {
            KMSEncryptionConfig: {
              AWSKMSKeyARN: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'Lambda',
              Parameters: expect.arrayContaining([
                {
                  ParameterName: 'LambdaArn',
                  ParameterValue: { 'Fn::GetAtt': [transformId, 'Arn'] },
                },
              ]),
            },
          ],
        },
      });
    },
  );

  it('uses the prefixes the architecture names (Hive-style, error type)', () => {
    const s3 = byClass.interactions.ExtendedS3DestinationConfiguration;
    expect(s3.Prefix).toMatch(/^events\/year=!\{timestamp:yyyy\}\/month=/);
    expect(s3.ErrorOutputPrefix).toMatch(
      /^errors\/!\{firehose:error-output-type\}\/year=/,
    );
  });
});

describe('transform Lambda', () => {
  it('runs the record-transform handler on a current Node runtime', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Timeout: 60,
    });
  });

  it('bundles the workspace handler, which answers the Firehose contract', async () => {
    const fn = template.findResources('AWS::Lambda::Function');
    const s3Key: string =
      fn[logicalId(stacks.ingestion.transform.function)].Properties.Code.S3Key;
    const bundle = path.join(
      outdir,
      `asset.${s3Key.replace(/\.zip$/, '')}`,
      'index.js',
    );
    expect(fs.existsSync(bundle)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(bundle);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const result = await handler({
      invocationId: 'i',
      deliveryStreamArn:
        'arn:aws:firehose:eu-central-1:1:deliverystream/rti-prod-interactions',
      records: [
        {
          recordId: 'r1',
          approximateArrivalTimestamp: Date.now(),
          data: Buffer.from('not json').toString('base64'),
        },
      ],
    });
    expect(result.records).toEqual([
      expect.objectContaining({ recordId: 'r1', result: 'ProcessingFailed' }),
    ]);
    // The reason goes to CloudWatch through the Lambda's log.
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('record failed'));
    warn.mockRestore();
  });

  it('may only write its own logs', () => {
    const roleId = logicalId(stacks.ingestion.transform.function.role as never);
    const actions = policyStatementsOfRole(template, roleId).flatMap(
      s => s.Action as string[],
    );
    expect(new Set(actions)).toEqual(
      new Set(['logs:CreateLogStream', 'logs:PutLogEvents']),
    );
  });
});

describe('device identity pool', () => {
  it('allows no unauthenticated identities by default, devices sign in via the developer provider', () => {
    template.hasResourceProperties('AWS::Cognito::IdentityPool', {
      AllowUnauthenticatedIdentities: false,
      AllowClassicFlow: false,
      DeveloperProviderName: config.ingestion.developerProviderName,
    });
  });

  it('lets authenticated devices only PutRecord/PutRecordBatch on the three streams', () => {
    const pool = stacks.ingestion.devices.pool;
    const roleId = logicalId(pool.authenticatedRole as never);
    const statements = policyStatementsOfRole(template, roleId);
    expect(statements.length).toBeGreaterThan(0);
    const resources = new Set<string>();
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Action).toEqual([
        'firehose:PutRecord',
        'firehose:PutRecordBatch',
      ]);
      for (const r of [statement.Resource].flat())
        resources.add(JSON.stringify(r));
    }
    expect(resources).toEqual(
      new Set(
        DATA_CLASSES.map(c =>
          JSON.stringify({
            'Fn::GetAtt': [
              logicalId(stacks.ingestion.deliveryStreams.streams[c]),
              'Arn',
            ],
          }),
        ),
      ),
    );
    const unauthId = logicalId(pool.unauthenticatedRole as never);
    expect(policyStatementsOfRole(template, unauthId)).toEqual([]);
  });

  it('grants guest identities the same put-only access when configured', () => {
    const guest = synthesizeApp({
      ingestion: { ...config.ingestion, allowUnauthenticatedIdentities: true },
    });
    const t = guest.templates.ingestion;
    t.hasResourceProperties('AWS::Cognito::IdentityPool', {
      AllowUnauthenticatedIdentities: true,
    });
    const pool = guest.stacks.ingestion.devices.pool;
    const unauthId = guest.stacks.ingestion.getLogicalId(
      pool.unauthenticatedRole.node.defaultChild as never,
    );
    const actions = policyStatementsOfRole(t, unauthId).flatMap(
      s => s.Action as string[],
    );
    expect(new Set(actions)).toEqual(
      new Set(['firehose:PutRecord', 'firehose:PutRecordBatch']),
    );
  });
});

describe('outputs', () => {
  it('names the buckets and streams the backend and devices need', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'interactionsBucket',
        'sensorReadingsBucket',
        'transactionLogsBucket',
        'interactionsDeliveryStream',
        'ReportsBucket',
        'DeviceIdentityPoolId',
      ]),
    );
  });
});
