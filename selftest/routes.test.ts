/**
 * routes.reachable's decisions (issue 16), on objects shaped as the Gateway API and the EndpointSlice
 * controller write them: which routes attach to the gateway, which hosts they name, when an endpoint
 * is ready, which status passes, and which cause leads when several hosts fail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachesTo, leadingCause, publicHosts, readyEndpoints, statusPasses } from '../decisions/routes-checks.js';
import type { KubeObject } from '../clients/kube.js';

const GW = { namespace: 'kube-system', name: 'cilium-gateway' };
const route = (ns: string, name: string, spec: Record<string, unknown>): KubeObject & { spec: Record<string, unknown> } => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: ns }, spec });

void describe('routes.reachable decisions', () => {
  void it('a route attaches when a parentRef names the gateway (kind, group and namespace defaulted as the API does)', () => {
    assert.equal(attachesTo(route('gitea', 'gitea', { parentRefs: [{ name: 'cilium-gateway', namespace: 'kube-system' }] }), GW), true);
    assert.equal(attachesTo(route('kube-system', 'x', { parentRefs: [{ name: 'cilium-gateway' }] }), GW), true, 'namespace defaults to the route\'s');
    assert.equal(attachesTo(route('gitea', 'x', { parentRefs: [{ name: 'cilium-gateway' }] }), GW), false, 'same name in another namespace');
    assert.equal(attachesTo(route('gitea', 'x', { parentRefs: [{ name: 'cilium-gateway-console', namespace: 'kube-system' }] }), GW), false, 'another gateway (#4053 console gateway)');
    assert.equal(attachesTo(route('gitea', 'x', { parentRefs: [{ kind: 'Service', group: '', name: 'cilium-gateway', namespace: 'kube-system' }] }), GW), false, 'a mesh parentRef (Service) is not the Gateway');
  });

  void it('hosts: every hostname of an attached route, wildcards left out, backends per host (console: catalyst-api and catalyst-ui)', () => {
    const hosts = publicHosts(
      [
        route('catalyst-system', 'catalyst-ui', {
          parentRefs: [{ name: 'cilium-gateway', namespace: 'kube-system' }],
          hostnames: ['console.otech64.omani.works'],
          rules: [
            { matches: [{ path: { type: 'Exact', value: '/auth/handover' } }], backendRefs: [{ name: 'catalyst-api', port: 8080 }] },
            { backendRefs: [{ name: 'catalyst-ui', port: 80 }] },
          ],
        }),
        route('gitea', 'gitea', { parentRefs: [{ name: 'cilium-gateway', namespace: 'kube-system' }], hostnames: ['Gitea.otech64.omani.works'], rules: [{ backendRefs: [{ name: 'gitea-gitea-http', port: 3000 }] }] }),
        route('x', 'wild', { parentRefs: [{ name: 'cilium-gateway', namespace: 'kube-system' }], hostnames: ['*.otech64.omani.works'] }),
        route('y', 'other', { parentRefs: [{ name: 'elsewhere', namespace: 'kube-system' }], hostnames: ['other.otech64.omani.works'] }),
      ],
      GW,
    );
    assert.deepEqual(hosts.map((h) => h.host), ['console.otech64.omani.works', 'gitea.otech64.omani.works']);
    assert.deepEqual(hosts[0]?.backends.map((b) => `${b.namespace}/${b.name}:${b.port}`), ['catalyst-system/catalyst-api:8080', 'catalyst-system/catalyst-ui:80']);
  });

  void it('an endpoint is ready unless conditions.ready is false (nil means ready)', () => {
    const slice = (endpoints: unknown): KubeObject => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's', namespace: 'n' }, endpoints });
    assert.equal(readyEndpoints([slice([{ addresses: ['10.42.0.5'], conditions: { ready: true } }, { addresses: ['10.42.0.6'], conditions: { ready: false } }])]), 1);
    assert.equal(readyEndpoints([slice([{ addresses: ['10.42.0.5'], conditions: {} }])]), 1);
    assert.equal(readyEndpoints([slice(null), slice([{ addresses: ['10.42.0.7'], conditions: { ready: false, serving: true, terminating: true } }])]), 0);
    assert.equal(readyEndpoints([]), 0, 'no slice: no endpoint');
  });

  void it('statuses: sovereign-dod-verify.sh L5 accepts 200/30x/401/403/404; the contract passes every non-5xx', () => {
    for (const s of [200, 301, 302, 303, 307, 308, 401, 403, 404, 400, 429]) assert.equal(statusPasses(s), true, String(s));
    for (const s of [500, 502, 503, 504]) assert.equal(statusPasses(s), false, String(s));
  });

  void it('the most specific cause leads: a certificate, then a dead backend, then the network', () => {
    assert.equal(leadingCause([{ host: 'a', ok: false, cause: 'route-unreachable', text: '' }, { host: 'b', ok: false, cause: 'route-backend-down', text: '' }]), 'route-backend-down');
    assert.equal(leadingCause([{ host: 'a', ok: false, cause: 'console-unreachable', text: '' }, { host: 'b', ok: false, cause: 'tls-name-mismatch', text: '' }]), 'tls-name-mismatch');
    assert.equal(leadingCause([{ host: 'a', ok: true, text: '' }]), undefined);
  });
});
