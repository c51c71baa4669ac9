import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { synthesizeApp } from './__testing__/synthesize';

const { app, stacks } = synthesizeApp();

/**
 * Every AwsSolutions acknowledgement in the construct tree, with where it was
 * made (aws-cdk-lib acknowledges some of its own CloudFormation-Validate rules).
 */
function acknowledgements(root: IConstruct) {
  return allAcknowledgements(root).filter(a =>
    a.id.startsWith('AwsSolutions-'),
  );
}

function allAcknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap(construct =>
    construct.node.metadata
      .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap(m =>
        Object.entries(m.data as Record<string, { reason: string }>).map(
          ([id, value]) => ({
            path: construct.node.path,
            id: id.replace(/^annotation::/i, ''),
            reason: typeof value === 'string' ? value : value.reason,
          }),
        ),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it.each(Object.entries(stacks))(
    '%s stack has no unacknowledged errors or warnings',
    (_, stack) => {
      const report = new AwsSolutionsChecks().validateScope(stack);
      const findings = report.violations.map(
        v =>
          `${v.severity} ${v.ruleName} at ${v.violatingResources
            .map(r => r.constructPath)
            .join(', ')}`,
      );
      expect(findings).toEqual([]);
    },
  );

  it('gives every acknowledgement a real reason', () => {
    const all = acknowledgements(app);
    expect(all.length).toBeGreaterThan(0);
    for (const { id, reason } of all) {
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });

  it('acknowledges only the rules listed in the README', () => {
    const rules = new Set(
      acknowledgements(app).map(a => a.id.replace(/\[.*$/, '')),
    );
    expect([...rules].sort()).toEqual(
      [
        'AwsSolutions-AEC5',
        'AwsSolutions-IAM4',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
        'AwsSolutions-RDS11',
        'AwsSolutions-S1',
        'AwsSolutions-SF1',
        'AwsSolutions-SF2',
        'AwsSolutions-SMG4',
      ].sort(),
    );
  });

  it('acknowledges unauthenticated device identities only when configured', () => {
    const cog7 = (root: IConstruct) =>
      acknowledgements(root).filter(a => a.id === 'AwsSolutions-COG7');
    expect(cog7(app)).toEqual([]);
    const guest = synthesizeApp({
      ingestion: {
        ...synthesizeApp.defaults().ingestion,
        allowUnauthenticatedIdentities: true,
      },
    });
    expect(cog7(guest.app)).toHaveLength(1);
    const report = new AwsSolutionsChecks().validateScope(
      guest.stacks.ingestion,
    );
    expect(report.violations).toEqual([]);
  });
});
