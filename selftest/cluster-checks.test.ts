/**
 * The @cluster checks, run for real (Playwright, `--grep @cluster` unless a test narrows it) against the
 * simulator: each fault fails the right check with the right cause and a message that names the
 * object, what was expected and what was seen. Plus the Flux readiness rules as plain functions, and
 * gitops.ready's promise that a Sovereign ready T s into the run is green within T+3 s.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readinessOf, waitingIsTerminal } from '../fixtures/cluster-checks.js';
import type { KubeObject } from '../fixtures/kube.js';
import type { Summary } from '../fixtures/reporter.js';
import { startSim, type SimHandle } from '../sim/index.js';
import { findObject } from '../sim/kube-objects.js';
import { readSummary, runPlaywright, tail } from './run.js';

const MINE = ['preflight.kube-access', 'gitops.ready', 'catalyst-api.available', 'catalyst-api.sovereign-fqdn', 'catalyst-api.handover-key', 'catalyst-api.state-on-pvc'];

/** Runs the @cluster checks (or those matching `grep`) against `sim` and returns the summary. */
async function runCluster(sim: SimHandle, env: Record<string, string> = {}, grep?: string): Promise<{ code: number | null; out: string; summary: Summary }> {
  const report = mkdtempSync(join(tmpdir(), 'cluster-checks-'));
  try {
    const r = await runPlaywright(['--grep', grep ?? '@cluster'], { ...sim.env, ...env, SMOKE_REPORT_DIR: report, SMOKE_WORKERS: '2' });
    const summary = readSummary(report);
    if (!summary) throw new Error(`no summary.json:${tail(r.out)}`);
    return { code: r.code, out: r.out, summary };
  } finally {
    rmSync(report, { recursive: true, force: true });
  }
}

interface Case {
  scenario: string;
  env?: Record<string, string>;
  /** My checks that must fail, with the cause; every other check of mine passes (or is skipped when preflight fails). */
  failing: string[];
  cause?: string;
  /** Text each failing check's message must contain. */
  message?: RegExp[];
}

const CASES: Case[] = [
  { scenario: 'healthy', failing: [] },
  { scenario: 'sovereign-fqdn-race', failing: ['catalyst-api.sovereign-fqdn'], cause: 'sovereign-fqdn', message: [/SOVEREIGN_FQDN is unset, expected "sim\.sovereign\.test"/, /created at .*, after the Pod started/, /catalyst-api-7d9f8c6b5-x7k2p/] },
  { scenario: 'sovereign-fqdn-missing-configmap', failing: ['catalyst-api.sovereign-fqdn'], cause: 'sovereign-fqdn', message: [/ConfigMap catalyst-system\/sovereign-fqdn does not exist/] },
  { scenario: 'sovereign-fqdn-one-pod', failing: ['catalyst-api.sovereign-fqdn'], cause: 'sovereign-fqdn', message: [/1 of 2 catalyst-api Pods/, /Pod catalyst-api-7d9f8c6b5-x7k2p/] },
  { scenario: 'exec-forbidden', failing: ['catalyst-api.sovereign-fqdn'], cause: 'exec-forbidden', message: [/cannot get resource "pods\/exec"/, /never|cannot be read/] },
  { scenario: 'exec-create-only', failing: ['catalyst-api.sovereign-fqdn'], cause: 'exec-forbidden', message: [/cannot get resource "pods\/exec"/, /needs get on pods\/exec/] },
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
