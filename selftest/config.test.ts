/**
 * Configuration: every bad input is reported, by variable, all at once; defaults follow the contract.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rsaKeyPair } from '../sim/keys.js';
import { loadConfig, parseDuration, formatProblems } from '../clients/config.js';

const dir = mkdtempSync(join(tmpdir(), 'smoke-config-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
// Keys re-read from PEM: a KeyObject straight from keygen can deadlock a JWK export on Node 20 (sim/keys.ts).
const rsa = rsaKeyPair();
const ec = { privateKey: createPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey) };

function problemsOf(env: Record<string, string>): Map<string, string> {
  const r = loadConfig(env, dir);
  assert.equal(r.ok, false, 'expected invalid configuration');
  return new Map(r.ok ? [] : r.problems.map((p) => [p.variable, p.problem]));
}

describe('configuration', () => {
  it('applies the contract defaults', () => {
    const r = loadConfig({ SOVEREIGN_FQDN: 'otech64.omani.works' }, dir);
    assert.ok(r.ok);
    const c = r.config;
    assert.equal(c.sovereign, 'otech64');
    assert.equal(c.consoleUrl.href, 'https://console.otech64.omani.works/');
    assert.equal(c.keycloakUrl.href, 'https://auth.otech64.omani.works/');
    assert.equal(c.hcloudEndpoint, 'https://api.hetzner.cloud/v1');
    assert.equal(c.handoverIssuer, 'https://console.openova.io');
    assert.equal(c.handoverEmail, undefined, 'the owner (orgEmail) is read from the Sovereign, not invented');
    assert.equal(c.keycloakRealm, 'sovereign');
    assert.equal(c.catalystNamespace, 'catalyst-system');
    assert.equal(c.awaitMs, 60_000);
    assert.equal(c.timeoutMs, 10_000);
    assert.equal(c.certMinDays, 14);
    assert.equal(c.allowStagingCert, false);
    assert.equal(c.handoverKey, undefined);
    assert.deepEqual(c.connectTo, []);
  });

  it('reports every problem at once, each naming its variable', () => {
    const p = problemsOf({
      SMOKE_CONSOLE_URL: 'not a url',
      SMOKE_AWAIT: 'ten minutes',
      SMOKE_TIMEOUT: '5x',
      SMOKE_CONNECT_TO: 'console.x:443:127.0.0.1',
      SMOKE_EXTRA_CA_FILE: join(dir, 'missing-ca.pem'),
      SMOKE_HANDOVER_KEY_FILE: join(dir, 'missing-key.pem'),
      KUBECONFIG: join(dir, 'missing-kubeconfig'),
      SMOKE_CERT_MIN_DAYS: 'soon',
      SMOKE_ALLOW_STAGING_CERT: 'maybe',
    });
    for (const v of ['SOVEREIGN_FQDN', 'SMOKE_CONSOLE_URL', 'SMOKE_AWAIT', 'SMOKE_TIMEOUT', 'SMOKE_CONNECT_TO', 'SMOKE_EXTRA_CA_FILE', 'SMOKE_HANDOVER_KEY_FILE', 'KUBECONFIG', 'SMOKE_CERT_MIN_DAYS', 'SMOKE_ALLOW_STAGING_CERT']) {
      assert.ok(p.has(v), `expected a problem for ${v}; got ${[...p.keys()].join(', ')}`);
    }
    assert.match(p.get('SMOKE_CONNECT_TO') ?? '', /HOST:PORT:CONNECT_HOST:CONNECT_PORT/);
  });

  it('rejects a key that is not RSA and a public JWK, accepts PKCS#1, PKCS#8 and a private JWK', () => {
    const ecFile = file('ec.pem', ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    assert.match(problemsOf({ SOVEREIGN_FQDN: 'a.b.c', SMOKE_HANDOVER_KEY_FILE: ecFile }).get('SMOKE_HANDOVER_KEY_FILE') ?? '', /RSA/);
    const pub = file('pub.jwk', JSON.stringify(rsa.publicKey.export({ format: 'jwk' })));
    assert.match(problemsOf({ SOVEREIGN_FQDN: 'a.b.c', SMOKE_HANDOVER_KEY_FILE: pub }).get('SMOKE_HANDOVER_KEY_FILE') ?? '', /public JWK/);
    const junk = file('junk.pem', 'hello');
    assert.ok(problemsOf({ SOVEREIGN_FQDN: 'a.b.c', SMOKE_HANDOVER_KEY_FILE: junk }).has('SMOKE_HANDOVER_KEY_FILE'));
    const forms: [string, string, string][] = [
      ['pkcs1', 'k1.pem', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
      ['pkcs8', 'k8.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
      ['jwk', 'k.jwk', JSON.stringify(rsa.privateKey.export({ format: 'jwk' }))],
    ];
    for (const [format, name, text] of forms) {
      const r = loadConfig({ SOVEREIGN_FQDN: 'a.b.c', SMOKE_HANDOVER_KEY_FILE: file(name, text) }, dir);
      assert.ok(r.ok, `${format} should load`);
      assert.equal(r.config.handoverKey?.format, format);
    }
    const inline = loadConfig({ SOVEREIGN_FQDN: 'a.b.c', SMOKE_HANDOVER_KEY: forms[2]?.[2] ?? '' }, dir);
    assert.ok(inline.ok && inline.config.handoverKey?.format === 'jwk');
  });

  it('never echoes key material in a problem', () => {
    const secretish = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldC1zZWNyZXQ=\n-----END PRIVATE KEY-----';
    const r = loadConfig({ SOVEREIGN_FQDN: 'a.b.c', SMOKE_HANDOVER_KEY: secretish }, dir);
    assert.ok(!r.ok);
    const msg = formatProblems(r.problems);
    assert.match(msg, /SMOKE_HANDOVER_KEY/);
    assert.ok(!msg.includes('c2VjcmV0'), msg);
  });

  it('reads strict mode and the skips it allows (SMOKE_STRICT, SMOKE_ALLOW_SKIP), off by default', () => {
    const off = loadConfig({ SOVEREIGN_FQDN: 'otech64.omani.works' }, dir);
    assert.ok(off.ok);
    assert.equal(off.config.strict, false);
    assert.deepEqual(off.config.allowSkip, []);
    const on = loadConfig({ SOVEREIGN_FQDN: 'otech64.omani.works', SMOKE_STRICT: 'TRUE', SMOKE_ALLOW_SKIP: ' handover.login ,handover.replay-rejected,' }, dir);
    assert.ok(on.ok);
    assert.equal(on.config.strict, true);
    assert.deepEqual(on.config.allowSkip, ['handover.login', 'handover.replay-rejected']);
    const bad = problemsOf({ SOVEREIGN_FQDN: 'otech64.omani.works', SMOKE_STRICT: 'maybe', SMOKE_ALLOW_SKIP: 'login' });
    assert.match(bad.get('SMOKE_STRICT') ?? '', /"maybe" is not true or false/);
    // Check ids are the registry's (checks/, above clients/): scripts/smoke.ts refuses an unknown one.
    assert.equal(bad.get('SMOKE_ALLOW_SKIP'), undefined);
  });

  it('knows kube contexts', () => {
    const kc = file('kubeconfig', 'apiVersion: v1\nkind: Config\ncontexts:\n- name: a\n  context: {cluster: a, user: a}\ncurrent-context: a\n');
    assert.ok(loadConfig({ SOVEREIGN_FQDN: 'a.b.c', KUBECONFIG: kc, SMOKE_KUBE_CONTEXT: 'a' }, dir).ok);
    assert.match(problemsOf({ SOVEREIGN_FQDN: 'a.b.c', KUBECONFIG: kc, SMOKE_KUBE_CONTEXT: 'nope' }).get('SMOKE_KUBE_CONTEXT') ?? '', /"nope" is not in .* \(contexts: a\)/);
  });

  it('parses connect-to entries and Go durations', () => {
    const r = loadConfig({ SOVEREIGN_FQDN: 'a.b.c', SMOKE_CONNECT_TO: 'console.a.b.c:443:49.12.16.160:443, auth.a.b.c:443:127.0.0.1:8443' }, dir);
    assert.ok(r.ok);
    assert.deepEqual(r.config.connectTo[1], { host: 'auth.a.b.c', port: 443, connectHost: '127.0.0.1', connectPort: 8443 });
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('90'), undefined);
    assert.equal(parseDuration('s'), undefined);
  });
});
