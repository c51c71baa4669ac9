import type { DataClass } from '@internal/plugin-realtime-insights-common';
import type { InfraConfig } from '../config';

/** A plain Kubernetes object, as `kubectl apply` takes it. */
export type KubernetesObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

/** What the portal's manifests need to know about the AWS side. */
export interface PortalManifestParams {
  namespace: string;
  image: string;
  hostname: string;
  region: string;
  replicas: number;
  maxReplicas: number;
  resources: InfraConfig['portal']['resources'];
  serviceAccountName: string;
  backendPort: number;
  vpcCidr: string;
  alb: {
    scheme: 'internal' | 'internet-facing';
    securityGroupId: string;
    certificateArn?: string;
  };
  /** Security groups attached to backend pods (SecurityGroupPolicy). */
  podSecurityGroupIds: string[];
  redis: { host: string; port: number; authTokenSecretArn: string };
  database: { port: number; secretArn: string };
  sessionSecretArn: string;
  oidcSecretArn: string;
  /** Event bucket per data class: what stream entities may name. */
  eventBuckets: Record<DataClass, string>;
  /** Where report exports go (encrypted by the bucket's default KMS key). */
  reports: { bucket: string };
  /**
   * The catalog files the portal reads (RTI_CATALOG_ORG_FILE and
   * RTI_CATALOG_STREAMS_FILE): the company's people and teams, and the
   * stream entities of the buckets above.
   */
  catalog: { orgYaml: string; streamsYaml: string };
}

export const PORTAL_APP = 'rti-portal-backend';
const HEALTH_READINESS = '/.backstage/health/v1/readiness';
const HEALTH_LIVENESS = '/.backstage/health/v1/liveness';
const SECRET_STORE = 'rti-aws-secrets-manager';
const TLS_SECRET = 'rti-portal-backend-tls';
const CONFIG_MAP = 'rti-portal-environment';
const CATALOG_MAP = 'rti-portal-catalog';
const CATALOG_DIR = '/catalog';
const TLS_DIR = '/tls';

/**
 * Where the image keeps AWS's RDS certificate bundle (infra/docker/Dockerfile):
 * Node does not trust the RDS CA by default, PostgreSQL's TLS needs it.
 */
export const RDS_CA_BUNDLE_PATH = '/etc/rti/rds-global-bundle.pem';

/** The EKS Pod Identity agent: the pod's AWS credentials come from it. */
export const POD_IDENTITY_AGENT = { cidr: '169.254.170.23/32', port: 80 };

/** Kubernetes secrets the backend reads its environment from. */
export const PORTAL_SECRETS = {
  database: 'rti-portal-database',
  redis: 'rti-portal-redis',
  session: 'rti-portal-auth-session',
  oidc: 'rti-portal-oidc',
} as const;

const labels = {
  'app.kubernetes.io/name': PORTAL_APP,
  'app.kubernetes.io/part-of': 'realtime-insights',
};
const selector = { 'app.kubernetes.io/name': PORTAL_APP };

/**
 * Streams are catalog entities; the portal may read only these buckets
 * (app-config.production.yaml: realtimeInsights.catalog.allowedBuckets).
 */
function bucketEnvironment(
  eventBuckets: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(eventBuckets).map(([dataClass, bucket]) => [
      `RTI_BUCKET_${dataClass.toUpperCase().replace(/-/g, '_')}`,
      bucket,
    ]),
  );
}

/**
 * The backend's environment that is not secret: with the secrets' keys, every
 * `${VAR}` app-config.production.yaml reads. The container runs exactly
 * app-config.yaml + app-config.production.yaml.
 */
export function portalEnvironment(
  p: PortalManifestParams,
): Record<string, string> {
  return {
    PORTAL_BASE_URL: `https://${p.hostname}`,
    PORTAL_TLS_CERT_FILE: `${TLS_DIR}/tls.crt`,
    PORTAL_TLS_KEY_FILE: `${TLS_DIR}/tls.key`,
    AWS_REGION: p.region,
    POSTGRES_PORT: String(p.database.port),
    POSTGRES_CA_FILE: RDS_CA_BUNDLE_PATH,
    REDIS_HOST: p.redis.host,
    REDIS_PORT: String(p.redis.port),
    RTI_REPORTS_BUCKET: p.reports.bucket,
    RTI_CATALOG_ORG_FILE: `${CATALOG_DIR}/org.yaml`,
    RTI_CATALOG_STREAMS_FILE: `${CATALOG_DIR}/streams.yaml`,
    ...bucketEnvironment(p.eventBuckets),
  };
}

/**
 * Supporting objects, applied first: secret sync, TLS, pod security groups,
 * app-config and network policies.
 */
