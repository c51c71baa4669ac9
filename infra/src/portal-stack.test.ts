import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesizeApp } from './__testing__/synthesize';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  KubernetesObject,
  RDS_CA_BUNDLE_PATH,
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
      REDIS_AUTH_TOKEN: fromSecret(PORTAL_SECRETS.redis),
      POSTGRES_HOST: fromSecret(PORTAL_SECRETS.database),
      POSTGRES_USER: fromSecret(PORTAL_SECRETS.database),
      POSTGRES_PASSWORD: fromSecret(PORTAL_SECRETS.database),
      AUTH_SESSION_SECRET: fromSecret(PORTAL_SECRETS.session),
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
    // Values only (comments may mention variables), without defaults.
    const values = JSON.stringify(parseYaml(production));
    const referenced = [...values.matchAll(/\$\{(\w+)\}/g)].map(m => m[1]);
    expect(referenced.length).toBeGreaterThan(10);
    for (const name of referenced) expect(env).toHaveProperty(name);
  });

  it('runs exactly the production config set of the image, nothing mounted over it', () => {
    // The image's CMD names app-config.yaml and app-config.production.yaml.
    expect(container.args).toBeUndefined();
    expect(container.command).toBeUndefined();
    const mounted = JSON.stringify(pod.volumes);
    expect(mounted).not.toMatch(/app-config/);
  });

  const environment = Object.fromEntries(
    find('ConfigMap', 'rti-portal-environment').flatMap(m =>
      Object.entries(m.data as Record<string, string>),
    ),
  );
  const repoFile = (name: string) =>
    fs.readFileSync(path.resolve(__dirname, '../..', name), 'utf8');

  it('points the reports plugin at the reports bucket, keeping reports less long than S3 does', () => {
    expect(environment.RTI_REPORTS_BUCKET).toBe(params.reports.bucket);
    expect(JSON.stringify(params.reports.bucket)).toContain('-reports-');
    // The portal deletes a report (file and record) before S3's lifecycle
    // rule would, so a listed report always has its file.
    const shared = parseYaml(repoFile('app-config.yaml'));
    expect(shared.realtimeInsights.reports.retentionDays).toBeLessThan(
      config.ingestion.reportExpirationDays,
    );
  });

  it('gives the catalog the org file and the streams of the buckets and delivery streams it created', () => {
    const [catalog] = find('ConfigMap', 'rti-portal-catalog');
    const files = catalog.data as Record<string, string>;
    expect(files['org.yaml']).toBe(repoFile(config.portal.orgCatalogFile));
    const streams = parseAllDocuments(files['streams.yaml']).map(d => d.toJS());
    expect(streams.map(e => e.metadata.name).sort()).toEqual(
      Object.keys(params.eventBuckets).sort(),
    );
    for (const stream of streams) {
      expect(stream.kind).toBe('Resource');
      expect(stream.spec.type).toBe('data-stream');
      const annotations = stream.metadata.annotations;
      expect(annotations['realtime-insights.io/bucket']).toBe(
        params.eventBuckets[
          stream.metadata.name as keyof typeof params.eventBuckets
        ],
      );
      expect(annotations['realtime-insights.io/firehose-stream']).toBe(
        `rti-${config.stage}-${stream.metadata.name}`,
      );
      // Objects hold records up to the processor's and S3's buffering
      // after the time that names them: the portal reads that far back.
      const deliveries = templates.ingestion.findResources(
        'AWS::KinesisFirehose::DeliveryStream',
        {
          Properties: {
            DeliveryStreamName: `rti-${config.stage}-${stream.metadata.name}`,
          },
        },
      );
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const [delivery] = Object.values(deliveries) as any[];
      const s3 = delivery.Properties.ExtendedS3DestinationConfiguration;
      const processorSeconds = Number(
        s3.ProcessingConfiguration.Processors[0].Parameters.find(
          (p: { ParameterName: string }) =>
            p.ParameterName === 'BufferIntervalInSeconds',
        ).ParameterValue,
      );
      expect(annotations['realtime-insights.io/buffer-interval-seconds']).toBe(
        String(s3.BufferingHints.IntervalInSeconds + processorSeconds),
      );
    }
    // Mounted where the environment says the files are.
    const mount = container.volumeMounts.find(
      (m: { name: string }) => m.name === 'catalog',
    );
    const volume = pod.volumes.find(
      (v: { name: string }) => v.name === 'catalog',
    );
    expect(volume.configMap.name).toBe('rti-portal-catalog');
    expect(environment.RTI_CATALOG_ORG_FILE).toBe(
      `${mount.mountPath}/org.yaml`,
    );
    expect(environment.RTI_CATALOG_STREAMS_FILE).toBe(
      `${mount.mountPath}/streams.yaml`,
    );
  });

  it('trusts the RDS certificate authority from the bundle the image carries', () => {
    expect(environment.POSTGRES_CA_FILE).toBe(RDS_CA_BUNDLE_PATH);
    const dockerfile = fs.readFileSync(
      path.join(__dirname, '../docker/Dockerfile'),
      'utf8',
    );
    // AWS's global bundle of RDS CAs, into the runtime image, readable by
    // the non-root user.
    const adds = [...dockerfile.matchAll(/^ADD (.+)$/gm)].map(m => m[1]);
    const bundle = adds.find(line => line.includes('global-bundle.pem'));
    expect(bundle).toMatch(
      /https:\/\/truststore\.pki\.rds\.amazonaws\.com\/global\/global-bundle\.pem/,
    );
    expect(bundle!.trim().endsWith(` ${RDS_CA_BUNDLE_PATH}`)).toBe(true);
    expect(bundle).toMatch(/--chmod=0?644/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toContain(RDS_CA_BUNDLE_PATH);
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
    expect(ports).toEqual([443, 5432, 53, 53, 6379, 80].sort());
  });

  it('lets the backend reach the Pod Identity agent for its AWS credentials, and no other link-local address', () => {
    const [egress] = find('NetworkPolicy', `${PORTAL_APP}-egress`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const rules = spec(egress).egress as any[];
    const linkLocal = rules.filter(rule =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      rule.to.some((peer: any) => peer.ipBlock?.cidr?.startsWith('169.254.')),
    );
    expect(linkLocal).toEqual([
      {
        to: [{ ipBlock: { cidr: '169.254.170.23/32' } }],
        ports: [{ protocol: 'TCP', port: 80 }],
      },
    ]);
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
    expect(spec(redis).data).toEqual([
      {
        secretKey: 'REDIS_AUTH_TOKEN',
        remoteRef: { key: params.redis.authTokenSecretArn, property: 'token' },
      },
    ]);
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
    // No yarn install: the yarn on PATH while bundling runs npm.
    expect(dockerfile).not.toMatch(/(RUN|&&)\s+yarn\b/);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map(m => m[1]);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
  });

  it('installs production dependencies into the unpacked bundle with the root manifests', () => {
    const install = dockerfile.indexOf('npm install --omit=dev');
    expect(install).toBeGreaterThan(0);
    const before = dockerfile.slice(0, install);
    // The native summariser builds at install time from the bundle's
    // sources; npm needs the root package.json for the workspaces.
    expect(before).toMatch(/tar xzf \S*skeleton\.tar\.gz/);
    expect(before).toMatch(/tar xzf \S*bundle\.tar\.gz/);
    expect(before).toMatch(/cp package\.json package-lock\.json/);
  });
});
