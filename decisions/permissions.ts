/**
 * What the suite asks the API server for: the permissions each check needs (preflight.kube-access
 * reports them), the write access worth reporting, and how deep a check may look with the
 * identity's permissions (exec, named Secrets).
 *
 * @module
 */
import { DEFAULT_GATEWAY_SECRET } from './gateway-listener.js';
import type { SovereignConfig } from '../clients/config.js';
import type { AccessQuery, Kube } from '../clients/kube.js';
import { DEPLOYMENT } from './catalyst-pods.js';

/** A permission the suite uses, and which check needs it. */
export interface NeededPermission {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  /**
   * The one object asked for, when the check reads it by name: the access review carries the name, so
   * a Role scoped with `resourceNames` is recognised.
   */
  name?: string;
  /** The checks that need it. */
  usedBy: string;
  /** When denied, preflight fails (every cluster check needs it); otherwise only `usedBy` runs at a reduced depth or is skipped. */
  essential: boolean;
  /** How the checks decide without it (the reduced depth), for the preflight report. */
  without?: string;
}

/** catalyst-api's handover public key (shared/sovereign.md §1.8). */
export const HANDOVER_SECRET = 'catalyst-handover-jwt-public';

/**
 * The permissions the suite uses, from the configuration: exactly what the checks ask the API server
 * for, by name where they read one object (`gatewaySecret`: the Secret the Gateway's listener names).
 * Least privilege is sovereigns/rbac.yaml's `least-privilege` set: every essential permission and every
 * read without `without`; the `deep` set adds exec and the named Secrets.
 */
export function neededPermissions(config: SovereignConfig, gatewaySecret = DEFAULT_GATEWAY_SECRET): NeededPermission[] {
  const ns = config.catalystNamespace;
  const gw = config.gateway.namespace;
  const gwApi = 'gateway.networking.k8s.io';
  return [
    { verb: 'list', resource: 'pods', namespace: ns, usedBy: 'catalyst-api.*, catalyst.workloads-ready', essential: true },
    { verb: 'get', resource: 'deployments', group: 'apps', namespace: ns, name: DEPLOYMENT, usedBy: 'catalyst-api.*', essential: true },
    { verb: 'get', resource: 'configmaps', namespace: ns, name: 'sovereign-fqdn', usedBy: 'catalyst-api.sovereign-fqdn, the login (the owner and deployment id)', essential: true },
    { verb: 'get', resource: 'persistentvolumeclaims', namespace: ns, name: 'catalyst-api-deployments', usedBy: 'catalyst-api.state-on-pvc', essential: true },
    { verb: 'list', resource: 'kustomizations', group: 'kustomize.toolkit.fluxcd.io', namespace: 'flux-system', usedBy: 'gitops.ready', essential: true },
    { verb: 'list', resource: 'helmreleases', group: 'helm.toolkit.fluxcd.io', namespace: 'flux-system', usedBy: 'gitops.ready', essential: true },
    { verb: 'list', resource: 'certificates', group: 'cert-manager.io', namespace: gw, usedBy: 'gitops.ready, tls.matches-cluster', essential: true },
    // Reads one check needs (the checks other areas own name these; sovereigns/rbac.yaml grants them).
    { verb: 'get', resource: 'gateways', group: gwApi, namespace: gw, name: config.gateway.name, usedBy: 'tls.matches-cluster, gitops.ready', essential: false },
    { verb: 'list', resource: 'certificaterequests', group: 'cert-manager.io', namespace: gw, usedBy: 'tls.matches-cluster (the issued certificate without the Secret)', essential: false },
    { verb: 'list', resource: 'nodes', usedBy: 'cluster.nodes-ready', essential: false },
    { verb: 'list', resource: 'deployments', group: 'apps', namespace: ns, usedBy: 'catalyst.workloads-ready', essential: false },
    { verb: 'list', resource: 'statefulsets', group: 'apps', namespace: ns, usedBy: 'catalyst.workloads-ready', essential: false },
    { verb: 'list', resource: 'daemonsets', group: 'apps', namespace: ns, usedBy: 'catalyst.workloads-ready', essential: false },
    { verb: 'list', resource: 'httproutes', group: gwApi, usedBy: 'routes.reachable', essential: false },
    { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', usedBy: 'routes.reachable', essential: false },
    { verb: 'get', resource: 'configmaps', namespace: 'keycloak', name: 'keycloak-sovereign-realm-config', usedBy: 'keycloak.sa-roles (the service account\'s roles from the realm import, when no SA credentials may be read)', essential: false },
    // The deep run: each only deepens the evidence.
    // exec over WebSocket is authorized as get (and, from Kubernetes 1.35, create as well).
    { verb: 'get', resource: 'pods', subresource: 'exec', namespace: ns, usedBy: 'catalyst-api.sovereign-fqdn (the live environment; exec over WebSocket)', essential: false, without: 'catalyst-api.sovereign-fqdn decides from GET /api/v1/sovereign/self and the ConfigMap and Pod start times, not inside each Pod' },
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace: ns, usedBy: 'catalyst-api.sovereign-fqdn (the live environment; from Kubernetes 1.35)', essential: false, without: 'catalyst-api.sovereign-fqdn decides from GET /api/v1/sovereign/self and the ConfigMap and Pod start times, not inside each Pod' },
    { verb: 'get', resource: 'secrets', namespace: ns, name: HANDOVER_SECRET, usedBy: 'catalyst-api.handover-key', essential: false, without: 'catalyst-api.handover-key decides from the Pod spec\'s mount and the answer /auth/handover gives a control token' },
    { verb: 'get', resource: 'secrets', namespace: gw, name: gatewaySecret, usedBy: 'tls.matches-cluster', essential: false, without: 'tls.matches-cluster compares with the current CertificateRequest\'s status.certificate' },
    { verb: 'get', resource: 'secrets', namespace: 'flux-system', name: 'cloud-credentials', usedBy: 'lb.*, dns.* (the Hetzner token when HCLOUD_TOKEN is unset)', essential: false, without: 'the Hetzner checks need HCLOUD_TOKEN' },
    { verb: 'get', resource: 'secrets', namespace: 'keycloak', name: 'catalyst-kc-sa-credentials', usedBy: 'keycloak.sa-roles (credentials when SMOKE_KC_SA_* are unset)', essential: false, without: 'keycloak.sa-roles decides from the realm import (ConfigMap keycloak/keycloak-sovereign-realm-config), not from a token of its own, unless SMOKE_KC_SA_CLIENT_ID/SECRET are given' },
  ];
}

