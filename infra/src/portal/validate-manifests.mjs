// Validates Kubernetes objects against the Kubernetes (and CRD) JSON schemas
// shipped by the kubernetes-models packages, offline. ESM-only packages, so
// this runs as its own Node process: `node validate-manifests.mjs < objects.json`.
// Prints a JSON array of { kind, name, error } and exits 1 when any is invalid.
import { readFileSync } from 'node:fs';

const models = {
  'v1/ConfigMap': () => import('kubernetes-models/v1/ConfigMap'),
  'v1/Service': () => import('kubernetes-models/v1/Service'),
  'v1/Namespace': () => import('kubernetes-models/v1/Namespace'),
  'apps/v1/Deployment': () => import('kubernetes-models/apps/v1/Deployment'),
  'autoscaling/v2/HorizontalPodAutoscaler': () =>
    import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'),
  'policy/v1/PodDisruptionBudget': () =>
    import('kubernetes-models/policy/v1/PodDisruptionBudget'),
  'networking.k8s.io/v1/NetworkPolicy': () =>
    import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  'networking.k8s.io/v1/Ingress': () =>
    import('kubernetes-models/networking.k8s.io/v1/Ingress'),
  'cert-manager.io/v1/Certificate': () =>
    import('@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate'),
  'cert-manager.io/v1/Issuer': () =>
    import('@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer'),
  'external-secrets.io/v1/ExternalSecret': () =>
    import(
      '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret'
    ),
  'external-secrets.io/v1/ClusterSecretStore': () =>
    import(
      '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore'
    ),
};

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const object of objects) {
  const id = `${object.apiVersion}/${object.kind}`;
  const load = models[id];
  if (!load) {
    results.push({
      kind: object.kind,
      name: object.metadata?.name,
      error: `no schema for ${id}`,
    });
    continue;
  }
  const Model = (await load())[object.kind];
  try {
    new Model(object).validate();
    results.push({
      kind: object.kind,
      name: object.metadata?.name,
      error: null,
    });
  } catch (error) {
    results.push({
      kind: object.kind,
      name: object.metadata?.name,
      error: String(error.message ?? error),
    });
  }
}
process.stdout.write(JSON.stringify(results));
process.exitCode = results.some(r => r.error) ? 1 : 0;
