/**
 * Unit tests of the edge fixtures against the fakes: the TLS probe (verdicts and codes, bounded
 * handshake), the Hetzner client (pagination, 429 waiting, 401), and the certificate judgement.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { certificatePhase, type CertificateObjects } from '../decisions/certificate-state.js';
import { dnsVerdict, handshakeVerdict, targetHealth, unhealthyGraceMs, type EdgeStateView, type LbView } from '../decisions/converging.js';
import type { KubeObject } from '../clients/kube.js';
import { judgeSim } from './judge.js';
import { loadConfig, type SovereignConfig } from '../clients/config.js';
import { certificateProblems } from '../decisions/tls-certificate.js';
import { hostMatches, listenerSecrets, servingListener, servingSecret } from '../decisions/gateway-listener.js';
import { Hcloud, type HcloudLoadBalancer, type HcloudServer } from '../clients/hcloud.js';
import { Network } from '../clients/net.js';
import { probeTls } from '../clients/tls.js';
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

  void it('targetHealth judges each target on each service port; Gateway hostnames match wildcards', () => {
    const lb: LbView = {
      name: 'load_balancer lb',
      services: [{ listen_port: 443, destination_port: 30443 }, { listen_port: 80, destination_port: 30080 }],
      targets: [{ text: 'cp1', health_status: [{ listen_port: 443, status: 'unhealthy' }] }],
    };
    const health = targetHealth(lb, { now: Date.now(), runStartedAt: Date.now(), consoleWorks: true });
    assert.deepEqual(health.map((h) => `${h.target} port ${h.port} (→ ${h.destination}): ${h.status} ${h.verdict}`), ['cp1 port 443 (→ 30443): unhealthy terminal', 'cp1 port 80 (→ 30080): unknown converging']);
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

  void it('the gateway Secret is the serving listener\'s first Secret reference, in the Gateway\'s namespace unless it names another', () => {
    const tls = (...refs: { name: string; namespace?: string; kind?: string; group?: string }[]): { tls: { certificateRefs: typeof refs } } => ({ tls: { certificateRefs: refs } });
    const listeners = [
      { name: 'https-parent', protocol: 'HTTPS', hostname: '*.omani.works', ...tls({ name: 'sovereign-wildcard-tls-omani-works' }) },
      { name: 'https', protocol: 'HTTPS', hostname: '*.otech64.omani.works', ...tls({ name: 'x', kind: 'ConfigMap' }, { name: 'sovereign-wildcard-tls-otech64-omani-works' }) },
    ];
    assert.deepEqual(servingSecret(listeners, 'console.otech64.omani.works', 'kube-system').secret, { namespace: 'kube-system', name: 'sovereign-wildcard-tls-otech64-omani-works' });
    assert.deepEqual(listenerSecrets({ ...tls({ name: 'a', namespace: 'certs' }, { name: 'b', group: 'example.io', kind: 'Secret' }) }, 'kube-system'), [{ namespace: 'certs', name: 'a' }]);
    assert.deepEqual(servingSecret(listeners, 'console.other.test', 'kube-system'), {});
  });
});

// --- converging or terminal (issue 13): the rules, fed objects as the controllers write them --------

const T0 = Date.parse('2026-12-01T12:00:00Z');
const iso = (ms: number): string => new Date(T0 + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const kobj = (kind: string, name: string, status: Record<string, unknown>, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: kind === 'Order' ? 'acme.cert-manager.io/v1' : 'cert-manager.io/v1',
  kind,
  metadata: { name, namespace: 'kube-system', uid: `${name}-uid`, ...extra },
  status,
});
const MSG = 'Issuing certificate as Secret does not exist';
/** cert-manager's Certificate while the first certificate is issued (trigger + readiness controllers). */
const issuingCert = kobj('Certificate', 'sovereign-wildcard-tls', {
  conditions: [
    { type: 'Ready', status: 'False', reason: 'DoesNotExist', message: MSG, lastTransitionTime: iso(-60_000), observedGeneration: 1 },
    { type: 'Issuing', status: 'True', reason: 'DoesNotExist', message: MSG, lastTransitionTime: iso(-60_000), observedGeneration: 1 },
  ],
  nextPrivateKeySecretName: 'sovereign-wildcard-tls-x7q2m',
});
const pendingRequest = kobj('CertificateRequest', 'sovereign-wildcard-tls-1', {
  conditions: [
    { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'Certificate request has been approved by cert-manager.io' },
    { type: 'Ready', status: 'False', reason: 'Pending', message: 'Waiting on certificate issuance from order kube-system/sovereign-wildcard-tls-1-2298134470: "pending"', lastTransitionTime: iso(-59_000) },
  ],
});
const order = (state: string): KubeObject => kobj('Order', 'sovereign-wildcard-tls-1-2298134470', { state });
const invalidRef = { name: 'https', conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }, { type: 'Programmed', status: 'False', reason: 'Invalid' }, { type: 'ResolvedRefs', status: 'False', reason: 'InvalidCertificateRef', message: 'Invalid CertificateRef' }] };
const readyCert = (since: number): KubeObject =>
  kobj('Certificate', 'sovereign-wildcard-tls', { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', lastTransitionTime: iso(since) }], revision: 1 });
const objs = (o: Partial<CertificateObjects>): CertificateObjects => ({ ref: 'kube-system/sovereign-wildcard-tls', certificate: undefined, secretRef: 'kube-system/sovereign-wildcard-tls', ...o });

void describe('certificate issuance phase (cert-manager conditions)', () => {
  void it('Ready=False DoesNotExist with Issuing=True, request Pending, Order pending, no Secret, listener InvalidCertificateRef: issuing, since the Issuing transition, naming every object', () => {
    const s = certificatePhase(objs({ certificate: issuingCert, request: pendingRequest, order: order('pending'), secretHasCert: false, listener: invalidRef }));
    assert.equal(s.phase, 'issuing');
    assert.equal(s.since, iso(-60_000));
    for (const part of ['Certificate kube-system/sovereign-wildcard-tls', 'Ready=False DoesNotExist', 'Issuing=True', 'CertificateRequest sovereign-wildcard-tls-1 Ready=False Pending', 'Order sovereign-wildcard-tls-1-2298134470 state pending', 'Secret kube-system/sovereign-wildcard-tls not written yet', 'ResolvedRefs=False InvalidCertificateRef']) {
      assert.ok(s.text.includes(part), `${part} in ${s.text}`);
    }
  });
  void it('no conditions yet (not reconciled), InProgress/Renewing while issuing, an Order still processing: issuing', () => {
    assert.equal(certificatePhase(objs({ certificate: kobj('Certificate', 'c', {}) })).phase, 'issuing');
    for (const reason of ['InProgress', 'Renewing', 'MissingData']) {
      assert.equal(certificatePhase(objs({ certificate: kobj('Certificate', 'c', { conditions: [{ type: 'Ready', status: 'False', reason }, { type: 'Issuing', status: 'True', reason }] }) })).phase, 'issuing', reason);
    }
    assert.equal(certificatePhase(objs({ certificate: issuingCert, request: pendingRequest, order: order('processing') })).phase, 'issuing');
    // A retry after an earlier failure is issuing again (Issuing=True), even with lastFailureTime set.
    const retry = structuredClone(issuingCert);
    (retry['status'] as Record<string, unknown>)['lastFailureTime'] = iso(-4_000_000);
    assert.equal(certificatePhase(objs({ certificate: retry })).phase, 'issuing');
  });
  void it('Ready=True with its Secret: issued, since the Ready transition; Ready=True with the Secret gone: issuing again', () => {
    const s = certificatePhase(objs({ certificate: readyCert(-30_000), secretHasCert: true }));
    assert.equal(s.phase, 'issued');
    assert.equal(s.readySince, iso(-30_000));
    assert.equal(certificatePhase(objs({ certificate: readyCert(-30_000), secretHasCert: undefined })).phase, 'issued', 'Secret not readable: the conditions decide');
    assert.equal(certificatePhase(objs({ certificate: readyCert(-30_000), secretHasCert: false })).phase, 'issuing');
  });
  void it('Issuing=False Failed (cert-expired), a failed or denied request, an invalid Order, a backoff after failure: failed', () => {
    const failedCert = kobj('Certificate', 'c', {
      conditions: [
        { type: 'Ready', status: 'False', reason: 'Expired', message: 'Certificate expired' },
        { type: 'Issuing', status: 'False', reason: 'Failed', message: 'The certificate request has failed to complete and will be retried: order is in "invalid" state', lastTransitionTime: iso(-1000) },
      ],
      lastFailureTime: iso(-1000),
      failedIssuanceAttempts: 6,
    });
    assert.equal(certificatePhase(objs({ certificate: failedCert })).phase, 'failed');
    const failedReq = kobj('CertificateRequest', 'c-1', { conditions: [{ type: 'Ready', status: 'False', reason: 'Failed', message: 'Failed to wait for order resource to become ready' }] });
    assert.equal(certificatePhase(objs({ certificate: issuingCert, request: failedReq })).phase, 'failed');
    const deniedReq = kobj('CertificateRequest', 'c-1', { conditions: [{ type: 'Denied', status: 'True', reason: 'policy.cert-manager.io', message: 'no policy approved this request' }] });
    assert.equal(certificatePhase(objs({ certificate: issuingCert, request: deniedReq })).phase, 'failed');
    assert.equal(certificatePhase(objs({ certificate: issuingCert, request: pendingRequest, order: order('invalid') })).phase, 'failed');
    assert.equal(certificatePhase(objs({ certificate: issuingCert, request: pendingRequest, order: order('errored') })).phase, 'failed');
    const backoff = kobj('Certificate', 'c', { conditions: [{ type: 'Ready', status: 'False', reason: 'DoesNotExist', message: MSG }], lastFailureTime: iso(-600_000) });
    assert.equal(certificatePhase(objs({ certificate: backoff })).phase, 'failed');
  });
  void it('no Certificate for the listener\'s Secret (sovereign-tls not applied yet): absent', () => {
    assert.equal(certificatePhase(objs({ certificate: undefined, secretHasCert: false })).phase, 'absent');
  });
});

/** Hetzner load balancer as the API returns it (services with their health_check, targets with health_status). */
const lbOf = (status: string | string[], created = '2026-05-03T09:12:44+00:00', hc = { interval: 15, timeout: 10, retries: 3 }): LbView => {
  const statuses = Array.isArray(status) ? status : [status, status];
  return {
    name: 'load_balancer catalyst-sim-lb (id 301, 203.0.113.10)',
    services: [{ listen_port: 443, destination_port: 30443, health_check: hc }],
    targets: statuses.map((s, i) => ({ text: `catalyst-sim-${i ? 'w1' : 'cp1'}`, created, health_status: [{ listen_port: 443, status: s }] })),
  };
};

void describe('load balancer target health (Hetzner health_status)', () => {
  const opts = (consoleWorks: boolean | undefined, waited = 0) => ({ now: T0 + waited, runStartedAt: T0, consoleWorks });
  void it('unknown (no probe yet) and a missing status are converging; healthy is healthy', () => {
    assert.deepEqual(targetHealth(lbOf('unknown'), opts(false)).map((h) => h.verdict), ['converging', 'converging']);
    assert.deepEqual(targetHealth(lbOf('healthy'), opts(true)).map((h) => h.verdict), ['healthy', 'healthy']);
    const noStatus = lbOf('healthy');
    delete noStatus.targets[0]?.health_status;
    assert.equal(targetHealth(noStatus, opts(true))[0]?.verdict, 'converging');
  });
  void it('unhealthy on an established server while the console works: terminal at once (envoy down on one node)', () => {
    assert.deepEqual(targetHealth(lbOf(['healthy', 'unhealthy']), opts(true)).map((h) => h.verdict), ['healthy', 'terminal']);
  });
  void it('unhealthy on a server created minutes ago: converging (still provisioning)', () => {
    assert.equal(targetHealth(lbOf('unhealthy', new Date(T0 - 8 * 60_000).toISOString()), opts(true))[0]?.verdict, 'converging');
  });
  void it('unhealthy while the console fails: converging for retries × interval + timeout (55 s by default), terminal after', () => {
    assert.equal(unhealthyGraceMs({ interval: 15, timeout: 10, retries: 3 }), 55_000);
    assert.equal(unhealthyGraceMs(undefined), 55_000);
    assert.equal(unhealthyGraceMs({ interval: 5, timeout: 3, retries: 2 }), 13_000);
    assert.equal(targetHealth(lbOf('unhealthy'), opts(false, 10_000))[0]?.verdict, 'converging');
    assert.equal(targetHealth(lbOf('unhealthy'), opts(false, 56_000))[0]?.verdict, 'terminal');
  });
});

void describe('a failed TLS handshake: converging or terminal, from the Sovereign\'s state', () => {
  const reset = { code: 'CONNECT_RESET', message: 'TLS console.x:443: read ECONNRESET' };
  const issuing = certificatePhase(objs({ certificate: issuingCert, request: pendingRequest, order: order('pending'), secretHasCert: false, listener: invalidRef }));
  const issuedLongAgo = certificatePhase(objs({ certificate: readyCert(-3_600_000), secretHasCert: true }));
  const state = (o: Partial<EdgeStateView>): EdgeStateView => ({ now: T0, runStartedAt: T0 - 5000, ...o });

  void it('a reset while the Certificate is being issued is converging, naming the Certificate and since when', () => {
    const v = handshakeVerdict(reset, state({ lbs: [lbOf('healthy')], cert: issuing }));
    assert.equal(v.kind, 'converging');
    assert.equal(v.cause, 'cert-not-issued');
    assert.ok(v.kind === 'converging' && v.since === iso(-60_000));
    assert.match(v.text, /Certificate kube-system\/sovereign-wildcard-tls/);
  });
  void it('a reset with the Certificate Ready and a load balancer without targets is terminal and names the load balancer', () => {
    const v = handshakeVerdict(reset, state({ lbs: [{ ...lbOf('healthy'), targets: [] }], cert: issuedLongAgo }));
    assert.deepEqual([v.kind, v.cause], ['terminal', 'lb-no-targets']);
    assert.match(v.text, /load_balancer catalyst-sim-lb \(id 301/);
  });
  void it('a served certificate that fails verification is not classified here: terminal console-unreachable (tls.certificate names it)', () => {
    const v = handshakeVerdict({ code: 'TLS_UNTRUSTED', message: 'ERR_TLS_CERT_ALTNAME_INVALID' }, state({ lbs: [lbOf('healthy')], cert: issuedLongAgo }));
    assert.deepEqual([v.kind, v.cause], ['terminal', 'console-unreachable']);
  });
  void it('a silent console (timeout) is terminal whatever the state', () => {
    assert.deepEqual(Object.values(handshakeVerdict({ code: 'TIMEOUT', message: 'no TLS' }, state({ cert: issuing }))).slice(0, 2), ['terminal', 'console-unresponsive']);
  });
  void it('a stale DNS record and a failed issuance are terminal', () => {
    assert.equal(handshakeVerdict(reset, state({ lbs: [lbOf('healthy')], foreignAddress: '49.12.16.160 (DNS answer)', cert: issuing })).cause, 'dns-not-lb');
    const failed = certificatePhase(objs({ certificate: issuingCert, request: pendingRequest, order: order('invalid') }));
    assert.deepEqual(Object.values(handshakeVerdict(reset, state({ lbs: [lbOf('healthy')], cert: failed }))).slice(0, 2), ['terminal', 'cert-issuance-failed']);
  });
  void it('targets not yet probed are converging (lb-health-unknown); unhealthy past Hetzner\'s recovery time is terminal', () => {
    assert.deepEqual(Object.values(handshakeVerdict(reset, state({ lbs: [lbOf('unknown')], cert: issuedLongAgo }))).slice(0, 2), ['converging', 'lb-health-unknown']);
    assert.deepEqual(Object.values(handshakeVerdict(reset, state({ lbs: [lbOf('unhealthy')], cert: issuedLongAgo }))).slice(0, 2), ['converging', 'lb-targets-unhealthy']);
    assert.deepEqual(Object.values(handshakeVerdict(reset, state({ lbs: [lbOf('unhealthy')], cert: issuedLongAgo, now: T0 + 60_000 }))).slice(0, 2), ['terminal', 'lb-targets-unhealthy']);
  });
  void it('the Certificate Ready a minute ago: converging while cilium-envoy is restarted to load it; an hour ago: terminal envoy-no-listener', () => {
    const justIssued = certificatePhase(objs({ certificate: readyCert(-60_000), secretHasCert: true }));
    assert.deepEqual(Object.values(handshakeVerdict(reset, state({ lbs: [lbOf('healthy')], cert: justIssued }))).slice(0, 2), ['converging', 'envoy-no-listener']);
    assert.deepEqual(Object.values(handshakeVerdict(reset, state({ lbs: [lbOf('healthy')], cert: issuedLongAgo }))).slice(0, 2), ['terminal', 'envoy-no-listener']);
  });
  void it('without the cluster (no kubeconfig) and a healthy load balancer: converging, the Certificate being the layer that cannot be seen', () => {
    const v = handshakeVerdict(reset, state({ lbs: [lbOf('healthy')], cert: undefined }));
    assert.deepEqual([v.kind, v.cause], ['converging', 'console-unreachable']);
    assert.match(v.text, /could not be read/);
  });
});

void describe('console.<fqdn> DNS answer', () => {
  void it('no answer yet (NXDOMAIN, no A record) is converging; a foreign address is terminal; the load balancer is fine', () => {
    assert.deepEqual(Object.values(dnsVerdict({ addresses: [], errorCode: 'ENOTFOUND' }, ['203.0.113.10']) ?? {}).slice(0, 2), ['converging', 'dns-not-propagated']);
    assert.deepEqual(Object.values(dnsVerdict({ addresses: [], errorCode: 'ENODATA' }, ['203.0.113.10']) ?? {}).slice(0, 2), ['converging', 'dns-not-propagated']);
    assert.deepEqual(Object.values(dnsVerdict({ addresses: ['49.12.16.160'] }, ['203.0.113.10']) ?? {}).slice(0, 2), ['terminal', 'dns-not-lb']);
    assert.equal(dnsVerdict({ addresses: ['203.0.113.10'] }, ['203.0.113.10']), undefined);
  });
});

void describe('provisioning timeline against the simulator', () => {
  void it('every edge check and catalyst-api.available that waited turns green within 3 s of the last layer (T), whatever it waited for', { timeout: 240_000 }, async () => {
    const sim = await startSim({ scenario: 'provisioning-timeline' });
    try {
      // Edge checks first (no cluster checks ahead of them): they meet every layer before it is ready.
      // Judged in-process (selftest/judge.ts): the bound is the checks', not Playwright's.
      const { summary } = await judgeSim(sim, { SMOKE_AWAIT: '60s' }, '@edge|catalyst-api\\.available');
      const layers = sim.context.world.timeline.filter((e) => e.from === 'first-request');
      assert.ok(layers.every((e) => e.appliedAt), 'every layer became ready during the run');
      const T = Math.max(...layers.map((e) => e.appliedAt ?? 0));
      for (const c of summary.checks) {
        assert.equal(c.status, 'passed', `${c.id}: ${c.message ?? ''}`);
        const end = Date.parse(c.startedAt ?? '') + c.durationMs;
        if ((c.waitedMs ?? 0) > 0) assert.ok(end - T <= 3000, `${c.id} waited and ended ${end - T} ms after the last layer became ready`);
      }
      assert.ok(summary.checks.some((c) => (c.waitedMs ?? 0) > 0), 'some check met a layer still converging');
    } finally {
      await sim.stop();
    }
  });
});
