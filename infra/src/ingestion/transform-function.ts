import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config';

/** `packages/record-transform`, where the handler the Lambda runs lives. */
const TRANSFORM_PACKAGE = path.dirname(
  fs.realpathSync(require.resolve('@internal/record-transform/package.json')),
);

/** The workspace root: esbuild resolves the transform's workspace imports from here. */
export const REPO_ROOT = path.resolve(TRANSFORM_PACKAGE, '../..');

/** The handler file of `@internal/record-transform` (the same code firehose-local runs in-process). */
export const TRANSFORM_ENTRY = path.join(TRANSFORM_PACKAGE, 'src/handler.ts');

export interface TransformFunctionProps {
  config: InfraConfig;
}

/**
 * The Firehose record transform as a Lambda, bundled with the local esbuild
 * (no Docker) from `packages/record-transform`.
 */
export class TransformFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TransformFunctionProps) {
    super(scope, id);
    const { ingestion } = props.config;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: ingestion.logRetentionDays as logs.RetentionDays,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write
    // to its own log group and nothing else.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Firehose record transform: writes its own logs only',
    });
    this.logGroup.grantWrite(role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description:
        'Validates device records and flattens them to NDJSON events (@internal/record-transform)',
      entry: TRANSFORM_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: ingestion.transformMemoryMiB,
      // Firehose waits up to 5 minutes for a transform; a batch takes well under a second.
      timeout: Duration.minutes(1),
      role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.DISABLED,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
      },
      environment: { NODE_OPTIONS: '--enable-source-maps' },
    });
  }
}
