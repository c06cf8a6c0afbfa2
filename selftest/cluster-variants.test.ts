/**
 * The decision rules of the cluster variants, with objects shaped as the real controllers write them:
 * helm-controller (a suspended HelmRelease), cert-manager (Certificates of several zones behind one
 * Gateway), the kubelet and the node lifecycle controller (node conditions and taints), the apps/v1
 * controllers (Deployment, StatefulSet and DaemonSet status), and catalyst-api's /api/v1/version.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitGatewayCertificates, type GatewayListener } from '../decisions/gateway.js';
import { listOrWhy } from '../decisions/kube-read.js';
import type { Pod } from '../decisions/kube-shapes.js';
import { readinessOf } from '../decisions/readiness.js';
import { loadConfig } from '../clients/config.js';
import { classify, KubeError, kubeCause } from '../report/errors.js';
import type { Kube, KubeObject } from '../clients/kube.js';
import { isControlPlane, nodeRoles, nodeVerdict, NODE_GRACE_MS, observeNodeList, type NodeObject } from '../decisions/nodes.js';
import { describeBuild, observeWorkloads, workloadVerdict, type Workload } from '../decisions/workloads.js';

const NOW = Date.parse('2026-07-10T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const MIN = 60_000;

void describe('suspended HelmReleases', () => {
  // helm-controller adds its finalizer, then returns before touching conditions; the deferred patch
  // stamps observedGeneration only (internal/controller/helmrelease_controller.go Reconcile).
  const suspended = (status: Record<string, unknown>): KubeObject => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'bp-catalyst-secondary-edge', namespace: 'flux-system', generation: 1, finalizers: ['finalizers.fluxcd.io'] },
    spec: { suspend: true, releaseName: 'catalyst-secondary-edge', targetNamespace: 'catalyst-system', interval: '15m' },
    status,
  });

  void it('a release suspended from creation (no condition at all) is suspended, not progressing', () => {
    const r = readinessOf(suspended({ observedGeneration: 1 }));
    assert.equal(r.state, 'suspended');
    assert.match(r.message, /spec\.suspend is true.*no Ready condition/);
  });

  void it('stale Ready=False/InstallFailed and Stalled conditions of a suspended release do not make it failed', () => {
    const r = readinessOf(
      suspended({
        observedGeneration: 1,
        installFailures: 1,
        conditions: [
          { type: 'Ready', status: 'False', reason: 'InstallFailed', message: 'Helm install failed' },
          { type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'Failed to install after 1 attempt(s)' },
        ],
      }),
    );
    assert.equal(r.state, 'suspended');
    assert.match(r.message, /last Ready=False \(InstallFailed\), written before it was suspended/);
  });

  void it('a suspended Kustomization is suspended too (kustomize-controller returns early the same way)', () => {
    const k: KubeObject = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'sovereign-tls', namespace: 'flux-system', generation: 2 }, spec: { suspend: true }, status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded' }] } };
    assert.equal(readinessOf(k).state, 'suspended');
  });

  void it('spec.suspend false or absent changes nothing', () => {
    const hr = suspended({ observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'InstallSucceeded' }] });
    (hr['spec'] as Record<string, unknown>)['suspend'] = false;
    assert.equal(readinessOf(hr).state, 'ready');
  });
});

void describe('the console Certificate among several zones (#831)', () => {
  const fqdn = 't39.omantel.biz';
  const host = `console.${fqdn}`;
  const https = (name: string, hostname: string, secret: string): GatewayListener => ({ name, hostname, protocol: 'HTTPS', tls: { certificateRefs: [{ kind: 'Secret', name: secret }] } });
  const http = (name: string, hostname: string): GatewayListener => ({ name, hostname, protocol: 'HTTP' });
  // As sovereign-tls-vars-cm.yaml renders them: a pair per parent zone (the primary keeps the per-prov
  // Secret, an org-pool zone gets its own), then the per-prov *.<fqdn> pair.
  const listeners = [
    https('https-omantel-biz', '*.omantel.biz', 'sovereign-wildcard-tls-t39-omantel-biz'),
    http('http-omantel-biz', '*.omantel.biz'),
    https('https-omani-homes', '*.omani.homes', 'sovereign-wildcard-tls-omani-homes'),
    http('http-omani-homes', '*.omani.homes'),
    https('https-t39-omantel-biz', `*.${fqdn}`, 'sovereign-wildcard-tls-t39-omantel-biz'),
    http('http-t39-omantel-biz', `*.${fqdn}`),
  ];
  const cert = (name: string, ready: boolean): KubeObject => ({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: 'kube-system', generation: 1 },
    spec: { secretName: name, issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt-dns01-prod-powerdns' } },
    status: ready
      ? { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' }] }
      : { failedIssuanceAttempts: 2, conditions: [{ type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist' }, { type: 'Issuing', status: 'False', reason: 'Failed', message: 'The certificate request has failed to complete and will be retried: 429 urn:ietf:params:acme:error:rateLimited' }] },
  });
  const certs = [cert('sovereign-wildcard-tls-t39-omantel-biz', true), cert('sovereign-wildcard-tls-omani-homes', false)];

  void it('picks the Certificate of the listener the Gateway API picks (longest wildcard), whatever the order', () => {
    for (const order of [listeners, [...listeners].reverse()]) {
      const r = splitGatewayCertificates(order, certs, host, 'kube-system');
      assert.ok(Array.isArray(r.console));
      assert.deepEqual(r.console.map((c) => c.metadata.name), ['sovereign-wildcard-tls-t39-omantel-biz']);
      assert.deepEqual(r.others.map((o) => o.cert.metadata.name), ['sovereign-wildcard-tls-omani-homes']);
      assert.deepEqual(r.others[0]?.listeners, ['https-omani-homes *.omani.homes']);
    }
  });

  void it('another zone\'s failed Certificate stays failed but apart: the console one is Ready', () => {
    const r = splitGatewayCertificates(listeners, certs, host, 'kube-system');
    assert.ok(Array.isArray(r.console));
    assert.equal(readinessOf(r.console[0] as KubeObject).state, 'ready');
    assert.equal(readinessOf(r.others[0]?.cert as KubeObject).state, 'failed');
  });

  void it('an exact hostname listener wins over every wildcard', () => {
    const exact = [...listeners, https('https-console', host, 'console-only')];
    const r = splitGatewayCertificates(exact, [...certs, cert('console-only', true)], host, 'kube-system');
    assert.ok(Array.isArray(r.console));
    assert.deepEqual(r.console.map((c) => c.metadata.name), ['console-only']);
  });

  void it('no listener for the host, or no Certificate for its Secret, is missing (waited for), never another zone\'s', () => {
    const none = splitGatewayCertificates([https('https-omani-homes', '*.omani.homes', 'sovereign-wildcard-tls-omani-homes')], certs, host, 'kube-system');
    assert.ok(!Array.isArray(none.console) && none.console.state === 'missing' && none.console.reason === 'NoListener');
    const noCert = splitGatewayCertificates(listeners, [certs[1] as KubeObject], host, 'kube-system');
    assert.ok(!Array.isArray(noCert.console) && noCert.console.state === 'missing');
    assert.match(!Array.isArray(noCert.console) ? noCert.console.message : '', /writes Secret sovereign-wildcard-tls-t39-omantel-biz/);
  });
});

/** A node as the kubelet posts it, with conditions overridden. */
function kubeletNode(name: string, opts: { role?: 'server' | 'agent'; created?: number; ready?: [string, string, string, number]; pressure?: [string, number]; taints?: string[]; unschedulable?: boolean } = {}): NodeObject {
  const created = opts.created ?? 60 * MIN;
  const [rs, rr, rm, rt] = opts.ready ?? ['True', 'KubeletReady', 'kubelet is posting ready status', created - 30_000];
  const cond = (type: string, status: string, reason: string, message: string, since: number): { type: string; status: string; reason: string; message: string; lastHeartbeatTime: string; lastTransitionTime: string } => ({ type, status, reason, message, lastHeartbeatTime: ago(10_000), lastTransitionTime: ago(since) });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, creationTimestamp: ago(created), labels: { 'kubernetes.io/hostname': name, ...(opts.role === 'server' ? { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' } : {}) } },
    spec: { providerID: 'hcloud://1001', ...(opts.taints ? { taints: opts.taints.map((key) => ({ key, effect: 'NoSchedule' })) } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      conditions: [
        opts.pressure?.[0] === 'MemoryPressure' ? cond('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', opts.pressure[1]) : cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', created),
        opts.pressure?.[0] === 'DiskPressure' ? cond('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure', opts.pressure[1]) : cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', created),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', created),
        cond('Ready', rs, rr, rm, rt),
      ],
      nodeInfo: { kubeletVersion: 'v1.31.6+k3s1' },
    },
  } as NodeObject;
}

void describe('node rules (kubelet conditions, node lifecycle taints)', () => {
  void it('a Ready node without pressure is ready', () => {
    assert.equal(nodeVerdict(kubeletNode('cp1', { role: 'server' }), NOW).state, 'ready');
  });

  void it('a kubelet reporting NotReady for longer than the grace is terminal, naming the condition and its message', () => {
    const v = nodeVerdict(kubeletNode('w1', { ready: ['False', 'KubeletNotReady', 'PLEG is not healthy: pleg was last seen active 20m0s ago; threshold is 3m0s', 20 * MIN], taints: ['node.kubernetes.io/not-ready'] }), NOW);
    assert.equal(v.state, 'failed');
    assert.match(v.problems[0] ?? '', /^Ready=False \(KubeletNotReady\) for 20m: PLEG is not healthy/);
    assert.match(v.problems.join('; '), /tainted node\.kubernetes\.io\/not-ready/);
  });

  void it('NotReady for less than the grace on an established node is converging (a kubelet restart)', () => {
    assert.equal(nodeVerdict(kubeletNode('w1', { ready: ['False', 'KubeletNotReady', 'container runtime is down', 40_000] }), NOW).state, 'converging');
  });

  void it('a node that joined less than the grace ago is converging even with an old-looking condition', () => {
    const v = nodeVerdict(kubeletNode('w2', { created: 20_000, ready: ['False', 'KubeletNotReady', 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized', 20_000] }), NOW);
    assert.equal(v.state, 'converging');
    assert.match(v.problems[0] ?? '', /cni plugin not initialized/);
  });

  void it('unreachable (the node controller set Ready=Unknown and the taint): converging at first, terminal past the grace', () => {
    const lost = (since: number): NodeObject => kubeletNode('w1', { ready: ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', since], taints: ['node.kubernetes.io/unreachable'] });
    assert.equal(nodeVerdict(lost(60_000), NOW).state, 'converging');
    const past = nodeVerdict(lost(NODE_GRACE_MS + MIN), NOW);
    assert.equal(past.state, 'failed');
    assert.match(past.problems.join('; '), /Ready=Unknown \(NodeStatusUnknown\) for 6m: Kubelet stopped posting node status\.; tainted node\.kubernetes\.io\/unreachable/);
  });

  void it('pressure conditions are problems (terminal once they have held past the grace); a cordon is terminal at once', () => {
    const mem = nodeVerdict(kubeletNode('w1', { pressure: ['MemoryPressure', 30 * MIN] }), NOW);
    assert.equal(mem.state, 'failed');
    assert.match(mem.problems[0] ?? '', /MemoryPressure=True \(KubeletHasInsufficientMemory\)/);
    assert.equal(nodeVerdict(kubeletNode('w1', { pressure: ['DiskPressure', 30_000] }), NOW).state, 'converging');
    const cordoned = nodeVerdict(kubeletNode('w1', { unschedulable: true }), NOW);
    assert.equal(cordoned.state, 'failed');
    assert.match(cordoned.problems[0] ?? '', /spec\.unschedulable/);
  });

  void it('k3s role labels: control-plane and master mark a server; "false" does not; agents are workers', () => {
    assert.ok(isControlPlane(kubeletNode('cp1', { role: 'server' })));
    const legacy = kubeletNode('cp1');
    legacy.metadata.labels = { 'node-role.kubernetes.io/master': 'true' };
    assert.ok(isControlPlane(legacy));
    const template = kubeletNode('x');
    template.metadata.labels = { 'node-role.kubernetes.io/control-plane': 'false', 'node-role.kubernetes.io/master': 'false' };
    assert.ok(!isControlPlane(template));
    assert.deepEqual(nodeRoles(kubeletNode('w1')), ['worker']);
  });

  void it('the node set: no control plane is terminal; fewer nodes than SMOKE_EXPECT_NODES is waited for; more are fine', () => {
    const workers = observeNodeList([kubeletNode('w1'), kubeletNode('w2')], { expectNodes: undefined }, NOW);
    assert.ok(workers.terminal);
    assert.match(workers.missing[0] ?? '', /no control-plane node/);
    const short = observeNodeList([kubeletNode('cp1', { role: 'server' }), kubeletNode('w1')], { expectNodes: 3 }, NOW);
    assert.ok(!short.terminal);
    assert.match(short.missing[0] ?? '', /2 node\(s\) registered, SMOKE_EXPECT_NODES=3 expected/);
    const more = observeNodeList([kubeletNode('cp1', { role: 'server' }), kubeletNode('w1'), kubeletNode('w2')], { expectNodes: 2 }, NOW);
    assert.deepEqual(more.missing, []);
    assert.deepEqual(more.kubelets, ['v1.31.6+k3s1']);
  });

  void it('SMOKE_EXPECT_NODES is a whole number of at least 1', () => {
    const base = { SOVEREIGN_FQDN: 'otech64.omani.works' };
    const ok = loadConfig({ ...base, SMOKE_EXPECT_NODES: '3' });
    assert.ok(ok.ok && ok.config.expectNodes === 3);
    const unset = loadConfig(base);
    assert.ok(unset.ok && unset.config.expectNodes === undefined);
    for (const bad of ['0', 'three', '2.5', '-1']) {
      const r = loadConfig({ ...base, SMOKE_EXPECT_NODES: bad });
      assert.ok(!r.ok && r.problems.some((p) => p.variable === 'SMOKE_EXPECT_NODES'), bad);
    }
  });
});

/** A workload with the given status, as the apps/v1 controllers write it. */
function workload(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', status: Record<string, unknown>, spec: Record<string, unknown> = {}, generation = 1): Workload {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'catalyst-organization-controller', namespace: 'catalyst-system', generation, labels: { 'helm.toolkit.fluxcd.io/name': 'bp-catalyst-platform' } },
    spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'organization-controller' } }, ...spec },
    status: { observedGeneration: 1, ...status },
  } as Workload;
}

function pod(name: string, container: Record<string, unknown>, ready: boolean): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'catalyst-system', labels: { 'app.kubernetes.io/name': 'organization-controller' } },
    spec: { nodeName: 'catalyst-otech64-omani-works-w1', containers: [{ name: 'controller' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? undefined : 'ContainersNotReady' }], containerStatuses: [{ name: 'controller', ready, ...container }] },
  } as Pod;
}

void describe('workload rules (apps/v1 status)', () => {
  void it('Deployment: ready when the current generation has its replicas updated and ready', () => {
    assert.ok(workloadVerdict(workload('Deployment', { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }, { replicas: 2 })).ready);
    assert.ok(workloadVerdict(workload('Deployment', { replicas: 1, updatedReplicas: 1, readyReplicas: 1 })).ready, 'spec.replicas defaults to 1');
    assert.ok(workloadVerdict(workload('Deployment', {}, { replicas: 0 })).ready, 'scaled to zero');
    const rolling = workloadVerdict(workload('Deployment', { replicas: 2, updatedReplicas: 1, readyReplicas: 2 }, { replicas: 1 }, 1));
    assert.ok(rolling.ready, 'one desired replica, updated and ready: the old one is terminating');
    const newGen = workloadVerdict(workload('Deployment', { replicas: 1, updatedReplicas: 1, readyReplicas: 1 }, {}, 2));
    assert.ok(!newGen.ready && !newGen.terminal);
    assert.match(newGen.problems[0] ?? '', /generation 2 not yet observed/);
  });

  void it('Deployment: ProgressDeadlineExceeded is terminal', () => {
    const v = workloadVerdict(workload('Deployment', { replicas: 1, updatedReplicas: 1, readyReplicas: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x-7d9f" has timed out progressing.' }] }));
    assert.ok(!v.ready && v.terminal);
  });

  void it('StatefulSet: readyReplicas and, with RollingUpdate, updatedReplicas against spec.replicas', () => {
    assert.ok(!workloadVerdict(workload('StatefulSet', { replicas: 3, readyReplicas: 2, currentReplicas: 3, updatedReplicas: 3 }, { replicas: 3 })).ready);
    assert.ok(workloadVerdict(workload('StatefulSet', { replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3 }, { replicas: 3 })).ready);
    assert.ok(workloadVerdict(workload('StatefulSet', { replicas: 1, readyReplicas: 1, updatedReplicas: 0 }, { replicas: 1, updateStrategy: { type: 'OnDelete' } })).ready, 'OnDelete: old Pods stay until deleted');
  });

  void it('DaemonSet: numberReady and updatedNumberScheduled against desiredNumberScheduled', () => {
    assert.ok(workloadVerdict(workload('DaemonSet', { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2 })).ready);
    const v = workloadVerdict(workload('DaemonSet', { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberUnavailable: 1 }));
    assert.ok(!v.ready);
    assert.equal(v.shown, '1/2');
    assert.ok(workloadVerdict(workload('DaemonSet', { desiredNumberScheduled: 0, numberReady: 0 })).ready, 'no node to run on');
  });

  void it('a crash-looping Pod makes its workload terminal, named with the Pod, the reason and the node', () => {
    const w = workload('Deployment', { replicas: 1, updatedReplicas: 1, readyReplicas: 0, unavailableReplicas: 1 });
    const crash = pod('catalyst-organization-controller-6b7c9d5f4-k2m7q', { restartCount: 6, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container=controller' } }, lastState: { terminated: { reason: 'Error', exitCode: 1 } } }, false);
    const o = observeWorkloads([w], [crash]);
    assert.equal(o.problems.length, 1);
    assert.ok(o.problems[0]?.terminal);
    assert.match(o.problems[0]?.pods[0] ?? '', /^Pod catalyst-organization-controller-6b7c9d5f4-k2m7q: Ready=False; controller waiting CrashLoopBackOff .*restarted 6 time\(s\) \(last: Error, exit 1\) \(on node catalyst-otech64-omani-works-w1\)$/);
    assert.equal(o.problems[0]?.release, 'bp-catalyst-platform');
  });

  void it('a Pod still starting (ContainerCreating, a first crash, a Secret not mirrored yet) is converging', () => {
    const w = workload('Deployment', { replicas: 1, updatedReplicas: 1, readyReplicas: 0 });
    for (const state of [{ waiting: { reason: 'ContainerCreating' } }, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } }, { waiting: { reason: 'CreateContainerConfigError', message: 'secret "catalyst-organization-controller-keycloak" not found' } }]) {
      const o = observeWorkloads([w], [pod('p', { restartCount: state.waiting.reason === 'CrashLoopBackOff' ? 1 : 0, state }, false)]);
      assert.ok(!o.problems[0]?.terminal, state.waiting.reason);
    }
    // Evicted or completed Pods are no replicas.
    const evicted = { ...pod('old', { restartCount: 9, state: { waiting: { reason: 'CrashLoopBackOff' } } }, false), status: { phase: 'Failed', reason: 'Evicted' } } as Pod;
    assert.deepEqual(observeWorkloads([w], [evicted]).problems[0]?.pods, []);
  });

  void it('Pods of other workloads are not attributed', () => {
    const w = workload('Deployment', { replicas: 1, updatedReplicas: 1, readyReplicas: 0 });
    const other = pod('catalyst-ui-5f6d-abcde', { restartCount: 9, state: { waiting: { reason: 'CrashLoopBackOff' } } }, false);
    other.metadata.labels = { 'app.kubernetes.io/name': 'catalyst-ui' };
    assert.deepEqual(observeWorkloads([w], [other]).problems[0]?.pods, []);
  });
});

void describe('catalyst-api build (GET /api/v1/version)', () => {
  void it('reads the keys of openova\'s VersionResponse', () => {
    const body = JSON.stringify({ service: 'catalyst-api', sha: 'fad88bd', gitSha: 'fad88bd', version: '1.4.378', chartVersion: '1.4.378', buildTime: '2026-08-02T09:14:00Z', go: 'go1.26.0', buildTimeSource: 'ldflag' });
    assert.equal(describeBuild(body), 'sha fad88bd, version 1.4.378, chart 1.4.378, built 2026-08-02T09:14:00Z');
  });
  void it('says when buildTime is only the process start, and tolerates an absent chartVersion (omitempty)', () => {
    const body = JSON.stringify({ service: 'catalyst-api', sha: 'dev', gitSha: 'dev', version: '0.0.0', buildTime: '2026-08-07T12:39:41Z', go: 'go1.26.0', buildTimeSource: 'process-start' });
    assert.equal(describeBuild(body), 'sha dev, version 0.0.0, built 2026-08-07T12:39:41Z (process-start)');
  });
  void it('is undefined for anything else (the SPA shell, an error)', () => {
    assert.equal(describeBuild('<!doctype html><html></html>'), undefined);
    assert.equal(describeBuild('{"error":"not found"}'), undefined);
  });
});

void describe('absent versus forbidden (the Flux and cert-manager lists of gitops.ready)', () => {
  const kubeThrowing = (err: unknown): Kube => ({ list: () => Promise.reject(err) }) as unknown as Kube;
  void it('403 is "not allowed to look", with the API server\'s message', async () => {
    const msg = 'GET /apis/cert-manager.io/v1/namespaces/kube-system/certificates: 403 certificates.cert-manager.io is forbidden: User "system:serviceaccount:kube-system:sovereign-smoke" cannot list resource "certificates" in API group "cert-manager.io" in the namespace "kube-system"';
    const r = await listOrWhy(kubeThrowing(new KubeError('KUBE_FORBIDDEN', msg, 403)), 'cert-manager.io/v1', 'Certificate', 'kube-system');
    assert.deepEqual(r, { forbidden: msg });
  });
  void it('404 (the kind is not served: its CRD is not installed yet) is "absent", a finding that is waited for', async () => {
    const r = await listOrWhy(kubeThrowing(new KubeError('KUBE_NOT_FOUND', 'the API server does not serve Certificate in cert-manager.io/v1 (is the CRD installed?)', 404)), 'cert-manager.io/v1', 'Certificate', 'kube-system');
    assert.ok('absent' in r);
    assert.match(r.absent, /does not serve Certificate in cert-manager\.io\/v1/);
  });
  void it('an empty list is a list (no object: absent by name, decided by the caller)', async () => {
    const r = await listOrWhy({ list: () => Promise.resolve([]) } as unknown as Kube, 'helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'flux-system');
    assert.deepEqual(r, { items: [] });
  });
});

void describe('the one KubeError→cause mapping (report/errors.ts kubeCause) and classify', () => {
  void it('401 is kube-unauthenticated (the API server answered and refused the credentials), 403 kube-forbidden', () => {
    assert.equal(kubeCause(new KubeError('KUBE_UNAUTHENTICATED', 'GET /api/v1/pods: 401 Unauthorized', 401)), 'kube-unauthenticated');
    assert.equal(kubeCause(new KubeError('KUBE_FORBIDDEN', 'GET /api/v1/pods: 403 forbidden', 403)), 'kube-forbidden');
  });

  void it('no answer is kube-unreachable, no kubeconfig kube-not-configured, anything else is the caller\'s to decide', () => {
    assert.equal(kubeCause(new KubeError('TIMEOUT', 'no answer within 2000ms')), 'kube-unreachable');
    assert.equal(kubeCause(new KubeError('KUBE_UNREACHABLE', 'ECONNREFUSED')), 'kube-unreachable');
    assert.equal(kubeCause(new KubeError('KUBE_UNREACHABLE', 'no kubeconfig', undefined, { causeId: 'kube-not-configured' })), 'kube-not-configured');
    assert.equal(kubeCause(new KubeError('KUBE_NOT_FOUND', 'not served', 404)), undefined);
    assert.equal(kubeCause(new KubeError('EXEC_FAILED', 'exec failed')), undefined);
    assert.equal(kubeCause(new Error('not from the API')), undefined);
  });

  void it('classify names an unknown error UNKNOWN, never a reset', () => {
    assert.equal(classify(new Error('something odd')), 'UNKNOWN');
    assert.equal(classify(Object.assign(new Error('weird'), { code: 'EWHATEVER' })), 'UNKNOWN');
    assert.equal(classify(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'CONNECT_RESET');
    assert.equal(classify(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })), 'CONNECT_REFUSED');
    assert.equal(classify(Object.assign(new Error('tlsv1 alert internal error'), { code: 'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR' })), 'TLS_HANDSHAKE');
  });
});
