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
  backendSecretArn: string;
  oidcSecretArn: string;
  /** Event bucket per data class: what stream entities may name. */
  eventBuckets: Record<DataClass, string>;
  /**
   * Where report exports go (encrypted by the bucket's default KMS key),
   * and how long the portal keeps them: less than the bucket's lifecycle
   * expiry, so a listed report always has its file.
   */
  reports: { bucket: string; retentionDays: number };
}

export const PORTAL_APP = 'rti-portal-backend';
const HEALTH_READINESS = '/.backstage/health/v1/readiness';
const HEALTH_LIVENESS = '/.backstage/health/v1/liveness';
const SECRET_STORE = 'rti-aws-secrets-manager';
const TLS_SECRET = 'rti-portal-backend-tls';
const CONFIG_MAP = 'rti-portal-app-config';

/** Kubernetes secrets the backend reads its environment from. */
export const PORTAL_SECRETS = {
  database: 'rti-portal-database',
  redis: 'rti-portal-redis',
  backend: 'rti-portal-backend-auth',
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

  const appConfig = {
    backend: {
      listen: `:${p.backendPort}`,
      // End-to-end TLS: the ALB speaks HTTPS to the pod (cert-manager's certificate).
      https: {
        certificate: {
          cert: { $file: '/tls/tls.crt' },
          key: { $file: '/tls/tls.key' },
        },
      },
    },
    realtimeInsights: {
      reports: {
        s3: { bucket: p.reports.bucket },
        retentionDays: p.reports.retentionDays,
        // Shared links stay revocable backend URLs; each download of a
        // valid one is redirected to a short-lived S3 pre-signed URL, so
        // large files do not stream through the portal's pods.
        sharing: { download: { type: 'presigned' } },
      },
    },
  };

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
    externalSecret(
      PORTAL_SECRETS.redis,
      [
        {
          secretKey: 'token',
          key: p.redis.authTokenSecretArn,
          property: 'token',
        },
      ],
      // The token is alphanumeric: no URL escaping needed.
      { REDIS_URL: `rediss://:{{ .token }}@${p.redis.host}:${p.redis.port}` },
    ),
    externalSecret(PORTAL_SECRETS.backend, [
      {
        secretKey: 'BACKEND_SECRET',
        key: p.backendSecretArn,
        property: 'BACKEND_SECRET',
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
      data: {
        'app-config.kubernetes.yaml': JSON.stringify(appConfig, null, 2),
        PORTAL_BASE_URL: `https://${p.hostname}`,
        AWS_REGION: p.region,
        POSTGRES_PORT: String(p.database.port),
        ...bucketEnvironment(p.eventBuckets),
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
                args: [
                  '--config',
                  'app-config.yaml',
                  '--config',
                  'app-config.production.yaml',
                  '--config',
                  '/config/app-config.kubernetes.yaml',
                ],
                ports: [
                  {
                    name: 'https',
                    containerPort: p.backendPort,
                    protocol: 'TCP',
                  },
                ],
                env: [
                  { name: 'NODE_ENV', value: 'production' },
                  ...envFromConfig([
                    'PORTAL_BASE_URL',
                    'AWS_REGION',
                    'POSTGRES_PORT',
                    ...Object.keys(bucketEnvironment(p.eventBuckets)),
                  ]),
                  ...envFromSecret(PORTAL_SECRETS.database, [
                    'POSTGRES_HOST',
                    'POSTGRES_USER',
                    'POSTGRES_PASSWORD',
                  ]),
                  ...envFromSecret(PORTAL_SECRETS.redis, ['REDIS_URL']),
                  ...envFromSecret(PORTAL_SECRETS.backend, ['BACKEND_SECRET']),
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
                  { name: 'tls', mountPath: '/tls', readOnly: true },
                  { name: 'config', mountPath: '/config', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: TLS_SECRET } },
              {
                name: 'config',
                configMap: {
                  name: CONFIG_MAP,
                  items: [
                    {
                      key: 'app-config.kubernetes.yaml',
                      path: 'app-config.kubernetes.yaml',
                    },
                  ],
                },
              },
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
