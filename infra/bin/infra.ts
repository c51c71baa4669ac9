import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createRealtimeInsightsStacks } from '../src/app';
import { InfraConfigOverrides, resolveInfraConfig } from '../src/config';

/**
 * `cdk synth -c stage=dev -c rti='{"region":"eu-west-1"}'`: the stage and
 * any overrides of the typed config come from CDK context.
 */
const app = new App();
const contextOverrides = app.node.tryGetContext('rti');
const overrides: InfraConfigOverrides =
  typeof contextOverrides === 'string'
    ? JSON.parse(contextOverrides)
    : contextOverrides ?? {};
const stage = app.node.tryGetContext('stage');
const config = resolveInfraConfig({
  ...overrides,
  ...(stage ? { stage } : {}),
});

createRealtimeInsightsStacks(app, config);
// Synthesis fails on any unacknowledged AwsSolutions finding.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
