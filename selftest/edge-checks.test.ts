/**
 * Unit tests of the edge fixtures against the fakes: the TLS probe (verdicts and codes, bounded
 * handshake), the Hetzner client (pagination, 429 waiting, 401), and the certificate judgement.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type SovereignConfig } from '../fixtures/config.js';
import { certificateProblems, hostMatches, servingListener, unhealthyTargets } from '../fixtures/edge-checks.js';
import { Hcloud, type HcloudLoadBalancer, type HcloudServer } from '../fixtures/hcloud.js';
import { Network } from '../fixtures/net.js';
import { probeTls } from '../fixtures/tls.js';
import { parseLabelSelector, matchesSelector } from '../sim/label-selector.js';
import { startSim, type SimHandle } from '../sim/index.js';

function configOf(sim: SimHandle, extra: Record<string, string> = {}): SovereignConfig {
  const r = loadConfig({ ...sim.env, SMOKE_TIMEOUT: '2s', SMOKE_AWAIT: '10s', ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

/** The Hetzner client as the fixtures build it: through the suite's network layer, no cluster. */
function hcloudClient(config: SovereignConfig): Hcloud {
  return new Hcloud(config, undefined, new Network(config));
}

void describe('tls probe', () => {
  const sims: SimHandle[] = [];
  const start = async (scenario: string): Promise<SimHandle> => {
    const s = await startSim({ scenario });
    sims.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(sims.map((s) => s.stop()));
  });

  void it('healthy: TLS 1.3, http/1.1, leaf + intermediate + root, verified', async () => {
    const sim = await start('healthy');
    const cfg = configOf(sim);
    const r = await probeTls(cfg, `console.${sim.fqdn}`);
    assert.equal(r.verify.ok, true, r.verify.reason);
    assert.equal(r.protocol, 'TLSv1.3');
    assert.equal(r.alpn, 'http/1.1');
    assert.equal(r.target.viaConnectTo, true);
    assert.deepEqual(r.chain[0]?.sans, [`*.${sim.fqdn}`, sim.fqdn]);
    assert.ok(r.chain.length >= 2);
    assert.deepEqual(certificateProblems(r, cfg), []);
    const [leaf, ...cas] = r.chain;
    assert.ok(leaf);
    const stagingName = { ...r, chain: [{ ...leaf, subject: 'CN=*.otech64.staging.omani.works', subjectCN: '*.otech64.staging.omani.works' }, ...cas] };
    assert.deepEqual(certificateProblems(stagingName, cfg), [], 'a "staging" label in the FQDN is not a staging issuer');
  });

  void it('expired: verdict CERT_HAS_EXPIRED and one tls-expiring problem', async () => {
    const sim = await start('cert-expired');
    const cfg = configOf(sim);
    const r = await probeTls(cfg, `console.${sim.fqdn}`);
    assert.equal(r.verify.code, 'CERT_HAS_EXPIRED');
    assert.deepEqual(certificateProblems(r, cfg).map((p) => p.cause), ['tls-expiring']);
  });

  void it('staging: untrusted chain to (STAGING); allowed with allowStagingCert', async () => {
    const sim = await start('cert-staging');
    const cfg = configOf(sim);
    const r = await probeTls(cfg, `console.${sim.fqdn}`);
    assert.equal(r.verify.ok, false);
    assert.deepEqual(certificateProblems(r, cfg).map((p) => p.cause), ['tls-staging-issuer']);
    // Allowed, the chain must still verify against the shipped staging roots (issue 14): the sim's
    // "(STAGING) Pretend Pear X1" has another key than Let's Encrypt's, so it stays a staging finding.
    const allowed = certificateProblems(r, { ...cfg, allowStagingCert: true });
    assert.deepEqual(allowed.map((p) => p.cause), ['tls-staging-issuer']);
    assert.match(allowed[0]?.text ?? '', /does not verify against the shipped root of that name/);
    assert.deepEqual(certificateProblems({ ...r, verify: { ...r.verify, ok: true, chainCode: undefined, code: undefined } }, { ...cfg, allowStagingCert: true }), [], 'a staging chain that verifies is fine when allowed');
  });

  void it('leaf-only: incomplete chain; wrong-name: mismatch with the SANs seen', async () => {
    const leafOnly = await start('cert-leaf-only');
    const r1 = await probeTls(configOf(leafOnly), `console.${leafOnly.fqdn}`);
    const p1 = certificateProblems(r1, configOf(leafOnly));
    assert.equal(r1.verify.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(p1[0]?.text ?? '', /incomplete chain/);
    const wrong = await start('cert-wrong-name');
    const r2 = await probeTls(configOf(wrong), `console.${wrong.fqdn}`);
    const p2 = certificateProblems(r2, configOf(wrong));
    assert.deepEqual(p2.map((p) => p.cause), ['tls-name-mismatch']);
    assert.match(p2[0]?.text ?? '', /old-sim\.sovereign\.test/);
  });

  void it('hang: TIMEOUT within SMOKE_TIMEOUT + 1 s; reset: CONNECT_RESET', async () => {
    const hang = await start('console-hang');
    const t = Date.now();
    await assert.rejects(probeTls(configOf(hang), `console.${hang.fqdn}`), (e: Error & { code?: string }) => e.code === 'TIMEOUT' && /no TLS handshake within 2000ms/.test(e.message));
    assert.ok(Date.now() - t < 3000, `took ${Date.now() - t}ms`);
    const reset = await start('lb-no-targets');
    await assert.rejects(probeTls(configOf(reset), `console.${reset.fqdn}`), (e: Error & { code?: string }) => e.code === 'CONNECT_RESET');
  });
});

