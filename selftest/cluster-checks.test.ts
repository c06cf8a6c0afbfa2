/**
 * The @cluster checks, run for real (Playwright, `--grep @cluster` unless a test narrows it) against the
 * simulator: each fault fails the right check with the right cause and a message that names the
 * object, what was expected and what was seen. Plus the Flux readiness rules as plain functions, and
 * gitops.ready's promise that a Sovereign ready T s into the run is green within T+3 s.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyProofFromAnswer } from '../decisions/handover-key.js';
import { execDepth, execVerbsNeeded, neededPermissions } from '../decisions/permissions.js';
import { readinessOf, waitingIsTerminal } from '../decisions/readiness.js';
import { decideFqdnWithoutExec, fqdnConfigMapFacts, type FqdnConfigMapFacts, type FqdnPodFacts, type SelfAnswer } from '../decisions/sovereign-fqdn.js';
import { currentRequest } from '../decisions/cluster-cert.js';
import { loadConfig } from '../clients/config.js';
import { rbacAllows, rbacSet } from '../sim/rbac.js';
import type { KubeObject } from '../clients/kube.js';
import { startSim, type SimHandle } from '../sim/index.js';
import { findObject } from '../sim/kube-objects.js';
import { judgeAgainst, judgeSim, type Judged } from './judge.js';
import { clusterGate } from '../decisions/cluster-gate.js';
import { CHECKS } from '../checks/index.js';
import { KubeError } from '../report/errors.js';

const MINE = ['preflight.kube-access', 'gitops.ready', 'catalyst-api.available', 'catalyst-api.sovereign-fqdn', 'catalyst-api.handover-key', 'catalyst-api.state-on-pvc', 'tls.matches-cluster'];

/**
 * Judges the @cluster checks (or those matching `grep`) against `sim`, in-process (selftest/judge.ts):
 * these tests are about verdicts; the CLI and Playwright path is the end-to-end matrix's.
 */
function runCluster(sim: SimHandle, env: Record<string, string> = {}, grep?: string): Promise<Judged> {
  return judgeSim(sim, env, grep ?? '@cluster');
}

interface Case {
  scenario: string;
  env?: Record<string, string>;
  /** My checks that must fail, with the cause; every other check of mine passes (or is skipped when preflight fails). */
  failing: string[];
  cause?: string;
  /** Text each failing check's message must contain. */
  message?: RegExp[];
  /** The depth a check must name in `checks[].evidence` (least privilege); checks of mine not named here record none unless `anyEvidence`. */
  evidence?: Record<string, RegExp[]>;
  anyEvidence?: boolean;
}

