/**
 * Faults inside the cluster: Kubernetes access, Flux, and catalyst-api as it runs. Each is a real
 * failure mode made from the healthy world in a few lines; `expect.failing` lists every check of the
 * whole suite that fails with it (a wrong SOVEREIGN_FQDN also breaks the login, a crashing
 * catalyst-api everything behind /auth/handover), and the root cause they all name.
 *
 * @module
 */
import { rsaKeyPair } from '../keys.js';
import { rbacSet } from '../rbac.js';
import { API_POD_TEMPLATE_HASH, at, catalystApiPod, catalystApiPods, findObject, node, putObject, removeObject } from '../kube-objects.js';
import type { KubeObject, World } from '../world.js';
import type { CheckId } from '../../checks/index.js';
import type { Scenario } from './types.js';

const NS = 'catalyst-system';
/** What a catalyst-api without a usable audience/key breaks besides its own check. */
// A valid token is refused, so are the negative checks' control token (forged-rejected cannot tell
// whether audience and expiry are checked) and the replay check's first use.
const LOGIN: CheckId[] = ['handover.forged-rejected', 'handover.login', 'handover.replay-rejected'];
/** Everything that needs a Ready catalyst-api behind console.<fqdn>. */
const BEHIND_CONSOLE: CheckId[] = ['handover.forged-rejected', 'handover.login', 'handover.replay-rejected', 'handover.session-required'];

const sorted = (ids: CheckId[]): CheckId[] => [...new Set(ids)].sort();

/**
 * The smoke identity holds exactly the least-privilege set of sovereigns/rbac.yaml: read-only, no
 * Secret, no pods/exec. The `healthy` scenario runs under it, so the file is proven sufficient.
 */
export function leastPrivilege(w: World): void {
  w.kube.rbac = rbacSet('least-privilege');
}

function must(o: KubeObject | undefined, what: string): KubeObject {
  if (!o) throw new Error(`healthy world has no ${what}`);
  return o;
}

const fqdnConfigMap = (w: World): KubeObject => must(findObject(w, 'ConfigMap', NS, 'sovereign-fqdn'), 'ConfigMap sovereign-fqdn');
const apiDeployment = (w: World): KubeObject => must(findObject(w, 'Deployment', NS, 'catalyst-api'), 'Deployment catalyst-api');
const apiPod = (w: World): KubeObject => must(catalystApiPods(w)[0], 'catalyst-api Pod');
const helmRelease = (w: World, name: string): KubeObject => must(findObject(w, 'HelmRelease', 'flux-system', name), `HelmRelease ${name}`);

type Spec = { containers: { name: string; env?: { name: string; value?: string }[] }[]; volumes: Record<string, unknown>[] };

/** The Pod specs of the catalyst-api Deployment template and of every catalyst-api Pod. */
function apiSpecs(w: World): Spec[] {
  const tmpl = (apiDeployment(w)['spec'] as { template: { spec: Spec } }).template.spec;
  return [tmpl, ...catalystApiPods(w).map((p) => p['spec'] as Spec)];
}

/** Sets a HelmRelease's conditions (Ready first) and status fields. */
function setHelmStatus(hr: KubeObject, conditions: Record<string, unknown>[], extra: Record<string, unknown> = {}): void {
  hr['status'] = { ...(hr['status'] as Record<string, unknown>), conditions, ...extra };
}

function progressing(w: World, message: string): Record<string, unknown>[] {
  const when = at(w, -30);
  return [
    { type: 'Ready', status: 'Unknown', reason: 'Progressing', message, lastTransitionTime: when, observedGeneration: 2 },
    { type: 'Reconciling', status: 'True', reason: 'Progressing', message, lastTransitionTime: when, observedGeneration: 2 },
  ];
}

