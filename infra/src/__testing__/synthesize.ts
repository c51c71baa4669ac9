import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createRealtimeInsightsStacks } from '../app';
import { InfraConfigOverrides, resolveInfraConfig } from '../config';

/**
 * Synthesizes the whole app once (the stacks reference each other) into a
 * temporary directory and returns each stack's template.
 */
export function synthesizeApp(overrides: InfraConfigOverrides = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rti-infra-'));
  const app = new App({
    outdir,
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' },
  });
  const config = resolveInfraConfig(overrides);
  const stacks = createRealtimeInsightsStacks(app, config);
  const templates = {
    ingestion: Template.fromStack(stacks.ingestion),
    platform: Template.fromStack(stacks.platform),
    portal: Template.fromStack(stacks.portal),
  };
  return { app, config, stacks, templates, outdir };
}

/** The default config, e.g. to override one nested field. */
synthesizeApp.defaults = () => resolveInfraConfig({});

/** Statements of every IAM policy in a template attached to a role whose logical id matches. */
export function policyStatementsOfRole(
  template: Template,
  roleLogicalId: string,
): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter(policy =>
      (policy.Properties.Roles as Array<{ Ref: string }>).some(
        r => r.Ref === roleLogicalId,
      ),
    )
    .flatMap(policy => policy.Properties.PolicyDocument.Statement);
}