/** Write permissions worth reporting: a smoke identity should hold none of them. */
export const WRITE_PROBES: { verb: string; resource: string; group?: string; namespace?: string }[] = [
  { verb: '*', resource: '*', group: '*' },
  { verb: 'create', resource: 'pods' },
  { verb: 'delete', resource: 'pods' },
  { verb: 'update', resource: 'secrets' },
  { verb: 'patch', resource: 'deployments', group: 'apps' },
  { verb: 'patch', resource: 'helmreleases', group: 'helm.toolkit.fluxcd.io' },
  { verb: 'create', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' },
];

export function describePermission(p: { verb: string; resource: string; group?: string; subresource?: string; namespace?: string; name?: string }): string {
  const res = `${p.resource}${p.subresource ? `/${p.subresource}` : ''}${p.group && p.group !== '*' ? `.${p.group}` : ''}`;
  return `${p.verb} ${res}${p.name ? ` ${p.name}` : ''}${p.namespace ? ` in ${p.namespace}` : ' cluster-wide'}`;
}

export function accessQuery(p: { resource: string; group?: string; subresource?: string; namespace?: string; name?: string }): AccessQuery {
  return { ...(p.namespace ? { namespace: p.namespace } : {}), ...(p.group ? { group: p.group } : {}), ...(p.subresource ? { subresource: p.subresource } : {}), ...(p.name ? { name: p.name } : {}) };
}

// --- depth: what the identity may read decides how deep a check looks --------------------------------

/**
 * The verbs exec over WebSocket needs: the upgrade is a GET, authorized as `get pods/exec`; from
 * Kubernetes 1.35 (AuthorizePodWebsocketUpgradeCreatePermission, KEP-4006) `create` as well.
 */
export function execVerbsNeeded(serverVersion: string | undefined): string[] {
  const minor = Number(/^v?1\.(\d+)/.exec(serverVersion ?? '')?.[1] ?? '0');
  return minor >= 35 ? ['get', 'create'] : ['get'];
}

/** Whether the identity may exec into catalyst-api, and the verbs it lacks (pure: access-review answers in, decision out). */
export function execDepth(granted: { get: boolean; create: boolean }, serverVersion: string | undefined): { allowed: boolean; missing: string[] } {
  const missing = execVerbsNeeded(serverVersion).filter((v) => !granted[v as 'get' | 'create']);
  return { allowed: missing.length === 0, missing };
}

/** {@link execDepth} for this identity (access reviews, cached per worker). */
export async function execAccess(kube: Kube, config: SovereignConfig): Promise<{ allowed: boolean; missing: string[] }> {
  await kube.reachable();
  const q = { namespace: config.catalystNamespace, subresource: 'exec' };
  const [get, create] = await Promise.all([kube.can('get', 'pods', q).catch(() => false), kube.can('create', 'pods', q).catch(() => false)]);
  return execDepth({ get, create }, kube.serverVersion);
}

/** Whether the identity may read Secret `namespace/name` (an access review by name, so `resourceNames` counts). */
export function secretReadable(kube: Kube, namespace: string, name: string): Promise<boolean> {
  return kube.can('get', 'secrets', { namespace, name }).catch(() => false);
}

/**
 * exec into catalyst-api runs with its ServiceAccount's token: ClusterRole catalyst-api-cutover-driver
 * (openova-io/openova products/catalyst/chart/templates/clusterrole-cutover-driver.yaml @013d3d39) reads
 * every Secret cluster-wide, patches and deletes Pods and Deployments, creates namespaces. So exec there
 * is as good as those writes.
 */
export const EXEC_WRITE_EQUIVALENT = 'exec into catalyst-api (pods/exec in {ns}) runs as its ServiceAccount catalyst-api-cutover-driver, which reads every Secret cluster-wide and patches and deletes Pods and Deployments: write-equivalent';
