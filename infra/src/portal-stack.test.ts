import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesizeApp } from './__testing__/synthesize';
import {
  KubernetesObject,
  portalSupportManifests,
  portalWorkloadManifests,
  PORTAL_APP,
  PORTAL_SECRETS,
} from './portal/manifests';

const { templates, stacks, config } = synthesizeApp();
const template = templates.portal;
const params = stacks.portal.manifestParams;
const support = portalSupportManifests(params);
const workload = portalWorkloadManifests(params);
const all = [...support, ...workload];
const find = (kind: string, name?: string) =>
  all.filter(o => o.kind === kind && (!name || o.metadata.name === name));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const spec = (o: KubernetesObject) => o.spec as any;
const deployment = find('Deployment', PORTAL_APP)[0];
const pod = spec(deployment).template.spec;
const container = pod.containers[0];

function validateSchemas(objects: KubernetesObject[]) {
  const result = spawnSync(
    process.execPath,
    [path.join(__dirname, 'portal/validate-manifests.mjs')],
    { input: JSON.stringify(objects), encoding: 'utf8' },
  );
  return {
    status: result.status,
    results: JSON.parse(result.stdout || '[]') as Array<{
      kind: string;
      error: string | null;
    }>,
  };
}

describe('stack', () => {
  it('applies the manifests through the platform cluster, support first', () => {
    const resources = template.findResources(
      'Custom::AWSCDK-EKS-KubernetesResource',
    );
    expect(Object.keys(resources)).toHaveLength(2);
    const workloadId = stacks.portal.getLogicalId(
      stacks.portal.workload.node.defaultChild as never,
    );
    const supportId = stacks.portal.getLogicalId(
      stacks.portal.support.node.defaultChild as never,
    );
    expect(resources[workloadId].DependsOn).toContain(supportId);
    for (const r of Object.values(resources)) {
      expect(JSON.stringify(r.Properties.ServiceToken)).toContain(
        'Fn::ImportValue',
      );
    }
  });

  it('keeps backend images in a scanned, immutable ECR repository', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
    });
  });
});

describe('Kubernetes schemas', () => {
  it('validates every object against the Kubernetes and CRD JSON schemas', () => {
    const schemaChecked = all.filter(o => o.kind !== 'SecurityGroupPolicy');
    const { status, results } = validateSchemas(schemaChecked);
    expect(results.filter(r => r.error)).toEqual([]);
    expect(results).toHaveLength(schemaChecked.length);
    expect(status).toBe(0);
  });

  it('rejects an invalid object (the validator is not a no-op)', () => {
    const broken = JSON.parse(JSON.stringify(deployment));
    broken.spec.replicas = 'three';
    const { status, results } = validateSchemas([broken]);
    expect(status).toBe(1);
    expect(results[0].error).toMatch(/replicas/);
  });

  it('uses the SecurityGroupPolicy shape of the VPC resource controller (no public schema package)', () => {
    const [policy] = find('SecurityGroupPolicy');
    expect(policy.apiVersion).toBe('vpcresources.k8s.aws/v1beta1');
    expect(spec(policy).podSelector.matchLabels).toEqual(
      spec(deployment).selector.matchLabels,
    );
    expect(spec(policy).securityGroups.groupIds).toHaveLength(2);
  });
});