/** The least-privilege depth of the healthy run, as the evidence names it. */
const LEAST_EVIDENCE: Record<string, RegExp[]> = {
  'catalyst-api.sovereign-fqdn': [/no pods\/exec in catalyst-system \(get pods\/exec denied\)/, /SOVEREIGN_FQDN was not read inside Pod catalyst-api-7d9f8c6b5-x7k2p/, /GET \/api\/v1\/sovereign\/self \(no session cookie\): 200 with FQDN "sim\.sovereign\.test"/, /before the container started/],
  'catalyst-api.handover-key': [/no get on Secret catalyst-system\/catalyst-handover-jwt-public/, /401 "insufficient role"/],
  'tls.matches-cluster': [/no get on Secret kube-system\/sovereign-wildcard-tls/, /CertificateRequest kube-system\/sovereign-wildcard-tls-1 \(revision 1/],
};

const CASES: Case[] = [
  { scenario: 'healthy', failing: [], evidence: LEAST_EVIDENCE },
  { scenario: 'healthy-deep', failing: [] },
  { scenario: 'rbac-resource-names', failing: [] },
  { scenario: 'least-privilege-sovereign-fqdn-race', failing: ['catalyst-api.sovereign-fqdn'], cause: 'sovereign-fqdn', anyEvidence: true, message: [/decided without exec/, /SOVEREIGN_FQDN is unset: ConfigMap catalyst-system\/sovereign-fqdn was created at .*, after the container started/, /404 not-a-sovereign/] },
  { scenario: 'least-privilege-handover-key-mismatch', failing: ['catalyst-api.handover-key'], cause: 'handover-key-mismatch', anyEvidence: true, message: [/control token/, /401 "invalid token"/] },
  { scenario: 'least-privilege-handover-key-secret-missing', failing: ['catalyst-api.handover-key'], cause: 'handover-key-missing', anyEvidence: true, message: [/public key unavailable/] },
  { scenario: 'least-privilege-cert-stale', failing: ['tls.matches-cluster'], cause: 'tls-stale-cert', anyEvidence: true, message: [/CertificateRequest kube-system\/sovereign-wildcard-tls-1/] },
  { scenario: 'sovereign-fqdn-race', failing: ['catalyst-api.sovereign-fqdn'], cause: 'sovereign-fqdn', message: [/SOVEREIGN_FQDN is unset, expected "sim\.sovereign\.test"/, /created at .*, after the Pod started/, /catalyst-api-7d9f8c6b5-x7k2p/] },
  { scenario: 'sovereign-fqdn-missing-configmap', failing: ['catalyst-api.sovereign-fqdn'], cause: 'sovereign-fqdn', message: [/ConfigMap catalyst-system\/sovereign-fqdn does not exist/] },
  { scenario: 'sovereign-fqdn-one-pod', failing: ['catalyst-api.sovereign-fqdn'], cause: 'sovereign-fqdn', message: [/1 of 2 catalyst-api Pods/, /Pod catalyst-api-7d9f8c6b5-x7k2p/] },
  { scenario: 'exec-forbidden', failing: [], evidence: { 'catalyst-api.sovereign-fqdn': [/no pods\/exec in catalyst-system \(get pods\/exec denied\)/, /sovereign\/self/] } },
  { scenario: 'exec-create-only', failing: [], evidence: { 'catalyst-api.sovereign-fqdn': [/get pods\/exec denied/] } },
  { scenario: 'state-on-emptydir', failing: ['catalyst-api.state-on-pvc'], cause: 'state-on-emptydir', message: [/\/tmp\/catalyst\/tofu\/sim\.sovereign\.test \(CATALYST_TOFU_WORKDIR\)/, /emptyDir/] },
  { scenario: 'state-root-on-emptydir', failing: ['catalyst-api.state-on-pvc'], cause: 'state-on-emptydir', message: [/\/var\/lib\/catalyst \(state root\)/] },
  { scenario: 'handover-key-mismatch', failing: ['catalyst-api.handover-key'], cause: 'handover-key-mismatch', message: [/is not the public half of the signing key/] },
  { scenario: 'helmrelease-failed', failing: ['gitops.ready'], cause: 'gitops-failed', message: [/HelmRelease flux-system\/bp-catalyst-platform: FAILED \(UpgradeFailed, Stalled\/RetriesExceeded\): Helm upgrade failed/] },
  { scenario: 'helmrelease-stuck', env: { SMOKE_AWAIT: '3s' }, failing: ['gitops.ready'], cause: 'gitops-not-ready', message: [/timed out after [\d.]+m?s \(SMOKE_AWAIT 3s, counted from the start of the run\)/, /bp-gitea: not Ready \(Progressing\)/, /bp-catalyst-platform: not Ready \(DependencyNotReady\)/] },
  { scenario: 'catalyst-api-crashloop', failing: ['catalyst-api.available', 'catalyst-api.sovereign-fqdn'], cause: 'catalyst-api-unavailable', message: [/CrashLoopBackOff|not running/] },
  { scenario: 'kube-credentials-refused', failing: ['preflight.kube-access'], cause: 'kube-unauthenticated', message: [/401/] },
  { scenario: 'kube-rbac-read-denied', failing: ['preflight.kube-access'], cause: 'kube-forbidden', message: [/list pods in catalyst-system/] },
];

void describe('cluster checks against the simulator', { concurrency: 2 }, () => {
  for (const c of CASES) {
    void it(`${c.scenario}: ${c.failing.length ? `${c.failing.join(', ')} fail naming ${c.cause}` : 'every cluster check passes'}`, { timeout: 180_000 }, async () => {
      const sim = await startSim({ scenario: c.scenario });
      try {
        const r = await runCluster(sim, c.env);
        const mine = r.summary.checks.filter((x) => MINE.includes(x.id));
        const tail = `\n${r.out.split('\n').slice(-25).join('\n')}`;
        assert.deepEqual(mine.filter((x) => x.status === 'failed').map((x) => x.id).sort(), [...c.failing].sort(), `failing checks${tail}`);
        const preflightFailed = c.failing.includes('preflight.kube-access');
        for (const x of mine) {
          if (c.failing.includes(x.id)) {
            assert.equal(x.causeId, c.cause, `${x.id} cause (${x.message ?? ''})`);
            for (const re of c.message ?? []) if (x.id === c.failing[0]) assert.match(x.message ?? '', re, `${x.id} message`);
          } else {
            assert.equal(x.status, preflightFailed ? 'skipped' : 'passed', `${x.id}: ${x.message ?? ''}`);
          }
        }
        for (const x of mine) {
          const want = c.evidence?.[x.id];
          if (want) for (const re of want) assert.match(x.evidence ?? '', re, `${x.id} evidence`);
          else if (!c.anyEvidence) assert.equal(x.evidence, undefined, `${x.id} saw everything, so it records no evidence`);
        }
        if (preflightFailed) {
          // Every other @cluster check, mine or not (keycloak.sa-roles, tls.matches-cluster), is
          // skipped behind the gate, naming it.
          for (const x of r.summary.checks.filter((y) => y.id !== 'preflight.kube-access')) {
            assert.equal(x.status, 'skipped', `${x.id}: ${x.message ?? ''}`);
            assert.equal(x.causeId, 'preflight-failed', `${x.id} skip cause`);
            assert.match(x.message ?? '', /see preflight\.kube-access/, `${x.id} skip reason`);
          }
        }
        // No secret in anything the run printed.
        assert.ok(!r.out.includes(sim.context.world.kube.token), 'kube token printed');
      } finally {
        await sim.stop();
      }
    });
  }

  void it('access reviews the API server did not answer in time fail preflight and the cluster checks (kube-unreachable), never a pass with them skipped', { timeout: 120_000 }, async () => {
    // A slow API server once: the gate's access reviews time out, preflight's own, asked a moment
    // later, are answered. The cluster checks run on the gate's verdict, so preflight must carry it.
    const sim = await startSim({ scenario: 'healthy' });
    try {
      const checks = CHECKS.filter((c) => c.id === 'preflight.kube-access' || c.id === 'cluster.nodes-ready');
      const verdicts = await judgeAgainst(sim, {}, checks, 3, {
        prepare: async (ctx) => {
          let slow = true;
          const can = ctx.kube.can.bind(ctx.kube);
          ctx.kube.can = (verb, resource, opts = {}) => {
            // kube.reachable's own review (get namespaces) is answered: the API server answers, slowly.
            if (!slow || resource === 'namespaces') return can(verb, resource, opts);
            return Promise.reject(new KubeError('TIMEOUT', `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews: no answer within ${ctx.config.timeoutMs}ms`));
          };
          // The gate asks first (as a cluster check starting before preflight's reviews does).
          assert.equal((await clusterGate(ctx.kube, ctx.config)).ok, false);
          slow = false;
        },
      });
      const pre = verdicts.find((v) => v.id === 'preflight.kube-access');
      assert.equal(pre?.status, 'failed', `preflight: ${pre?.status} ${pre?.message ?? ''}`);
      assert.equal(pre?.cause, 'kube-unreachable');
      assert.match(pre?.message ?? '', /did not answer the access reviews/);
      // A cluster check on an undecided gate fails too: under Playwright its worker's gate may be the
      // only one that went unanswered, and a skip would leave the run green.
      const nodes = verdicts.find((v) => v.id === 'cluster.nodes-ready');
      assert.equal(nodes?.status, 'failed', `cluster.nodes-ready: ${nodes?.status} ${nodes?.message ?? ''}`);
      assert.equal(nodes?.cause, 'kube-unreachable');
      assert.match(nodes?.message ?? '', /not decided: the API server did not answer the access reviews.*see preflight\.kube-access/s);
    } finally {
      await sim.stop();
    }
  });

  void it('gitops.ready turns green within 3 s of the Sovereign becoming ready', { timeout: 120_000 }, async () => {
    const sim = await startSim({ scenario: 'helmrelease-stuck' });
    try {
      const world = sim.context.world;
      const healthy = (name: string): void => {
        const hr = findObject(world, 'HelmRelease', 'flux-system', name) as KubeObject;
        const conditions = [{ type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded', observedGeneration: hr.metadata.generation ?? 1 }];
        hr['status'] = { ...(hr['status'] as Record<string, unknown>), observedGeneration: hr.metadata.generation ?? 1, conditions };
      };
      let readyAt = 0;
      // The Sovereign becomes ready once gitops.ready has been polling for a while.
      const fix = setInterval(() => {
        const polls = sim.context.requests.filter((q) => q.path.startsWith('/apis/helm.toolkit.fluxcd.io/v2/namespaces/flux-system/helmreleases')).length;
        if (polls >= 3 && !readyAt) {
          healthy('bp-gitea');
          healthy('bp-catalyst-platform');
          readyAt = Date.now();
          clearInterval(fix);
        }
      }, 50);
      const r = await runCluster(sim, { SMOKE_AWAIT: '60s' }, 'gitops\\.ready');
      clearInterval(fix);
      const check = r.summary.checks.find((x) => x.id === 'gitops.ready');
      assert.equal(check?.status, 'passed', check?.message);
      assert.ok(readyAt > 0, 'the world was fixed while the check polled');
      const lastPoll = Math.max(...sim.context.requests.filter((q) => q.path.startsWith('/apis/helm.toolkit.fluxcd.io/v2/')).map((q) => q.at));
      assert.ok(lastPoll - readyAt <= 3000, `saw Ready ${lastPoll - readyAt} ms after it happened`);
    } finally {
      await sim.stop();
    }
  });
});

void describe('Flux readiness rules', () => {
  const hr = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, generation = 1): KubeObject => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'bp-x', namespace: 'flux-system', generation }, spec, status });
  const ready = (s: string, reason: string): Record<string, unknown> => ({ type: 'Ready', status: s, reason, message: reason });

  void it('Ready=True for the current generation is ready; for an older one it is progressing', () => {
    assert.equal(readinessOf(hr({ observedGeneration: 1, conditions: [ready('True', 'InstallSucceeded')] })).state, 'ready');
    assert.equal(readinessOf(hr({ observedGeneration: 1, conditions: [ready('True', 'InstallSucceeded')] }, {}, 2)).state, 'progressing');
  });

  void it('Stalled, RetriesExceeded and a failed upgrade without retries left are terminal', () => {
    assert.equal(readinessOf(hr({ conditions: [ready('False', 'UpgradeFailed'), { type: 'Stalled', status: 'True', reason: 'RetriesExceeded' }] })).state, 'failed');
    assert.equal(readinessOf(hr({ conditions: [ready('False', 'InstallFailed')] })).state, 'failed');
    assert.equal(readinessOf(hr({ conditions: [ready('False', 'InstallFailed')], installFailures: 1 }, { install: { remediation: { retries: 3 } } })).state, 'progressing');
    assert.equal(readinessOf(hr({ conditions: [ready('False', 'InstallFailed')], installFailures: 4 }, { install: { remediation: { retries: 3 } } })).state, 'failed');
  });

  void it('progressing, waiting on a dependency or not yet reconciled is not terminal; suspended is its own state', () => {
    assert.equal(readinessOf(hr({ conditions: [ready('Unknown', 'Progressing')] })).state, 'progressing');
    assert.equal(readinessOf(hr({ conditions: [ready('False', 'DependencyNotReady')] })).state, 'progressing');
    assert.equal(readinessOf(hr({})).state, 'progressing');
    // The controllers requeue these (kustomize-controller: "Source is not ready, artifact not found, retrying in …").
    for (const reason of ['ArtifactFailed', 'HealthCheckFailed', 'InitFailed']) assert.equal(readinessOf(hr({ conditions: [ready('False', reason)] })).state, 'progressing', reason);
    // helm-controller does not reconcile a suspended release: neither failed nor waited for (selftest/cluster-variants.test.ts).
    assert.equal(readinessOf(hr({ conditions: [ready('False', 'Progressing')] }, { suspend: true })).state, 'suspended');
  });

  void it('a waiting container is terminal only when the kubelet cannot clear it by retrying', () => {
    assert.equal(waitingIsTerminal('InvalidImageName', 'couldn\'t parse image name', 0), true);
    assert.equal(waitingIsTerminal('CrashLoopBackOff', 'back-off 10s restarting failed container', 1), false, 'a first crash while a dependency starts');
    assert.equal(waitingIsTerminal('CrashLoopBackOff', 'back-off 5m0s restarting failed container', 7), true);
    assert.equal(waitingIsTerminal('ErrImagePull', 'rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/openova-io/catalyst-api:nope": not found', 0), true);
    assert.equal(waitingIsTerminal('ImagePullBackOff', 'Back-off pulling image "ghcr.io/openova-io/catalyst-api:1.2.3"', 0), false, 'a pull that failed once (registry slow)');
    assert.equal(waitingIsTerminal('CreateContainerConfigError', 'secret "catalyst-kc-sa-credentials" not found', 0), false, 'Reflector has not mirrored the Secret yet');
  });

  void it('a cert-manager Certificate whose issuance failed is terminal; one being issued is progressing', () => {
    const cert = (conditions: Record<string, unknown>[]): KubeObject => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'sovereign-wildcard-tls', namespace: 'kube-system', generation: 1 }, status: { conditions, failedIssuanceAttempts: 3 } });
    const issuing = (st: string, reason: string): Record<string, unknown> => ({ type: 'Issuing', status: st, reason, message: reason });
    const failed = readinessOf(cert([ready('False', 'Expired'), issuing('False', 'Failed')]));
    assert.equal(failed.state, 'failed');
    assert.match(failed.reason, /Expired, Issuing\/Failed \(3 failed attempts\)/);
    assert.equal(readinessOf(cert([ready('False', 'Expired'), issuing('True', 'Expired')])).state, 'progressing');
    assert.equal(readinessOf(cert([ready('True', 'Ready'), issuing('False', 'Failed')])).state, 'ready', 'a valid certificate whose renewal failed is still Ready');
  });
});