export function portalSupportManifests(
  p: PortalManifestParams,
): KubernetesObject[] {
  const meta = (name: string) => ({ name, namespace: p.namespace, labels });
  const serviceHost = `${PORTAL_APP}.${p.namespace}.svc`;

  const externalSecret = (
    name: string,
    data: Array<{ secretKey: string; key: string; property: string }>,
    template?: Record<string, string>,
  ): KubernetesObject => ({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: meta(name),
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
      target: {
        name,
        creationPolicy: 'Owner',
        ...(template
          ? { template: { engineVersion: 'v2', data: template } }
          : {}),
      },
      data: data.map(({ secretKey, key, property }) => ({
        secretKey,
        remoteRef: { key, property },
      })),
    },
  });

  return [
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: SECRET_STORE, labels },
      spec: {
        // No auth block: the controller's EKS Pod Identity role, which may
        // read exactly the portal's secrets.
        provider: { aws: { service: 'SecretsManager', region: p.region } },
      },
    },
    externalSecret(PORTAL_SECRETS.database, [
      {
        secretKey: 'POSTGRES_USER',
        key: p.database.secretArn,
        property: 'username',
      },
      {
        secretKey: 'POSTGRES_PASSWORD',
        key: p.database.secretArn,
        property: 'password',
      },
      {
        secretKey: 'POSTGRES_HOST',
        key: p.database.secretArn,
        property: 'host',
      },
    ]),
    externalSecret(PORTAL_SECRETS.redis, [
      {
        secretKey: 'REDIS_AUTH_TOKEN',
        key: p.redis.authTokenSecretArn,
        property: 'token',
      },
    ]),
    externalSecret(PORTAL_SECRETS.session, [
      {
        secretKey: 'AUTH_SESSION_SECRET',
        key: p.sessionSecretArn,
        property: 'AUTH_SESSION_SECRET',
      },
    ]),
    externalSecret(
      PORTAL_SECRETS.oidc,
      ['OIDC_METADATA_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'].map(k => ({
        secretKey: k,
        key: p.oidcSecretArn,
        property: k,
      })),
    ),
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: meta('rti-portal-selfsigned'),
      // The ALB does not verify target certificates; it needs TLS, not a public CA.
      spec: { selfSigned: {} },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(TLS_SECRET),
      spec: {
        secretName: TLS_SECRET,
        commonName: serviceHost,
        dnsNames: [
          PORTAL_APP,
          `${PORTAL_APP}.${p.namespace}`,
          serviceHost,
          `${serviceHost}.cluster.local`,
        ],
        duration: '2160h',
        renewBefore: '720h',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['server auth', 'digital signature', 'key encipherment'],
        issuerRef: { kind: 'Issuer', name: 'rti-portal-selfsigned' },
      },
    },
    {
      apiVersion: 'vpcresources.k8s.aws/v1beta1',
      kind: 'SecurityGroupPolicy',
      metadata: meta(PORTAL_APP),
      spec: {
        podSelector: { matchLabels: selector },
        securityGroups: { groupIds: p.podSecurityGroupIds },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(CONFIG_MAP),
      data: portalEnvironment(p),
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(CATALOG_MAP),
      data: {
        'org.yaml': p.catalog.orgYaml,
        'streams.yaml': p.catalog.streamsYaml,
      },
    },
    ...portalNetworkPolicies(p),
  ];
}

/** Default deny; the backend takes HTTPS from the VPC (ALB, kubelet) and talks to DNS, Redis, PostgreSQL and HTTPS only. */
export function portalNetworkPolicies(
  p: PortalManifestParams,
): KubernetesObject[] {
  const meta = (name: string) => ({ name, namespace: p.namespace, labels });
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny-all'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(`${PORTAL_APP}-ingress`),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            // ALB (IP targets) and kubelet probes come from inside the VPC.
            from: [{ ipBlock: { cidr: p.vpcCidr } }],
            ports: [{ protocol: 'TCP', port: p.backendPort }],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(`${PORTAL_APP}-egress`),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
                },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
          {
            to: [{ ipBlock: { cidr: p.vpcCidr } }],
            ports: [
              { protocol: 'TCP', port: p.redis.port },
              { protocol: 'TCP', port: p.database.port },
            ],
          },
          {
            // The Pod Identity agent on the node hands out the role's
            // credentials; the CNI's policy agent drops link-local traffic
            // no rule allows.
            to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }],
            ports: [{ protocol: 'TCP', port: POD_IDENTITY_AGENT.port }],
          },
          {
            // S3 (gateway endpoint), AWS APIs and the SSO provider.
            to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
            ports: [{ protocol: 'TCP', port: 443 }],
          },
        ],
      },
    },
  ];
}

