/**
 * A silent peer is waited for once per run (fixtures/silent.ts, issue 4): the record's rules as
 * plain functions, then the whole suite against a console that accepts TCP and never answers. The
 * proof is counted, not timed: the simulated load balancer sees a handful of hung connections, not
 * one per console check, and every check after the first few names the check that waited.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type SovereignConfig } from '../fixtures/config.js';
import type { Summary } from '../fixtures/reporter.js';
import { describeSilence, SilentPeers } from '../fixtures/silent.js';
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

  void it('a silent answer holds for its name only; the first record wins; another run sees none', async () => {
    const peers = new SilentPeers(config());
    await peers.record('api.otech64.omani.works', 443, 'answer', 'GET /readyz', 'no answer within 10000ms');
    await peers.record('api.otech64.omani.works', 443, 'answer', 'GET /other', 'later');
    assert.equal((await peers.seen('api.otech64.omani.works', 443))?.what, 'GET /readyz');
    const sibling = new SilentPeers(config({ SMOKE_CONNECT_TO: 'api.otech64.omani.works:443:127.0.0.1:9443,x.otech64.omani.works:443:127.0.0.1:9443' }));
    assert.equal(await sibling.seen('x.otech64.omani.works', 443), undefined, 'an answer-level silence is not the address');
    assert.equal(await new SilentPeers(config({ SMOKE_RUN_STARTED: '1790000000001' })).seen('console.otech64.omani.works', 443), undefined);
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
