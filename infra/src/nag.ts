import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** Wildcards that the CDK's grant methods write, with the reason we accept them. */
export const GRANT_WILDCARD_REASON = {
  s3Objects:
    'Written by bucket.grant*(): object-level actions must name <bucket-arn>/*, the bucket is the narrowest scope S3 offers for keys written with time-based prefixes.',
  s3Actions:
    'Written by bucket.grant*(): the CDK grant expands to the read/write action families (GetObject*, List*, Abort*, ...) of that one bucket only.',
  kmsActions:
    'Written by key.grant*() for SSE-KMS: GenerateDataKey*/ReEncrypt* are the action families S3 and Firehose call, on this one key only.',
  lambdaVersions:
    'Written by the Firehose L2 for its Lambda processor: <function-arn>:* covers the versions and aliases of this one transform function.',
} as const;

/** The `Resource::<LogicalId.Arn>` form cdk-nag reports for a CFN resource's ARN. */
export function nagArnRef(resource: IConstruct, suffix = ''): string {
  const element = (resource.node.defaultChild ?? resource) as CfnElement;
  return `Resource::<${Stack.of(element).getLogicalId(element)}.Arn>${suffix}`;
}

/**
 * Acknowledges AwsSolutions-IAM5 findings one by one (cdk-nag 3 has no
 * prefix matching), each with its reason.
 */
export function acknowledgeIam5(
  scope: IConstruct,
  findings: Array<{ finding: string; reason: string }>,
): void {
  Validations.of(scope).acknowledge(
    ...findings.map(({ finding, reason }) => ({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason,
    })),
  );
}

/** A class of findings that is acknowledged, and why. */
export interface FindingAcknowledgement {
  /** Matched against the full finding id, e.g. `AwsSolutions-IAM5[Action::s3:List*]`. */
  match: RegExp;
  reason: string;
}

/**
 * Runs the AwsSolutions pack over `scope` and acknowledges the findings that
 * match one of `acknowledgements`, on the resource that has them. For
 * resources whose policies CDK writes and whose names carry generated
 * tokens (cross-stack exports, provider logical ids), where listing every
 * finding id by hand is impossible. Anything unmatched stays a violation.
 */
export function acknowledgeMatchingFindings(
  scope: IConstruct,
  acknowledgements: FindingAcknowledgement[],
): void {
  const byPath = new Map(scope.node.findAll().map(c => [c.node.path, c]));
  const report = new AwsSolutionsChecks().validateScope(scope);
  for (const violation of report.violations) {
    const acknowledgement = acknowledgements.find(a =>
      a.match.test(violation.ruleName),
    );
    if (!acknowledgement) continue;
    for (const resource of violation.violatingResources) {
      const construct = resource.constructPath
        ? byPath.get(resource.constructPath)
        : undefined;
      if (!construct) continue;
      Validations.of(construct).acknowledge({
        id: violation.ruleName,
        reason: acknowledgement.reason,
      });
    }
  }
}

/** Findings on roles whose policies `bucket.grantRead/grantReadWrite` write. */
export const BUCKET_GRANT_FINDINGS: FindingAcknowledgement[] = [
  {
    match:
      /^AwsSolutions-IAM5\[Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*\]$/,
    reason: GRANT_WILDCARD_REASON.s3Actions,
  },
  {
    match: /^AwsSolutions-IAM5\[Action::kms:(GenerateDataKey|ReEncrypt)\*\]$/,
    reason: GRANT_WILDCARD_REASON.kmsActions,
  },
  {
    match:
      /^AwsSolutions-IAM5\[Resource::(<Buckets[A-Za-z0-9]+\.Arn>|arn:<AWS::Partition>:s3:::rti-[a-z0-9-]+-<AWS::AccountId>-<AWS::Region>)\/\*\]$/,
    reason: GRANT_WILDCARD_REASON.s3Objects,
  },
];

/** Findings in the providers, roles and controller policy aws-cdk-lib's EKS module generates. */
export const CDK_EKS_MANAGED_FINDINGS: FindingAcknowledgement[] = [
  {
    match:
      /^AwsSolutions-IAM4\[Policy::.*(AWSLambdaBasicExecutionRole|AWSLambdaVPCAccessExecutionRole|AmazonEC2ContainerRegistryPullOnly|AmazonElasticContainerRegistryPublicReadOnly).*\]$/,
    reason:
      'Attached by aws-cdk-lib to the Lambda roles of its EKS cluster/kubectl providers (logs, VPC ENIs, pulling the kubectl image); not configurable, AWS maintains the policies.',
  },
  {
    match:
      /^AwsSolutions-IAM5\[Resource::(<[A-Za-z0-9]+\.Arn>:\*|arn:<AWS::Partition>:eks:[^\]]*\/\*|\*)\]$/,
    reason:
      'Written by aws-cdk-lib for its EKS providers: invoking the versions of its own handler functions, and the cluster creation role managing this cluster\'s sub-resources (nodegroups, addons, access entries) plus the EC2/IAM describe calls that only accept "*".',
  },
  {
    match:
      /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:(ec2|elasticloadbalancing):\*:\*:[^\]]*\]$/,
    reason:
      'The AWS Load Balancer Controller IAM policy that AWS publishes, embedded by aws-cdk-lib (albController); it manages the load balancers, target groups and security groups it creates, limited by its elbv2.k8s.aws/cluster tag conditions.',
  },
  {
    match: /^AwsSolutions-L1$/,
    reason:
      "aws-cdk-lib pins the kubectl handler's runtime to the one its kubectl layer is built for; upgrading aws-cdk-lib upgrades it.",
  },
  {
    match: /^AwsSolutions-SF[12]$/,
    reason:
      "The CDK provider framework's waiter state machine only polls the cluster provider's IsComplete handler; its handler logs are in CloudWatch, and it is not configurable.",
  },
];