void describe('least privilege: what each permission lets a check decide', () => {
  const FQDN = 'otech64.omani.works';
  const cm = (over: Partial<FqdnConfigMapFacts> = {}): FqdnConfigMapFacts => ({ name: 'catalyst-system/sovereign-fqdn', data: { fqdn: FQDN, selfDeploymentId: 'ab2135d4cf2d01e4' }, created: '2026-05-03T09:20:00Z', lastWrite: '2026-05-03T09:20:00Z', ...over });
  const ref = { kind: 'configMap' as const, name: 'sovereign-fqdn', key: 'fqdn', optional: true };
  const pod = (name: string, started: string, over: Partial<FqdnPodFacts> = {}): FqdnPodFacts => ({ name, started, source: ref, otechSameSource: true, ...over });
  const self200: SelfAnswer = { kind: 'answer', status: 200, fqdn: FQDN };

  void it('exec over WebSocket needs get on pods/exec, and create as well from Kubernetes 1.35', () => {
    assert.deepEqual(execDepth({ get: true, create: false }, 'v1.31.6+k3s1'), { allowed: true, missing: [] });
    assert.deepEqual(execDepth({ get: false, create: true }, 'v1.31.6+k3s1'), { allowed: false, missing: ['get'] });
    assert.deepEqual(execDepth({ get: true, create: false }, 'v1.35.0'), { allowed: false, missing: ['create'] });
    assert.deepEqual(execDepth({ get: false, create: false }, undefined), { allowed: false, missing: ['get'] });
    assert.deepEqual(execVerbsNeeded('v1.36.1+k3s1'), ['get', 'create']);
  });

  void it('sovereign-fqdn without exec passes when the ConfigMap was last written before the container started, and /sovereign/self agrees', () => {
    const d = decideFqdnWithoutExec(FQDN, cm(), [pod('catalyst-api-a', '2026-05-03T09:21:00Z')], self200);
    assert.equal(d.verdict, 'pass');
    assert.ok(d.evidence.some((e) => /before the container started/.test(e)));
    assert.ok(d.evidence.some((e) => /200 with FQDN "otech64\.omani\.works"/.test(e)));
    // The answer is not needed for that: without the console the start times still decide.
    assert.equal(decideFqdnWithoutExec(FQDN, cm(), [pod('catalyst-api-a', '2026-05-03T09:21:00Z')], { kind: 'unavailable', why: 'connection reset' }).verdict, 'pass');
  });

  void it('sovereign-fqdn without exec catches the race (ConfigMap younger than the container), a missing ConfigMap, another value, a missing key', () => {
    const race = decideFqdnWithoutExec(FQDN, cm({ created: '2026-05-03T09:22:00Z', lastWrite: '2026-05-03T09:22:00Z' }), [pod('catalyst-api-a', '2026-05-03T09:21:00Z')], { kind: 'answer', status: 404, error: 'not-a-sovereign' });
    assert.equal(race.verdict, 'fail');
    assert.match(race.problems.join('\n'), /created at 2026-05-03T09:22:00Z, after the container started at 2026-05-03T09:21:00Z/);
    assert.match(race.problems.join('\n'), /404 not-a-sovereign/);
    assert.match(race.detail, /ConfigMap created after the Pod started/);
    assert.match(decideFqdnWithoutExec(FQDN, undefined, [pod('a', '2026-05-03T09:21:00Z')], self200).detail, /ConfigMap sovereign-fqdn missing/);
    assert.match(decideFqdnWithoutExec(FQDN, cm({ data: { fqdn: 'otech62.omani.works' } }), [pod('a', '2026-05-03T09:21:00Z')], self200).detail, /holds another value/);
    assert.match(decideFqdnWithoutExec(FQDN, cm({ data: {} }), [pod('a', '2026-05-03T09:21:00Z')], self200).detail, /no fqdn key/);
    // Only the older of two Pods raced: named alone.
    const one = decideFqdnWithoutExec(FQDN, cm(), [pod('old', '2026-05-03T09:19:00Z'), pod('new', '2026-05-03T09:25:00Z')], self200);
    assert.equal(one.verdict, 'fail');
    assert.deepEqual(one.problems.map((p) => p.split(':')[0]), ['Pod old']);
  });

  void it('sovereign-fqdn without exec: /sovereign/self speaks for SOVEREIGN_FQDN only when both variables come from the same ConfigMap key', () => {
    const wrong: SelfAnswer = { kind: 'answer', status: 503, error: 'deployment-id-not-yet-stamped', fqdn: 'otech62.omani.works' };
    assert.equal(decideFqdnWithoutExec(FQDN, cm(), [pod('a', '2026-05-03T09:21:00Z')], wrong).verdict, 'fail');
    assert.equal(decideFqdnWithoutExec(FQDN, cm(), [pod('a', '2026-05-03T09:21:00Z', { otechSameSource: false })], wrong).verdict, 'pass', 'CATALYST_OTECH_FQDN from elsewhere says nothing about SOVEREIGN_FQDN');
    // An older catalyst-api without the route (404 text) is no evidence either way.
    assert.equal(decideFqdnWithoutExec(FQDN, cm(), [pod('a', '2026-05-03T09:21:00Z')], { kind: 'answer', status: 404 }).verdict, 'pass');
  });

  void it('sovereign-fqdn without exec: a ConfigMap written after the container started is decided by /sovereign/self for a single Pod, and undecided (a skip) otherwise', () => {
    const edited = cm({ lastWrite: '2026-05-03T10:00:00Z' });
    assert.equal(decideFqdnWithoutExec(FQDN, edited, [pod('a', '2026-05-03T09:21:00Z')], self200).verdict, 'pass');
    assert.equal(decideFqdnWithoutExec(FQDN, edited, [pod('a', '2026-05-03T09:21:00Z')], { kind: 'unavailable', why: 'reset' }).verdict, 'undecided');
    assert.equal(decideFqdnWithoutExec(FQDN, edited, [pod('a', '2026-05-03T09:21:00Z'), pod('b', '2026-05-03T09:22:00Z')], self200).verdict, 'undecided', 'the answer came from one of two Pods');
    // Literal values need no exec; a Secret reference cannot be decided without it.
    assert.equal(decideFqdnWithoutExec(FQDN, cm(), [pod('a', '2026-05-03T09:21:00Z', { source: { kind: 'literal', value: FQDN } })], self200).verdict, 'pass');
    assert.equal(decideFqdnWithoutExec(FQDN, cm(), [pod('a', '2026-05-03T09:21:00Z', { source: { kind: 'literal', value: '' } })], self200).verdict, 'fail');
    assert.equal(decideFqdnWithoutExec(FQDN, cm(), [pod('a', '2026-05-03T09:21:00Z', { source: { kind: 'other', what: 'Secret x' }, otechSameSource: false })], self200).verdict, 'undecided');
  });

  void it('the ConfigMap\'s last write is the latest managedFields time', () => {
    const f = fqdnConfigMapFacts({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sovereign-fqdn', namespace: 'catalyst-system', creationTimestamp: '2026-05-03T09:20:00Z', managedFields: [{ manager: 'helm-controller', operation: 'Update', time: '2026-05-03T09:20:00Z' }, { manager: 'kubectl-edit', operation: 'Update', time: '2026-05-04T08:00:00Z' }] }, data: { fqdn: FQDN } }, 'catalyst-system');
    assert.equal(f?.lastWrite, '2026-05-04T08:00:00Z');
  });

  void it('handover-key without Secret read: the control token\'s answer proves, refutes or misses the key', () => {
    const where = 'GET /auth/handover';
    for (const error of ['insufficient role', 'invalid audience', 'invalid issuer']) assert.equal(keyProofFromAnswer({ status: 401, error }, true, where).ok, true, error);
    const mismatch = keyProofFromAnswer({ status: 401, error: 'invalid token' }, true, where);
    assert.equal(!mismatch.ok && mismatch.cause, 'handover-key-mismatch');
    const missing = keyProofFromAnswer({ status: 401, error: 'server misconfiguration: public key unavailable' }, true, where);
    assert.equal(!missing.ok && missing.cause, 'handover-key-missing');
    // Without a signing key a throwaway-signed token proves only that a key loads.
    const loaded = keyProofFromAnswer({ status: 401, error: 'invalid token' }, false, where);
    assert.ok(loaded.ok && /not compared/.test(loaded.evidence));
    const down = keyProofFromAnswer({ status: 503 }, true, where);
    assert.equal(!down.ok && down.cause, 'catalyst-api-unavailable');
  });

  void it('tls.matches-cluster without the Secret: the CertificateRequest of the Certificate\'s current revision', () => {
    const cert: KubeObject = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'sovereign-wildcard-tls', namespace: 'kube-system', uid: 'u1' }, status: { revision: 2 } };
    const cr = (name: string, revision: string, owner = 'u1'): KubeObject => ({ apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: { name, namespace: 'kube-system', annotations: { 'cert-manager.io/certificate-revision': revision }, ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: owner === 'u1' ? 'sovereign-wildcard-tls' : 'other', uid: owner, controller: true }] } });
    assert.equal(currentRequest(cert, [cr('x-1', '1'), cr('x-2', '2'), cr('y-2', '2', 'u9')]).request?.metadata.name, 'x-2');
    assert.equal(currentRequest(cert, [cr('x-1', '1')]).request, undefined);
    assert.deepEqual(currentRequest({ ...cert, status: {} }, [cr('x-1', '1')]), {});
  });

  void it('preflight asks by name, so a Role scoped with resourceNames is recognised; sovereigns/rbac.yaml grants the least-privilege reads and nothing deep', () => {
    const r = loadConfig({ SOVEREIGN_FQDN: 'otech64.omani.works' });
    assert.ok(r.ok);
    const user = 'system:serviceaccount:kube-system:sovereign-smoke';
    const least = rbacSet('least-privilege');
    const deep = rbacSet('deep');
    for (const p of neededPermissions(r.config)) {
      const a = { verb: p.verb, group: p.group ?? '', resource: p.resource, ...(p.subresource ? { subresource: p.subresource } : {}), ...(p.namespace ? { namespace: p.namespace } : {}), ...(p.name ? { name: p.name } : {}) };
      const isDeep = p.resource === 'secrets' || p.subresource === 'exec';
      assert.equal(rbacAllows(least, user, a), !isDeep, `least-privilege ${isDeep ? 'grants' : 'lacks'} ${p.verb} ${p.resource} ${p.name ?? ''} in ${p.namespace ?? 'the cluster'} (${p.usedBy})`);
      assert.ok(rbacAllows(deep, user, a), `deep lacks ${p.verb} ${p.resource} ${p.name ?? ''} in ${p.namespace ?? 'the cluster'}`);
      if (p.resource === 'secrets') assert.ok(p.name, `Secrets are asked for by name (${p.usedBy})`);
    }
    // resourceNames: only the named object, and never a list.
    const secret = (name: string, verb = 'get') => ({ verb, group: '', resource: 'secrets', namespace: 'catalyst-system', name });
    assert.ok(rbacAllows(deep, user, secret('catalyst-handover-jwt-public')));
    assert.ok(!rbacAllows(deep, user, secret('harbor-robot-token')));
    assert.ok(!rbacAllows(deep, user, { verb: 'list', group: '', resource: 'secrets', namespace: 'catalyst-system' }));
    assert.ok(!rbacAllows(deep, user, { verb: 'get', group: '', resource: 'secrets', namespace: 'catalyst-system' }), 'a review without a name does not match a rule with resourceNames');
    // Nothing in either set writes.
    for (const o of deep) for (const rule of o.rules ?? []) for (const v of rule.verbs) assert.ok(['get', 'list'].includes(v) || (v === 'create' && rule.resources?.includes('pods/exec')), `${o.kind} ${o.metadata.name} grants ${v}`);
  });
});