describe('Deployment', () => {
  it('runs at least 3 replicas spread over zones', () => {
    expect(spec(deployment).replicas).toBeGreaterThanOrEqual(3);
    expect(pod.topologySpreadConstraints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          topologyKey: 'topology.kubernetes.io/zone',
          maxSkew: 1,
          whenUnsatisfiable: 'DoNotSchedule',
        }),
      ]),
    );
  });

  it('sets requests and limits', () => {
    expect(container.resources).toEqual({
      requests: {
        cpu: config.portal.resources.cpuRequest,
        memory: config.portal.resources.memoryRequest,
      },
      limits: {
        cpu: config.portal.resources.cpuLimit,
        memory: config.portal.resources.memoryLimit,
      },
    });
  });

  it('probes the Backstage health endpoints over HTTPS', () => {
    expect(container.readinessProbe.httpGet).toEqual({
      path: '/.backstage/health/v1/readiness',
      port: 'https',
      scheme: 'HTTPS',
    });
    expect(container.livenessProbe.httpGet).toEqual({
      path: '/.backstage/health/v1/liveness',
      port: 'https',
      scheme: 'HTTPS',
    });
  });

  it('runs as non-root with a read-only root filesystem and no capabilities', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('uses the Pod Identity service account and the image from ECR', () => {
    expect(pod.serviceAccountName).toBe('rti-portal-backend');
    expect(container.image).toBe(params.image);
  });

  it('gets every key of app-config.production.yaml from ConfigMaps and Secrets', () => {
    const env = Object.fromEntries(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      container.env.map((e: any) => [e.name, e.valueFrom ?? e.value]),
    );
    const fromSecret = (name: string) =>
      expect.objectContaining({
        secretKeyRef: expect.objectContaining({ name }),
      });
    expect(env).toMatchObject({
      REDIS_URL: fromSecret(PORTAL_SECRETS.redis),
      POSTGRES_HOST: fromSecret(PORTAL_SECRETS.database),
      POSTGRES_USER: fromSecret(PORTAL_SECRETS.database),
      POSTGRES_PASSWORD: fromSecret(PORTAL_SECRETS.database),
      BACKEND_SECRET: fromSecret(PORTAL_SECRETS.backend),
      OIDC_METADATA_URL: fromSecret(PORTAL_SECRETS.oidc),
      OIDC_CLIENT_ID: fromSecret(PORTAL_SECRETS.oidc),
      OIDC_CLIENT_SECRET: fromSecret(PORTAL_SECRETS.oidc),
      PORTAL_BASE_URL: expect.objectContaining({
        configMapKeyRef: expect.anything(),
      }),
      AWS_REGION: expect.objectContaining({
        configMapKeyRef: expect.anything(),
      }),
      POSTGRES_PORT: expect.objectContaining({
        configMapKeyRef: expect.anything(),
      }),
    });
    // Every variable app-config.production.yaml references is provided.
    const production = fs.readFileSync(
      path.resolve(__dirname, '../../app-config.production.yaml'),
      'utf8',
    );
    const referenced = [...production.matchAll(/\$\{(\w+)\}/g)].map(m => m[1]);
    for (const name of referenced) expect(env).toHaveProperty(name);
  });

  it('points the reports plugin at the reports bucket, keeping reports less long than S3 does, shared downloads pre-signed', () => {
    const [configMap] = find('ConfigMap', 'rti-portal-app-config');
    const appConfig = JSON.parse(
      (configMap.data as Record<string, string>)['app-config.kubernetes.yaml'],
    );
    const { reports } = appConfig.realtimeInsights;
    expect(reports.s3.bucket).toBe(params.reports.bucket);
    expect(JSON.stringify(reports.s3.bucket)).toContain('-reports-');
    expect(reports.retentionDays).toBeGreaterThanOrEqual(1);
    expect(reports.retentionDays).toBeLessThan(
      config.ingestion.reportExpirationDays,
    );
    expect(reports.sharing.download).toEqual({ type: 'presigned' });
  });

  it('serves HTTPS with the cert-manager certificate', () => {
    const [certificate] = find('Certificate');
    const tlsVolume = pod.volumes.find(
      (v: { name: string }) => v.name === 'tls',
    );
    expect(tlsVolume.secret.secretName).toBe(spec(certificate).secretName);
    expect(spec(certificate).dnsNames).toContain(
      `${PORTAL_APP}.${config.portal.namespace}.svc`,
    );
  });
});

describe('scaling and disruption', () => {
  it('autoscales on CPU and memory', () => {
    const [hpa] = find('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(spec(hpa).minReplicas).toBeGreaterThanOrEqual(3);
    expect(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      spec(hpa)
        .metrics.map((m: any) => m.resource.name)
        .sort(),
    ).toEqual(['cpu', 'memory']);
  });

  it('keeps all but one replica through voluntary disruptions', () => {
    const [pdb] = find('PodDisruptionBudget');
    expect(spec(pdb)).toEqual({
      maxUnavailable: 1,
      selector: spec(deployment).selector,
    });
  });
});

describe('network', () => {
  it('denies all traffic by default', () => {
    const [deny] = find('NetworkPolicy', 'default-deny-all');
    expect(spec(deny)).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  it('lets the backend take HTTPS from the VPC only, and reach DNS, Redis, PostgreSQL and HTTPS', () => {
    const [ingress] = find('NetworkPolicy', `${PORTAL_APP}-ingress`);
    expect(spec(ingress).ingress).toEqual([
      {
        from: [{ ipBlock: { cidr: config.platform.vpcCidr } }],
        ports: [{ protocol: 'TCP', port: 7007 }],
      },
    ]);
    const [egress] = find('NetworkPolicy', `${PORTAL_APP}-egress`);
    const ports = spec(egress)
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      .egress.flatMap((rule: any) => rule.ports.map((p: any) => p.port))
      .sort();
    expect(ports).toEqual([443, 5432, 53, 53, 6379].sort());
  });

  it('exposes the backend through an ALB with HTTPS to the pods', () => {
    const [ingress] = find('Ingress');
    const annotations = ingress.metadata.annotations as Record<string, string>;
    expect(annotations).toMatchObject({
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/scheme': config.portal.albScheme,
      'alb.ingress.kubernetes.io/healthcheck-path':
        '/.backstage/health/v1/readiness',
    });
    expect(spec(ingress).ingressClassName).toBe('alb');
    const [service] = find('Service');
    expect(spec(service).ports).toEqual([
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
  });
});

describe('secrets', () => {
  it('syncs the database, Redis, backend and SSO secrets from Secrets Manager', () => {
    const names = find('ExternalSecret')
      .map(o => o.metadata.name)
      .sort();
    expect(names).toEqual(Object.values(PORTAL_SECRETS).sort());
    const [redis] = find('ExternalSecret', PORTAL_SECRETS.redis);
    expect(spec(redis).target.template.data.REDIS_URL).toMatch(
      /^rediss:\/\/:\{\{ \.token \}\}@.+:6379$/,
    );
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(
    path.join(__dirname, '../docker/Dockerfile'),
    'utf8',
  );

  it('is multi-stage, npm-based and runs as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).not.toMatch(/^\s*(RUN|\&\&).*\byarn\b/m);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map(m => m[1]);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
  });
});
