/**
 * The edge variants' decisions (issue 14, issue 12's token source) on objects shaped as openova and the
 * clouds write them: the provider from regionsJson, node providerIDs and cloud-credentials keys; a
 * load-balancer service named by port and purpose, with a DNS service never blamed on envoy; the
 * Hetzner token preferred from HCLOUD_TOKEN over the cluster Secret.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../clients/config.js';
import { Hcloud, type KubeForHcloud } from '../clients/hcloud.js';
import { describePair, servicePurpose, unhealthyCause, type UnhealthyPair } from '../decisions/lb-services.js';
import { detectProvider, providerFromCredentialKeys, providerFromProviderIds, providersFromRegionsJson } from '../decisions/provider.js';
import type { Network } from '../clients/net.js';

const pair = (listenPort: number, destinationPort = listenPort): UnhealthyPair => ({ target: 'catalyst-x-cp1 (server 1, role control-plane)', listenPort, destinationPort, status: 'unhealthy' });

void describe('provider detection', () => {
  void it('regionsJson names the provider of each region', () => {
    assert.deepEqual(providersFromRegionsJson('[{"key":"fsn1","provider":"hetzner"}]'), ['hetzner']);
    assert.deepEqual(providersFromRegionsJson('[{"key":"me-east-215","provider":"Huawei"},{"key":"me-east-215-b","provider":"huawei"}]'), ['huawei']);
    assert.deepEqual(providersFromRegionsJson('not json'), []);
    assert.deepEqual(providersFromRegionsJson(undefined), []);
  });

  void it('node providerIDs: hcloud:// is Hetzner (hcloud-ccm); k3s:// and empty name no cloud', () => {
    assert.equal(providerFromProviderIds(['hcloud://1001', 'hcloud://1002']), 'hetzner');
    assert.equal(providerFromProviderIds(['k3s://catalyst-hw306-omani-works-cp1', '']), undefined);
    assert.equal(providerFromProviderIds([]), undefined);
  });

  void it('cloud-credentials keys: hcloud-token is Hetzner, huawei-* is Huawei', () => {
    assert.equal(providerFromCredentialKeys(['hcloud-token']), 'hetzner');
    assert.equal(providerFromCredentialKeys(['huawei-access-key', 'huawei-secret-key', 'huawei-project-id']), 'huawei');
    assert.equal(providerFromCredentialKeys(['other']), undefined);
  });

  void it('SMOKE_PROVIDER wins; no cluster and no setting assumes Hetzner and says so', async () => {
    assert.deepEqual(await detectProvider(undefined, { provider: 'huawei', catalystNamespace: 'catalyst-system' }), { provider: 'huawei', evidence: ['SMOKE_PROVIDER=huawei'], assumed: false });
    const v = await detectProvider(undefined, { provider: undefined, catalystNamespace: 'catalyst-system' });
    assert.equal(v.provider, 'hetzner');
    assert.equal(v.assumed, true);
  });
});

void describe('load-balancer services by port and purpose', () => {
  void it('names each service by its purpose (infra/hetzner/main.tf: http, https, dns)', () => {
    assert.match(servicePurpose(443), /HTTPS.*cilium-envoy/);
    assert.match(servicePurpose(80), /HTTP.*cilium-envoy/);
    assert.match(servicePurpose(53), /DNS.*PowerDNS/);
    assert.match(describePair(pair(53, 30053)), /port 53 \(→ 30053; DNS \(TCP\): PowerDNS/);
  });

  void it('an unhealthy :53 alone is PowerDNS, never envoy; any 80/443 is envoy\'s', () => {
    assert.equal(unhealthyCause([pair(53, 30053)]), 'lb-dns-unhealthy');
    assert.equal(unhealthyCause([pair(53), pair(443, 30443)]), 'lb-targets-unhealthy');
    assert.equal(unhealthyCause([pair(80, 30080)]), 'lb-targets-unhealthy');
    assert.equal(unhealthyCause([pair(8443)]), 'lb-service-unhealthy');
  });
});

void describe('Hetzner token source', () => {
  const net = { request: () => Promise.reject(new Error('no network in this test')) } as unknown as Pick<Network, 'request'>;
  const cfg = (env: Record<string, string>) => {
    const r = loadConfig({ SOVEREIGN_FQDN: 'otech64.omani.works', ...env });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.config;
  };
  const kube = (secret: Record<string, string> | undefined | Error): KubeForHcloud & { reads: number } => {
    const k = {
      reads: 0,
      reachable: () => Promise.resolve({ ok: true } as const),
      readSecret: () => {
        k.reads++;
        return secret instanceof Error ? Promise.reject(secret) : Promise.resolve(secret);
      },
    };
    return k;
  };

  void it('an operator-supplied HCLOUD_TOKEN is used, and the Secret is not read at all', async () => {
    const k = kube({ 'hcloud-token': 'rw-token-from-the-cluster' });
    const h = new Hcloud(cfg({ HCLOUD_TOKEN: 'ro-token-of-the-operator' }), k, net);
    assert.equal(await h.tokenSource(), 'HCLOUD_TOKEN (operator-supplied)');
    assert.equal(k.reads, 0, 'least privilege: no Secret read');
  });

  void it('without it, the Secret is the source, named as the read-write token', async () => {
    const h = new Hcloud(cfg({}), kube({ 'hcloud-token': 'rw-token-from-the-cluster' }), net);
    assert.match((await h.tokenSource()) ?? '', /^Secret flux-system\/cloud-credentials key hcloud-token \(the project's read-write token; a read-only HCLOUD_TOKEN is enough/);
  });

  void it('without either, the reason names the fix: a read-only HCLOUD_TOKEN', async () => {
    for (const secret of [undefined, new Error('403 forbidden'), { 'huawei-access-key': 'x' }]) {
      const t = await new Hcloud(cfg({}), kube(secret), net).token();
      assert.equal(t.ok, false);
      if (!t.ok) {
        assert.equal(t.causeId, 'hcloud-token-missing');
        assert.match(t.message, /set HCLOUD_TOKEN to a read-only API token/);
      }
    }
  });
});
