/**
 * A silent peer is waited for once per run (clients/silent.ts, issue 4): the record's rules as
 * plain functions, then the whole suite against a console that accepts TCP and never answers. The
 * proof is counted, not timed: the simulated load balancer sees a handful of hung connections, not
 * one per console check, and every check after the first few names the check that waited.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type SovereignConfig } from '../clients/config.js';
import type { Summary } from '../report/reporter.js';
import { Network } from '../clients/net.js';
import { describeSilence, SilentPeers } from '../clients/silent.js';
import { recordCatalystApiBuild } from '../decisions/workloads.js';
import { memoryRecorder, withRecorder } from '../report/check.js';
import { startSim } from '../sim/index.js';
import { runPlaywright } from './run.js';


void describe('the record of silent peers', () => {
  let dir: string;
  const config = (extra: Record<string, string> = {}): SovereignConfig => {
    const r = loadConfig({
      SOVEREIGN_FQDN: 'otech64.omani.works',
      SMOKE_REPORT_DIR: dir,
      SMOKE_RUN_STARTED: '1790000000000',
      SMOKE_CONNECT_TO: 'console.otech64.omani.works:443:127.0.0.1:8443,auth.otech64.omani.works:443:127.0.0.1:8443,api.otech64.omani.works:443:127.0.0.1:9443',
      ...extra,
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.config;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'silent-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('a silent connection holds for every name at the same address, and names who waited', async () => {
    const peers = new SilentPeers(config());
    assert.equal(await peers.seen('console.otech64.omani.works', 443), undefined);
    await peers.record('console.otech64.omani.works', 443, 'connection', 'a TLS handshake', 'TCP connected after 2ms, but no TLS handshake within 10000ms');
    const same = await new SilentPeers(config()).seen('auth.otech64.omani.works', 443);
    assert.equal(same?.host, 'console.otech64.omani.works');
    assert.equal(same?.address, '127.0.0.1:8443');
    assert.match(describeSilence(same ?? assert.fail('no record'), 'auth.otech64.omani.works:443'), /^auth\.otech64\.omani\.works:443 goes to the same address as console\.otech64\.omani\.works:443, which \(at 127\.0\.0\.1:8443\) stayed silent when setup tried a TLS handshake/);
    assert.equal(await peers.seen('api.otech64.omani.works', 443), undefined, 'another address is not silent');
  });

  void it('a slow answer is not recorded for the run; the first connection record wins; another run sees none', async () => {
    const peers = new SilentPeers(config());
    await peers.record('api.otech64.omani.works', 443, 'answer', 'GET /auth/handover', 'no answer within 10000ms');
    assert.equal(await peers.seen('api.otech64.omani.works', 443), undefined, 'a slow answer is not a silent host (issue 14)');
    await peers.record('api.otech64.omani.works', 443, 'connection', 'a TLS handshake', 'first');
    await peers.record('api.otech64.omani.works', 443, 'connection', 'GET /other', 'later');
    assert.equal((await peers.seen('api.otech64.omani.works', 443))?.what, 'a TLS handshake');
    assert.equal(await new SilentPeers(config({ SMOKE_RUN_STARTED: '1790000000001' })).seen('console.otech64.omani.works', 443), undefined);
  });

  void it('through the network layer: a path that answers late fails that request only; a peer that never completes TLS is silent for the run', { timeout: 60_000 }, async () => {
    const sim = await startSim({ scenario: 'healthy' });
    const report = mkdtempSync(join(tmpdir(), 'silent-net-'));
    try {
      const cfg = (() => {
        const r = loadConfig({ ...sim.env, SMOKE_TIMEOUT: '1s', SMOKE_REPORT_DIR: report, SMOKE_RUN_STARTED: String(Date.now()) });
        if (!r.ok) throw new Error(JSON.stringify(r.problems));
        return r.config;
      })();
      const net = new Network(cfg);
      const consoleUrl = `https://console.${sim.fqdn}`;
      // A cold backend on one path: /auth/handover's successful answer (302) held for 3 s.
      sim.context.world.gateway.slowAnswers = [{ path: '/healthz', status: 200, delayMs: 3000 }];
      await assert.rejects(net.request(`${consoleUrl}/healthz`), (e: Error & { code?: string }) => e.code === 'TIMEOUT' && /a slow answer on \/healthz, not a silent host/.test(e.message));
      assert.equal(await new SilentPeers(cfg).seen(`console.${sim.fqdn}`, 443), undefined, 'nothing recorded for the host');
      assert.equal((await net.request(`${consoleUrl}/readyz`)).status, 200, 'another path on the same host answers');
      // A wedged envoy: TCP accepted, no TLS handshake.
      sim.context.world.gateway.mode = 'hang';
      const asked = performance.now();
      await assert.rejects(net.request(`${consoleUrl}/api/v1/whoami`), (e: Error & { code?: string }) => e.code === 'TIMEOUT');
      // Within SMOKE_TIMEOUT, not undici's backstop at twice it (a request whose signal aborts waits for
      // its connection attempt to end: the attempt has the deadline too).
      const waited = performance.now() - asked;
      assert.ok(waited < 1_800, `a silent peer cost ${Math.round(waited)}ms with SMOKE_TIMEOUT 1s`);
      const silence = await new SilentPeers(cfg).seen(`auth.${sim.fqdn}`, 443);
      assert.equal(silence?.level, 'connection', 'a silent connection holds for every name at the address');
      await net.close();
    } finally {
      await sim.stop();
      rmSync(report, { recursive: true, force: true });
    }
  });
});

void describe('provenance never holds a passing check', () => {
  void it('catalyst-api\'s build is waited for half SMOKE_TIMEOUT at most on a console that never answers, and says so', { timeout: 60_000 }, async () => {
    const sim = await startSim({ scenario: 'healthy' });
    const report = mkdtempSync(join(tmpdir(), 'silent-prov-'));
    try {
      const r = loadConfig({ ...sim.env, SMOKE_TIMEOUT: '3s', SMOKE_REPORT_DIR: report, SMOKE_RUN_STARTED: String(Date.now()) });
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      const net = new Network(r.config);
      const build = async (): Promise<{ ms: number; note: string }> => {
        const rec = memoryRecorder('catalyst.workloads-ready');
        const started = performance.now();
        await withRecorder(rec, () => recordCatalystApiBuild(net, r.config));
        return { ms: performance.now() - started, note: rec.notes.map((n) => n.description ?? '').join(' | ') };
      };
      const answered = await build();
      assert.match(answered.note, /"key":"catalyst-api build","value":"sha /, 'a console that answers: the build');
      sim.context.world.gateway.mode = 'hang';
      const silent = await build();
      assert.ok(silent.ms < 2_000, `waited ${Math.round(silent.ms)}ms for provenance (SMOKE_TIMEOUT 3s)`);
      assert.match(silent.note, /unknown \(GET \/api\/v1\/version: no answer within 1500ms; provenance only, not waited for longer\)/);
      await net.close();
    } finally {
      await sim.stop();
      rmSync(report, { recursive: true, force: true });
    }
  });
});

void describe('a console that accepts TCP and never answers', () => {
  void it('is waited for by at most one check per worker; every other console check fails at once naming it; the rest pass', { timeout: 240_000 }, async () => {
    const sim = await startSim({ scenario: 'console-hang' });
    const report = mkdtempSync(join(tmpdir(), 'silent-run-'));
    try {
      const { out } = await runPlaywright([], { ...sim.env, SMOKE_REPORT_DIR: report, SMOKE_WORKERS: '2', SMOKE_TIMEOUT: '2s' });
      const summary = JSON.parse(readFileSync(join(report, 'summary.json'), 'utf8')) as Summary;
      const failed = summary.checks.filter((c) => c.status === 'failed');
      const tail = `\n${out.split('\n').slice(-20).join('\n')}`;
      assert.ok(failed.length >= 8, `console checks failed: ${failed.map((c) => c.id).join(', ')}${tail}`);
      assert.ok(failed.every((c) => c.causeId === 'console-unresponsive'), JSON.stringify(failed.map((c) => [c.id, c.causeId])));
      const waited = failed.filter((c) => !/stayed silent when/.test(c.message ?? ''));
      const told = failed.filter((c) => /stayed silent when (tls\.handshake|tls\.certificate|catalyst-api\.available|tls\.matches-cluster|catalyst\.workloads-ready) tried/.test(c.message ?? ''));
      assert.ok(waited.length <= 2, `at most one check per worker waits out the timeout; waited: ${waited.map((c) => c.id).join(', ')}`);
      assert.equal(told.length + waited.length, failed.length, 'every other console check names the check that waited');
      const hung = sim.context.requests.filter((q) => q.server === 'gateway' && q.path.includes('(hang)'));
      assert.ok(hung.length <= 3, `the load balancer saw ${hung.length} hung connections; one per waiting check is expected`);
      assert.deepEqual(
        summary.checks.filter((c) => c.status === 'passed').map((c) => c.id).sort(),
        // catalyst.workloads-ready passes: catalyst-api's build (GET /api/v1/version) is provenance only.
        ['catalyst-api.handover-key', 'catalyst-api.sovereign-fqdn', 'catalyst-api.state-on-pvc', 'catalyst.workloads-ready', 'cluster.nodes-ready', 'dns.console-to-lb', 'gitops.ready', 'lb.health', 'lb.targets', 'preflight.kube-access'],
      );
    } finally {
      await sim.stop();
      rmSync(report, { recursive: true, force: true });
    }
  });
});