/** The workload: Deployment, Service, HPA, PDB and the ALB Ingress. */
export function portalWorkloadManifests(
  p: PortalManifestParams,
): KubernetesObject[] {
  const meta = (name: string) => ({ name, namespace: p.namespace, labels });
  const httpsProbe = (path: string) => ({
    httpGet: { path, port: 'https', scheme: 'HTTPS' },
  });
  const envFromSecret = (secret: string, keys: string[]) =>
    keys.map(key => ({
      name: key,
      valueFrom: { secretKeyRef: { name: secret, key } },
    }));
  const envFromConfig = (keys: string[]) =>
    keys.map(key => ({
      name: key,
      valueFrom: { configMapKeyRef: { name: CONFIG_MAP, key } },
    }));

  const albAnnotations: Record<string, string> = {
    'alb.ingress.kubernetes.io/scheme': p.alb.scheme,
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
    'alb.ingress.kubernetes.io/backend-protocol': 'HTTPS',
    'alb.ingress.kubernetes.io/ssl-policy':
      'ELBSecurityPolicy-TLS13-1-2-2021-06',
    'alb.ingress.kubernetes.io/healthcheck-protocol': 'HTTPS',
    'alb.ingress.kubernetes.io/healthcheck-path': HEALTH_READINESS,
    'alb.ingress.kubernetes.io/security-groups': p.alb.securityGroupId,
    // The pod security group already admits the ALB's group (CDK-managed).
    'alb.ingress.kubernetes.io/manage-backend-security-group-rules': 'false',
    'alb.ingress.kubernetes.io/load-balancer-attributes':
      'routing.http.drop_invalid_header_fields.enabled=true',
  };
  if (p.alb.certificateArn) {
    albAnnotations['alb.ingress.kubernetes.io/certificate-arn'] =
      p.alb.certificateArn;
  }

  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(PORTAL_APP),
      spec: {
        replicas: p.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
        },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: p.serviceAccountName,
            automountServiceAccountToken: true,
            terminationGracePeriodSeconds: 30,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              runAsGroup: 1000,
              fsGroup: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: selector },
              },
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: selector },
              },
            ],
            containers: [
              {
                name: 'backend',
                image: p.image,
                imagePullPolicy: 'IfNotPresent',
                // The image's CMD: app-config.yaml + app-config.production.yaml.
                ports: [
                  {
                    name: 'https',
                    containerPort: p.backendPort,
                    protocol: 'TCP',
                  },
                ],
                env: [
                  { name: 'NODE_ENV', value: 'production' },
                  ...envFromConfig(Object.keys(portalEnvironment(p))),
                  ...envFromSecret(PORTAL_SECRETS.database, [
                    'POSTGRES_HOST',
                    'POSTGRES_USER',
                    'POSTGRES_PASSWORD',
                  ]),
                  ...envFromSecret(PORTAL_SECRETS.redis, ['REDIS_AUTH_TOKEN']),
                  ...envFromSecret(PORTAL_SECRETS.session, [
                    'AUTH_SESSION_SECRET',
                  ]),
                  ...envFromSecret(PORTAL_SECRETS.oidc, [
                    'OIDC_METADATA_URL',
                    'OIDC_CLIENT_ID',
                    'OIDC_CLIENT_SECRET',
                  ]),
                ],
                resources: {
                  requests: {
                    cpu: p.resources.cpuRequest,
                    memory: p.resources.memoryRequest,
                  },
                  limits: {
                    cpu: p.resources.cpuLimit,
                    memory: p.resources.memoryLimit,
                  },
                },
                startupProbe: {
                  ...httpsProbe(HEALTH_LIVENESS),
                  periodSeconds: 5,
                  failureThreshold: 60,
                },
                readinessProbe: {
                  ...httpsProbe(HEALTH_READINESS),
                  periodSeconds: 10,
                  timeoutSeconds: 3,
                  failureThreshold: 3,
                },
                livenessProbe: {
                  ...httpsProbe(HEALTH_LIVENESS),
                  periodSeconds: 20,
                  timeoutSeconds: 3,
                  failureThreshold: 3,
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [
                  { name: 'tls', mountPath: TLS_DIR, readOnly: true },
                  { name: 'catalog', mountPath: CATALOG_DIR, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: TLS_SECRET } },
              { name: 'catalog', configMap: { name: CATALOG_MAP } },
              { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(PORTAL_APP),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
        ],
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(PORTAL_APP),
      spec: {
        scaleTargetRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: PORTAL_APP,
        },
        minReplicas: p.replicas,
        maxReplicas: p.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: 70 },
            },
          },
          {
            type: 'Resource',
            resource: {
              name: 'memory',
              target: { type: 'Utilization', averageUtilization: 80 },
            },
          },
        ],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(PORTAL_APP),
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { ...meta(PORTAL_APP), annotations: albAnnotations },
      spec: {
        ingressClassName: 'alb',
        tls: [{ hosts: [p.hostname] }],
        rules: [
          {
            host: p.hostname,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: {
                    service: { name: PORTAL_APP, port: { name: 'https' } },
                  },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}