void describe('hcloud client', () => {
  let sim: SimHandle;
  before(async () => {
    sim = await startSim({ scenario: 'healthy' });
  });
  after(async () => {
    await sim.stop();
  });

  void it('paginates (per_page 50 over 120 servers) and filters by label selector', async () => {
    const w = sim.context.world;
    const base = w.hcloud.servers[1];
    assert.ok(base);
    for (let i = 0; i < 118; i++) w.hcloud.servers.push({ ...base, id: 5000 + i, name: `other-${i}`, labels: { 'catalyst.openova.io/sovereign': 'other.test' } });
    const client = hcloudClient(configOf(sim, { HCLOUD_TOKEN: w.hcloud.token }));
    const all = await client.list<HcloudServer>('servers');
    assert.equal(all.length, 120);
    const mine = await client.list<HcloudServer>('servers', { label_selector: `catalyst.openova.io/sovereign=${sim.fqdn},catalyst.openova.io/role=control-plane` });
    assert.deepEqual(mine.map((s) => s.name), ['catalyst-sim-sovereign-test-cp1']);
    assert.ok(sim.context.requests.filter((q) => q.server === 'hcloud' && q.path.includes('page=3')).length === 1);
    w.hcloud.servers.splice(2);
  });

  void it('waits out 429s within the deadline (RateLimit-Reset), then answers', async () => {
    const w = sim.context.world;
    w.hcloud.rateLimitedRequests = 2;
    const client = hcloudClient(configOf(sim, { HCLOUD_TOKEN: w.hcloud.token }));
    const lbs = await client.list<HcloudLoadBalancer>('load_balancers');
    assert.equal(lbs.length, 1);
    assert.equal(w.hcloud.rateLimitedRequests, 0);
  });

  void it('429 until the deadline: HCLOUD_RATE_LIMITED with cause hcloud-rate-limited', async () => {
    const w = sim.context.world;
    w.hcloud.rateLimitedRequests = 1000;
    const client = hcloudClient(configOf(sim, { HCLOUD_TOKEN: w.hcloud.token, SMOKE_AWAIT: '0', SMOKE_TIMEOUT: '1500ms' }));
    await assert.rejects(client.list('load_balancers'), (e: Error & { code?: string; causeId?: string }) => e.code === 'HCLOUD_RATE_LIMITED' && e.causeId === 'hcloud-rate-limited');
    w.hcloud.rateLimitedRequests = 0;
  });

  void it('401: HCLOUD_UNAUTHORIZED with cause hcloud-token-rejected, token not in the message', async () => {
    const bad = 'z'.repeat(64);
    const client = hcloudClient(configOf(sim, { HCLOUD_TOKEN: bad }));
    await assert.rejects(client.list('load_balancers'), (e: Error & { code?: string; causeId?: string }) => e.code === 'HCLOUD_UNAUTHORIZED' && e.causeId === 'hcloud-token-rejected' && !e.message.includes(bad));
  });

  void it('get by id; 404 is undefined', async () => {
    const client = hcloudClient(configOf(sim, { HCLOUD_TOKEN: sim.context.world.hcloud.token }));
    assert.equal((await client.get<HcloudServer>('servers', 1001))?.name, 'catalyst-sim-sovereign-test-cp1');
    assert.equal(await client.get('servers', 9), undefined);
  });
});

void describe('pure helpers', () => {
  void it('label selectors: =, !=, exists, !exists, in, notin', () => {
    const l = { a: '1', b: '2' };
    const m = (s: string): boolean => matchesSelector(l, parseLabelSelector(s) ?? assert.fail(`parse ${s}`));
    assert.ok(m('a=1,b'));
    assert.ok(m('a!=2,!c'));
    assert.ok(m('b in (1,2),a notin (3)'));
    assert.ok(!m('a=1,c'));
    assert.equal(parseLabelSelector('a=1,,b'), undefined);
  });

  void it('unhealthyTargets lists each target and port; Gateway hostnames match wildcards', () => {
    const lb = {
      services: [{ protocol: 'tcp', listen_port: 443, destination_port: 30443 }, { protocol: 'tcp', listen_port: 80, destination_port: 30080 }],
      targets: [{ type: 'server', server: { id: 1 }, health_status: [{ listen_port: 443, status: 'unhealthy' }] }],
    } as unknown as HcloudLoadBalancer;
    assert.deepEqual(unhealthyTargets(lb, () => 'cp1'), ['cp1 port 443 (→ 30443): unhealthy', 'cp1 port 80 (→ 30080): no health status reported']);
    assert.ok(hostMatches('*.x.test', 'console.x.test'));
    assert.ok(!hostMatches('*.x.test', 'x.test'));
  });

  void it('the listener serving console.<fqdn> is the most specific match, wherever it is listed', () => {
    const l = (name: string, hostname?: string, protocol = 'HTTPS'): { name: string; hostname?: string; protocol: string } => ({ name, protocol, ...(hostname ? { hostname } : {}) });
    // A shared parent zone: the parent's wildcard comes first (sovereign-tls cilium-gateway.yaml).
    const shared = [l('http', undefined, 'HTTP'), l('https-parent', '*.omani.works'), l('https-sovereign', '*.otech64.omani.works')];
    assert.equal(servingListener(shared, 'console.otech64.omani.works')?.name, 'https-sovereign');
    assert.equal(servingListener([...shared, l('https-console', 'console.otech64.omani.works')], 'console.otech64.omani.works')?.name, 'https-console');
    assert.equal(servingListener([l('any'), l('https-parent', '*.omani.works')], 'console.otech64.omani.works')?.name, 'https-parent');
    assert.equal(servingListener([l('other', '*.example.test')], 'console.otech64.omani.works'), undefined);
  });
});