export const CLUSTER_SCENARIOS: Scenario[] = [
  {
    name: 'sovereign-fqdn-race',
    description:
      'Incident 1 (otech62): ConfigMap sovereign-fqdn was rendered by the sovereign-tls Kustomization after the catalyst-api Pod started; the optional reference resolved to nothing for the Pod\'s life, so SOVEREIGN_FQDN is empty and every handover fails with 401 "invalid audience".',
    apply: (w) => {
      const started = (apiPod(w)['status'] as { startTime: string }).startTime;
      fqdnConfigMap(w).metadata.creationTimestamp = at(w, (Date.parse(started) - w.bootTime) / 1000 + 50);
    },
    expect: { failing: sorted(['catalyst-api.sovereign-fqdn', ...LOGIN]), cause: 'sovereign-fqdn' },
  },
  {
    name: 'sovereign-fqdn-missing-configmap',
    description: 'ConfigMap catalyst-system/sovereign-fqdn does not exist (the chart guard `if .Values.global.sovereignFQDN` was false): SOVEREIGN_FQDN is unset in catalyst-api and every handover is 401 "invalid audience".',
    apply: (w) => removeObject(w, 'ConfigMap', NS, 'sovereign-fqdn'),
    expect: { failing: sorted(['catalyst-api.sovereign-fqdn', ...LOGIN]), cause: 'sovereign-fqdn' },
  },
  {
    name: 'sovereign-fqdn-one-pod',
    description:
      'catalyst-api scaled to 2 replicas: the older Pod started before ConfigMap sovereign-fqdn existed (empty SOVEREIGN_FQDN), the newer one after (right value). Only a per-Pod check names the bad Pod; the console answers from the older one, so the login fails too.',
    apply: (w) => {
      fqdnConfigMap(w).metadata.creationTimestamp = at(w, -400);
      putObject(w, catalystApiPod(w, 'q4m8n', -300, { node: `catalyst-${w.fqdn.replace(/\./g, '-')}-w1` }));
      const d = apiDeployment(w);
      (d['spec'] as { replicas: number }).replicas = 2;
      Object.assign(d['status'] as Record<string, unknown>, { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    },
    expect: { failing: sorted(['catalyst-api.sovereign-fqdn', ...LOGIN]), cause: 'sovereign-fqdn' },
  },
  {
    name: 'readyz-routed-to-ui',
    description:
      'HTTPRoute catalyst-ui predates its Exact /readyz and /healthz rules (TC-211, omantel.biz): the SPA answers console.<fqdn>/readyz with 200 and its HTML shell, so a probe from outside "passes" without reaching catalyst-api. The handover still works.',
    apply: (w) => {
      w.catalyst.healthRoutes = false;
    },
    expect: { failing: ['catalyst-api.available'], cause: 'readyz-not-routed' },
  },
  {
    name: 'evicted-pod-leftover',
    description:
      'An evicted catalyst-api Pod (phase Failed, reason Evicted, after disk pressure on the node) is still listed beside the running one until garbage collection. It is no replica: everything passes.',
    apply: (w) => {
      const old = catalystApiPod(w, 'e7v2c', -900, { node: `catalyst-${w.fqdn.replace(/\./g, '-')}-w1` });
      old['status'] = { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 512Mi.', startTime: at(w, -900), conditions: [{ type: 'Ready', status: 'False', reason: 'PodFailed' }], containerStatuses: [{ name: 'catalyst-api', ready: false, restartCount: 0, state: { terminated: { reason: 'ContainerStatusUnknown', exitCode: 137 } } }] };
      putObject(w, old);
    },
    expect: { failing: [] },
  },
  {
    name: 'exec-forbidden',
    description:
      'Exec denied alone: the smoke identity has the deep set of sovereigns/rbac.yaml without its pods/exec rule. catalyst-api.sovereign-fqdn cannot read the live environment, decides from GET /api/v1/sovereign/self and the ConfigMap and container start times, names that depth in its evidence, and passes.',
    apply: (w) => {
      w.kube.denied.push(`* pods/exec ${NS}`);
    },
    expect: { failing: [] },
  },
  {
    name: 'exec-create-only',
    description:
      "The smoke Role grants only create on pods/exec (written for kubectl's SPDY POST). exec over WebSocket is a GET, authorized as get pods/exec, so the suite may not exec: catalyst-api.sovereign-fqdn runs at the no-exec depth, names the missing verb in its evidence, and passes.",
    apply: (w) => {
      w.kube.denied.push(`get pods/exec ${NS}`);
    },
    expect: { failing: [] },
  },
  {
    name: 'state-on-emptydir',
    description: 'Incident 3 (otech64): CATALYST_TOFU_WORKDIR=/tmp/catalyst/tofu, on the /tmp emptyDir; a Pod roll mid-apply lost the tofu state and left the load balancer without targets.',
    apply: (w) => {
      for (const spec of apiSpecs(w)) {
        const env = spec.containers[0]?.env ?? [];
        const v = env.find((e) => e.name === 'CATALYST_TOFU_WORKDIR');
        if (v) v.value = `/tmp/catalyst/tofu/${w.fqdn}`;
      }
    },
    expect: { failing: ['catalyst-api.state-on-pvc'], cause: 'state-on-emptydir' },
  },
  {
    name: 'state-root-on-emptydir',
    description: '/var/lib/catalyst is an emptyDir instead of PVC catalyst-api-deployments: the replay store (jti.log) and the session signing key are lost on every restart, so replayed tokens pass after a restart and sessions break.',
    apply: (w) => {
      for (const spec of apiSpecs(w)) {
        const i = spec.volumes.findIndex((v) => v['name'] === 'deployments');
        if (i >= 0) spec.volumes[i] = { name: 'deployments', emptyDir: {} };
      }
    },
    expect: { failing: ['catalyst-api.state-on-pvc'], cause: 'state-on-emptydir' },
  },
  {
    name: 'helmrelease-failed',
    description: 'HelmRelease bp-catalyst-platform failed its upgrade and exhausted its remediation retries (Stalled, RetriesExceeded): Flux will not converge without a fix. The previous release keeps running.',
    apply: (w) => {
      const hr = helmRelease(w, 'bp-catalyst-platform');
      const when = at(w, -120);
      const msg = 'Helm upgrade failed for release catalyst-system/catalyst-platform with chart bp-catalyst-platform@1.4.96: context deadline exceeded';
      hr.metadata.generation = 2;
      setHelmStatus(
        hr,
        [
          { type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: msg, lastTransitionTime: when, observedGeneration: 2 },
          { type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'Failed to upgrade after 4 attempt(s)', lastTransitionTime: when, observedGeneration: 2 },
          { type: 'Released', status: 'False', reason: 'UpgradeFailed', message: msg, lastTransitionTime: when, observedGeneration: 2 },
        ],
        { observedGeneration: 2, upgradeFailures: 4, lastAttemptedRevision: '1.4.96' },
      );
    },
    expect: { failing: ['gitops.ready'], cause: 'gitops-failed' },
  },
  {
    name: 'helmrelease-progressing-then-ready',
    description: 'A Sovereign still converging: HelmRelease bp-catalyst-platform is mid-upgrade and becomes Ready about 3 s after start. gitops.ready must wait for it and pass.',
    apply: (w) => {
      const hr = helmRelease(w, 'bp-catalyst-platform');
      const ready = structuredClone(hr['status']) as Record<string, unknown>;
      hr.metadata.generation = 2;
      setHelmStatus(hr, progressing(w, "Running 'upgrade' action with timeout of 30m0s"), { observedGeneration: 2 });
      w.timeline.push({
        afterMs: 3000,
        describe: 'bp-catalyst-platform upgrade finishes: Ready=True',
        apply: (world) => {
          const now = at(world, (Date.now() - world.bootTime) / 1000);
          const conditions = (ready['conditions'] as Record<string, unknown>[]).map((c) => ({ ...c, observedGeneration: 2, lastTransitionTime: now }));
          helmRelease(world, 'bp-catalyst-platform')['status'] = { ...ready, observedGeneration: 2, conditions };
        },
      });
    },
    expect: { failing: [], env: { SMOKE_AWAIT: '30s' } },
  },
  {
    name: 'helmrelease-stuck',
    description: 'HelmRelease bp-gitea never finishes installing, so bp-catalyst-platform waits on it (DependencyNotReady) forever: gitops.ready waits out SMOKE_AWAIT and lists both.',
    apply: (w) => {
      const gitea = helmRelease(w, 'bp-gitea');
      gitea.metadata.generation = 2;
      setHelmStatus(gitea, progressing(w, "Running 'install' action with timeout of 10m0s"), { observedGeneration: 2 });
      const platform = helmRelease(w, 'bp-catalyst-platform');
      setHelmStatus(platform, [{ type: 'Ready', status: 'False', reason: 'DependencyNotReady', message: "dependency 'flux-system/bp-gitea' is not ready", lastTransitionTime: at(w, -30), observedGeneration: 1 }]);
    },
    expect: { failing: ['gitops.ready'], cause: 'gitops-not-ready', env: { SMOKE_AWAIT: '3s' } },
  },
  {
    name: 'catalyst-api-crashloop',
    description: 'catalyst-api crashes on start (CrashLoopBackOff, 7 restarts): the Deployment is unavailable, the console has no healthy upstream, and everything behind /auth/handover and /api fails.',
    apply: (w) => {
      const pod = apiPod(w);
      const st = pod['status'] as { conditions: { type: string; status: string; reason?: string }[]; containerStatuses: Record<string, unknown>[] };
      for (const c of st.conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { status: 'False', reason: 'ContainersNotReady' });
      Object.assign(st.containerStatuses[0] ?? {}, {
        ready: false,
        started: false,
        restartCount: 7,
        state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=catalyst-api pod=${pod.metadata.name}_${NS}` } },
        lastState: { terminated: { reason: 'Error', exitCode: 1, startedAt: at(w, -40), finishedAt: at(w, -39) } },
      });
      const d = apiDeployment(w);
      const ds = d['status'] as { conditions: { type: string; status: string; reason: string; message: string }[] } & Record<string, unknown>;
      Object.assign(ds, { readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 1 });
      for (const c of ds.conditions) if (c.type === 'Available') Object.assign(c, { status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    },
    expect: { failing: sorted(['catalyst-api.available', 'catalyst-api.sovereign-fqdn', 'catalyst.workloads-ready', 'routes.reachable', ...BEHIND_CONSOLE]), cause: 'catalyst-api-unavailable', env: { SMOKE_AWAIT: '5s' } },
  },
  {
    name: 'handover-key-mismatch',
    description: 'Secret catalyst-handover-jwt-public holds the public half of another RSA key (a re-provision minted a new mothership signer): every valid handover token is 401 "invalid token".',
    apply: (w) => {
      const other = rsaKeyPair().publicKey.export({ format: 'jwk' });
      const s = must(findObject(w, 'Secret', NS, 'catalyst-handover-jwt-public'), 'Secret catalyst-handover-jwt-public');
      s['data'] = { 'public.jwk': Buffer.from(JSON.stringify({ kty: 'RSA', use: 'sig', alg: 'RS256', n: other.n, e: other.e })).toString('base64') };
    },
    expect: { failing: sorted(['catalyst-api.handover-key', ...LOGIN]), cause: 'handover-key-mismatch' },
  },
  {
    name: 'handover-key-secret-missing',
    description:
      'Secret catalyst-handover-jwt-public was never written (cloud-init did not run the step): the optional volume mounts empty, catalyst-api starts, and every handover is 401 "server misconfiguration: public key unavailable".',
    apply: (w) => removeObject(w, 'Secret', NS, 'catalyst-handover-jwt-public'),
    expect: { failing: sorted(['catalyst-api.handover-key', ...LOGIN]), cause: 'handover-key-missing' },
  },
  {
    name: 'kube-client-certificate',
    description:
      "The kubeconfig authenticates with a client certificate and key, as k3s's admin kubeconfig does (O=system:masters, CN=system:admin, signed by k3s's client CA), not a token: everything passes.",
    apply: (w) => {
      w.kube.credentials = 'client-certificate';
    },
    expect: { failing: [] },
  },
  {
    name: 'kube-credentials-refused',
    description:
      'The kubeconfig token is revoked (the API server answers 401): preflight fails once, the cluster checks do not run, and the edge checks that read the Hetzner token from the cluster (HCLOUD_TOKEN unset) are skipped with that reason.',
    apply: (w) => {
      w.kube.tokenAccepted = false;
    },
    expect: { failing: ['preflight.kube-access'], cause: 'kube-unauthenticated' },
  },
  {
    name: 'kube-api-unanswered',
    description:
      'The API server completes TLS and answers no request (its datastore is gone: etcd without quorum, or k3s\'s kine without its database; kube-apiserver holds each request until --request-timeout). preflight fails naming it, and every cluster check fails within SMOKE_TIMEOUT naming it (an undecided gate), never skipped as if a permission were missing; the edge checks that need the Hetzner token from the cluster and the login that needs the owner from it are skipped saying so.',
    apply: (w) => {
      w.kube.unanswered = true;
    },
    expect: {
      failing: sorted(['preflight.kube-access', 'gitops.ready', 'cluster.nodes-ready', 'catalyst-api.sovereign-fqdn', 'catalyst-api.handover-key', 'catalyst-api.state-on-pvc', 'catalyst-api.available', 'catalyst.workloads-ready', 'routes.reachable', 'tls.matches-cluster', 'keycloak.sa-roles']),
      cause: 'kube-unreachable',
      env: { SMOKE_TIMEOUT: '2s' },
    },
  },
  {
    name: 'kube-rbac-read-denied',
    description: 'The smoke identity authenticates but may not list Pods in catalyst-system: preflight names the missing permission and the cluster checks do not run.',
    apply: (w) => {
      w.kube.denied.push(`list pods ${NS}`);
    },
    expect: { failing: ['preflight.kube-access'], cause: 'kube-forbidden' },
  },

  // --- least privilege (issue 12) ------------------------------------------------------------------
  {
    name: 'healthy-deep',
    description:
      'A healthy Sovereign read by an identity with both sets of sovereigns/rbac.yaml (least-privilege and the opt-in deep set: exec into catalyst-api, the named Secrets): every check passes at full depth, with no reduced evidence.',
    apply: (w) => {
      w.kube.rbac = rbacSet('deep');
    },
    expect: { failing: [] },
  },
  {
    name: 'least-privilege-sovereign-fqdn-race',
    description:
      'Incident 1 under least privilege (no exec, no Secret read): ConfigMap sovereign-fqdn came after the catalyst-api Pod started. Still caught without exec: the ConfigMap is younger than the container, and GET /api/v1/sovereign/self answers 404 not-a-sovereign.',
    apply: (w) => {
      leastPrivilege(w);
      const started = (apiPod(w)['status'] as { startTime: string }).startTime;
      fqdnConfigMap(w).metadata.creationTimestamp = at(w, (Date.parse(started) - w.bootTime) / 1000 + 50);
    },
    expect: { failing: sorted(['catalyst-api.sovereign-fqdn', ...LOGIN]), cause: 'sovereign-fqdn' },
  },
  {
    name: 'least-privilege-handover-key-mismatch',
    description:
      'handover-key-mismatch under least privilege: Secret catalyst-handover-jwt-public cannot be read, so catalyst-api.handover-key proves the key by a control token, which /auth/handover refuses with "invalid token" (the signature check).',
    apply: (w) => {
      leastPrivilege(w);
      const other = rsaKeyPair().publicKey.export({ format: 'jwk' });
      const s = must(findObject(w, 'Secret', NS, 'catalyst-handover-jwt-public'), 'Secret catalyst-handover-jwt-public');
      s['data'] = { 'public.jwk': Buffer.from(JSON.stringify({ kty: 'RSA', use: 'sig', alg: 'RS256', n: other.n, e: other.e })).toString('base64') };
    },
    expect: { failing: sorted(['catalyst-api.handover-key', ...LOGIN]), cause: 'handover-key-mismatch' },
  },
  {
    name: 'least-privilege-handover-key-secret-missing',
    description:
      'Secret catalyst-handover-jwt-public was never written, read under least privilege: the identity may not look, so the check asks catalyst-api instead, which answers the control token with "server misconfiguration: public key unavailable".',
    apply: (w) => {
      leastPrivilege(w);
      removeObject(w, 'Secret', NS, 'catalyst-handover-jwt-public');
    },
    expect: { failing: sorted(['catalyst-api.handover-key', ...LOGIN]), cause: 'handover-key-missing' },
  },
  {
    name: 'least-privilege-cert-stale',
    description:
      "Envoy serves an old certificate, read under least privilege: tls.matches-cluster cannot read the TLS Secret and compares the served leaf with status.certificate of the Certificate's current CertificateRequest instead.",
    apply: (w) => {
      leastPrivilege(w);
      w.gateway.cert = 'stale';
    },
    expect: { failing: ['tls.matches-cluster'], cause: 'tls-stale-cert' },
  },
  {
    name: 'rbac-resource-names',
    description:
      "A healthy Sovereign read by a Role scoped with resourceNames: ConfigMaps only sovereign-fqdn, PVCs only catalyst-api's two, Secrets only the named ones of the deep set. Preflight asks by name, so it recognises every grant, and everything passes.",
    apply: (w) => {
      const rbac = rbacSet('deep');
      const role = rbac.find((o) => o.kind === 'Role' && o.metadata.name === 'sovereign-smoke-read' && o.metadata.namespace === NS);
      if (!role) throw new Error('sovereigns/rbac.yaml has no Role sovereign-smoke-read in catalyst-system');
      role.rules = [
        ...(role.rules ?? []).map((r) => ({ ...r, resources: (r.resources ?? []).filter((x) => x !== 'configmaps' && x !== 'persistentvolumeclaims') })),
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['sovereign-fqdn'], verbs: ['get'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], resourceNames: ['catalyst-api-deployments', 'catalyst-api-cache'], verbs: ['get'] },
      ];
      w.kube.rbac = rbac;
    },
    expect: { failing: [] },
  },
];

/** The Pod name a scenario adds (exported for self-tests). */
export const SECOND_POD = `catalyst-api-${API_POD_TEMPLATE_HASH}-q4m8n`;

// --- cluster variants: suspended releases, other zones' certificates, nodes, control-plane workloads ---

const dashedOf = (w: World): string => w.fqdn.replace(/\./g, '-');
const hrOf = (w: World, name: string): KubeObject => must(findObject(w, 'HelmRelease', 'flux-system', name), `HelmRelease ${name}`);
type Cond = { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string };

/** Marks a node NotReady as the kubelet reports it, since `sinceSeconds` (negative: before the run). */
function nodeNotReady(w: World, name: string, sinceSeconds: number, message: string): void {
  const n = must(findObject(w, 'Node', undefined, name), `Node ${name}`);
  const when = at(w, sinceSeconds);
  const st = n['status'] as { conditions: Cond[] };
  for (const c of st.conditions) if (c.type === 'Ready') Object.assign(c, { status: 'False', reason: 'KubeletNotReady', message, lastTransitionTime: when });
  // The node lifecycle controller taints a NotReady node (TaintNodesByCondition, taint-based eviction).
  n['spec'] = { ...(n['spec'] as Record<string, unknown>), taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: when }] };
}

/** A Ready, current-generation copy of a node's conditions (what the kubelet posts once it is up). */
function nodeReady(w: World, name: string): void {
  const n = must(findObject(w, 'Node', undefined, name), `Node ${name}`);
  const now = at(w, (Date.now() - w.bootTime) / 1000);
  for (const c of (n['status'] as { conditions: Cond[] }).conditions) if (c.type === 'Ready') Object.assign(c, { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: now });
  n['spec'] = { ...(n['spec'] as Record<string, unknown>), taints: [] };
}

/** The Pods of catalyst-system on `nodeName` and their Deployments, marked not ready (as the node lifecycle controller does). */
function podsNotReadyOn(w: World, nodeName: string, sinceSeconds: number): void {
  const when = at(w, sinceSeconds);
  for (const p of w.kube.objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === NS && (o['spec'] as { nodeName?: string }).nodeName === nodeName)) {
    const st = p['status'] as { conditions: Cond[]; containerStatuses: { ready: boolean }[] };
    for (const c of st.conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { status: 'False', reason: c.type === 'Ready' ? 'PodNotReady' : 'ContainersNotReady', lastTransitionTime: when });
    for (const cs of st.containerStatuses) cs.ready = false;
    const app = p.metadata.labels?.['app.kubernetes.io/name'];
    const d = w.kube.objects.find((o) => o.kind === 'Deployment' && o.metadata.namespace === NS && (o['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels['app.kubernetes.io/name'] === app);
    if (d) {
      const ds = d['status'] as { conditions: Cond[] } & Record<string, unknown>;
      Object.assign(ds, { readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 1 });
      for (const c of ds.conditions) if (c.type === 'Available') Object.assign(c, { status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    }
  }
}

const CLUSTER_VARIANT_SCENARIOS: Scenario[] = [
  {
    name: 'helmrelease-suspended-stale-failure',
    description:
      'bp-catalyst-secondary-edge is suspended by design (SECONDARY_EDGE_SUSPEND renders true on a primary or single-region Sovereign), but still carries the Ready=False/InstallFailed and Stalled conditions of an attempt made before it was suspended. helm-controller ignores a suspended release and never updates them: it is listed as suspended, not failed, and everything passes.',
    apply: (w) => {
      const hr = hrOf(w, 'bp-catalyst-secondary-edge');
      const when = at(w, -5400);
      const msg = 'Helm install failed for release catalyst-system/catalyst-secondary-edge with chart bp-catalyst-edge-routes@0.2.0: services "catalyst-api-global" not found';
      hr['status'] = {
        observedGeneration: 1,
        installFailures: 1,
        conditions: [
          { type: 'Ready', status: 'False', reason: 'InstallFailed', message: msg, lastTransitionTime: when, observedGeneration: 1 },
          { type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'Failed to install after 1 attempt(s)', lastTransitionTime: when, observedGeneration: 1 },
          { type: 'Released', status: 'False', reason: 'InstallFailed', message: msg, lastTransitionTime: when, observedGeneration: 1 },
        ],
      };
    },
    expect: { failing: [] },
  },
  {
    name: 'cert-other-zone-failed',
    description:
      'A multi-zone Sovereign (#831): the Gateway carries a listener pair per parent zone, and the org-pool zone homes.test has its own Certificate sovereign-wildcard-tls-homes-test, whose DNS-01 issuance failed (Let\'s Encrypt rate limit). console.<fqdn> is served by the *.<fqdn> listener and its own Certificate, which is Ready: everything passes, and gitops.ready names the other zone\'s failed Certificate in the report.',
    apply: (w) => {
      const gw = must(findObject(w, 'Gateway', 'kube-system', 'cilium-gateway'), 'Gateway cilium-gateway');
      const pair = (zone: string, secret: string): Record<string, unknown>[] => {
        const z = zone.replace(/\./g, '-');
        return [
          { name: `https-${z}`, hostname: `*.${zone}`, port: 30443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: secret }] }, allowedRoutes: { namespaces: { from: 'All' } } },
          { name: `http-${z}`, hostname: `*.${zone}`, port: 30080, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
        ];
      };
      const parent = w.fqdn.split('.').slice(1).join('.');
      // sovereign-tls-vars-cm.yaml: the primary zone keeps the per-prov Secret, an org-pool zone gets its own;
      // the per-prov *.<fqdn> pair is appended because the FQDN is not itself a parent zone.
      (gw['spec'] as { listeners: unknown[] }).listeners = [...pair(parent, 'sovereign-wildcard-tls'), ...pair('homes.test', 'sovereign-wildcard-tls-homes-test'), ...pair(w.fqdn, 'sovereign-wildcard-tls')];
      const when = at(w, -900);
      putObject(w, {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'sovereign-wildcard-tls-homes-test', namespace: 'kube-system', generation: 1, creationTimestamp: at(w, -1000), labels: { 'catalyst.openova.io/component': 'sovereign-wildcard-cert', 'catalyst.openova.io/parent-zone': 'homes.test', 'catalyst.openova.io/parent-zone-role': 'org-pool', 'catalyst.openova.io/sovereign': w.fqdn, 'helm.toolkit.fluxcd.io/name': 'bp-catalyst-platform', 'helm.toolkit.fluxcd.io/namespace': 'flux-system' } },
        spec: { secretName: 'sovereign-wildcard-tls-homes-test', issuerRef: { name: 'letsencrypt-dns01-prod-powerdns', kind: 'ClusterIssuer' }, commonName: '*.homes.test', dnsNames: ['*.homes.test', 'homes.test'] },
        status: {
          conditions: [
            { type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist', lastTransitionTime: when, observedGeneration: 1 },
            { type: 'Issuing', status: 'False', reason: 'Failed', message: 'The certificate request has failed to complete and will be retried: Failed to wait for order resource "sovereign-wildcard-tls-homes-test-1-3817467709" to become ready: order is in "errored" state: Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s', lastTransitionTime: when, observedGeneration: 1 },
          ],
          failedIssuanceAttempts: 3,
          lastFailureTime: when,
        },
      });
    },
    expect: { failing: [] },
  },
  {
    name: 'node-not-ready',
    description:
      'The worker\'s kubelet has reported NotReady for 20 minutes (PLEG is not healthy: the container runtime hangs): the node lifecycle controller tainted it and marked its Pods not ready, so the control-plane Deployments scheduled there lose their replica. cluster.nodes-ready fails naming the node and the kubelet\'s message; catalyst.workloads-ready waits and then names the same root cause.',
    apply: (w) => {
      const worker = `catalyst-${dashedOf(w)}-w1`;
      nodeNotReady(w, worker, -1200, 'PLEG is not healthy: pleg was last seen active 20m3.5s ago; threshold is 3m0s');
      podsNotReadyOn(w, worker, -1180);
    },
    expect: { failing: ['catalyst.workloads-ready', 'cluster.nodes-ready'], cause: 'node-not-ready', env: { SMOKE_AWAIT: '4s' } },
  },
  {
    name: 'node-joining-then-ready',
    description:
      'Right after provisioning: a second worker registered 20 s ago and its kubelet reports NotReady until the CNI is up ("cni plugin not initialized"); it becomes Ready about 3 s into the run. cluster.nodes-ready waits for it and passes.',
    apply: (w) => {
      const name = `catalyst-${dashedOf(w)}-w2`;
      putObject(w, node(w, name, 'worker', { providerId: 1003, internalIp: '10.0.1.4', createdAt: -20 }));
      nodeNotReady(w, name, -20, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
      w.timeline.push({ afterMs: 3000, describe: `${name}: the CNI is up, the kubelet posts Ready`, apply: (world) => nodeReady(world, name) });
    },
    expect: { failing: [], env: { SMOKE_AWAIT: '30s' } },
  },
  {
    name: 'controller-crashloop',
    description:
      'catalyst-organization-controller crashes on start (CrashLoopBackOff, 6 restarts: it cannot reach Keycloak with its service-account credentials). catalyst-api and the login keep working, so only catalyst.workloads-ready fails, naming the Pod and the reason.',
    apply: (w) => {
      const d = must(findObject(w, 'Deployment', NS, 'catalyst-organization-controller'), 'Deployment catalyst-organization-controller');
      const pod = must(w.kube.objects.find((o) => o.kind === 'Pod' && o.metadata.namespace === NS && o.metadata.name.startsWith('catalyst-organization-controller-')), 'organization-controller Pod');
      const st = pod['status'] as { conditions: Cond[]; containerStatuses: Record<string, unknown>[] };
      for (const c of st.conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [controller]' });
      Object.assign(st.containerStatuses[0] ?? {}, {
        ready: false,
        started: false,
        restartCount: 6,
        state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 2m40s restarting failed container=controller pod=${pod.metadata.name}_${NS}(${pod.metadata.uid ?? ''})` } },
        lastState: { terminated: { reason: 'Error', exitCode: 1, startedAt: at(w, -45), finishedAt: at(w, -44) } },
      });
      const ds = d['status'] as { conditions: Cond[] } & Record<string, unknown>;
      Object.assign(ds, { readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 1 });
      for (const c of ds.conditions) if (c.type === 'Available') Object.assign(c, { status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    },
    expect: { failing: ['catalyst.workloads-ready'], cause: 'catalyst-workload-failing' },
  },
];

CLUSTER_SCENARIOS.push(...CLUSTER_VARIANT_SCENARIOS);
