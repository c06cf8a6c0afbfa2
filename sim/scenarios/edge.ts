/**
 * Edge faults: the load balancer, DNS, the console certificate, the Hetzner API. Each is a real
 * failure mode; `expect.failing` lists every check of the whole suite that fails with it (the login,
 * Keycloak and /readyz go through the same load balancer and certificate).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { API_POD_TEMPLATE_HASH, catalystApiPods, certificateIssued, certificateIssuing, findObject, putObject, removeObject } from '../kube-objects.js';
import type { KubeObject, World } from '../world.js';
import type { CheckId } from '../../checks/index.js';
import type { Scenario } from './types.js';

/** Everything that goes through console.<fqdn> (handover, /readyz) besides the edge checks. */
const THROUGH_CONSOLE: CheckId[] = ['catalyst-api.available', 'handover.forged-rejected', 'handover.login', 'handover.replay-rejected', 'handover.session-required'];
/** auth.<fqdn>: same load balancer IP and the same wildcard certificate. */
const THROUGH_AUTH: CheckId[] = ['keycloak.sa-roles'];
const TLS_ALL: CheckId[] = ['tls.certificate', 'tls.handshake', 'tls.matches-cluster'];
/** Every public host the gateway routes (console, api, auth, gitea, harbor, bao) goes through the same load balancer and certificate. */
const ROUTES: CheckId[] = ['routes.reachable'];

const sorted = (ids: CheckId[]): CheckId[] => [...new Set(ids)].sort();

function lb(world: World): World['hcloud']['loadBalancers'][number] {
  const found = world.hcloud.loadBalancers[0];
  if (!found) throw new Error('healthy world has no load balancer');
  return found;
}

const serverId = (world: World, role: string): number | undefined => world.hcloud.servers.find((s) => s.labels['catalyst.openova.io/role'] === role)?.id;

/** A certificate the gateway serves that no client accepts: breaks everything behind the LB, not only tls.certificate. */
const badCert = (name: string, cert: World['gateway']['cert'], cause: Scenario['expect']['cause'], description: string, extra?: (w: World) => void): Scenario => ({
  name,
  description,
  apply: (w) => {
    w.gateway.cert = cert;
    extra?.(w);
  },
  expect: { failing: sorted(['tls.certificate', ...THROUGH_CONSOLE, ...THROUGH_AUTH, ...ROUTES]), cause },
});

export const EDGE_SCENARIOS: Scenario[] = [
  {
    name: 'lb-no-targets',
    description: 'Incident 3: tofu state was lost mid-apply, the load balancer came up with no targets, and every connection to console.<fqdn> is reset before TLS while the cluster looks healthy.',
    apply: (w) => {
      lb(w).targets = [];
      w.gateway.mode = 'reset';
    },
    expect: { failing: sorted(['lb.targets', 'lb.health', ...TLS_ALL, ...THROUGH_CONSOLE, ...THROUGH_AUTH, ...ROUTES]), cause: 'lb-no-targets' },
  },
  {
    name: 'lb-target-unhealthy',
    description: 'cilium-envoy is down on the worker: the load balancer reports that target unhealthy on 443 and 80 (the control plane still serves, so the console works).',
    apply: (w) => {
      const worker = serverId(w, 'worker');
      for (const t of lb(w).targets) {
        if (t.server?.id !== worker) continue;
        t.health_status = t.health_status.map((h) => (h.listen_port === 53 ? h : { ...h, status: 'unhealthy' }));
      }
    },
    expect: { failing: ['lb.health'], cause: 'lb-targets-unhealthy' },
  },
  {
    name: 'lb-missing-control-plane',
    description: 'Incident 3 (partial): the load balancer only has the worker as a target; the control_plane target was lost with the tofu state.',
    apply: (w) => {
      const cp = serverId(w, 'control-plane');
      lb(w).targets = lb(w).targets.filter((t) => t.server?.id !== cp);
    },
    expect: { failing: ['lb.targets'], cause: 'lb-no-control-plane' },
  },
  {
    name: 'lb-ccm-gateway',
    description:
      'A later Sovereign: console.<fqdn> points at the load balancer hcloud-ccm created for Service kube-system/cilium-gateway-cilium-gateway (<fqdn-slug>-primary-gateway), which carries hcloud-ccm\'s label, not catalyst.openova.io/sovereign; the OpenTofu load balancer is at another address. Everything passes: the console load balancer is found by address and name.',
    apply: (w) => {
      const tofu = lb(w);
      const ccm = structuredClone(tofu);
      Object.assign(ccm, {
        id: 302,
        name: `${w.fqdn.replace(/\./g, '-')}-primary-gateway`,
        labels: { 'hcloud-ccm/service-uid': '8a0f4a51-2c37-4a53-9d0e-7f3c2b1e9a10' },
        services: ccm.services.filter((s) => s.listen_port !== 53).map((s) => ({ ...s, health_check: { ...s.health_check, port: 30443 } })),
      });
      ccm.targets = ccm.targets.map((t) => ({ ...t, health_status: t.health_status.filter((h) => h.listen_port !== 53) }));
      tofu.public_net.ipv4.ip = '127.0.0.4';
      w.hcloud.loadBalancers.push(ccm);
    },
    expect: { failing: [] },
  },
  {
    name: 'dns-stale-record',
    description: 'console.<fqdn> still points at an old load balancer IP that is no longer this Sovereign\'s (the orphan 49.12.16.160): connections there are reset.',
    apply: (w) => {
      w.gateway.dnsAnswer = '127.0.0.2';
    },
    expect: { failing: sorted(['dns.console-to-lb', ...TLS_ALL, ...THROUGH_CONSOLE, ...ROUTES]), cause: 'dns-not-lb' },
  },
  {
    ...badCert('cert-expired', 'expired', 'cert-issuance-failed', 'The console certificate expired ten days ago: cert-manager could not renew it (the DNS-01 solver fails), so the Certificate is Ready=False (Expired) with Issuing=False (Failed) and waits out its backoff.', (w) => {
      const cert = findObject(w, 'Certificate', 'kube-system', 'sovereign-wildcard-tls');
      if (!cert) return;
      const now = new Date(w.bootTime);
      const iso = (days: number): string => new Date(now.getTime() + days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
      cert['status'] = {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'Expired', message: `Certificate expired on ${new Date(now.getTime() - 10 * 86_400_000).toUTCString()}`, observedGeneration: 1, lastTransitionTime: iso(-10) },
          { type: 'Issuing', status: 'False', reason: 'Failed', message: 'The certificate request has failed to complete and will be retried: Failed to wait for order resource "sovereign-wildcard-tls-1-2298134470" to become ready: order is in "invalid" state: ', observedGeneration: 1, lastTransitionTime: iso(-0.2) },
        ],
        notBefore: iso(-100),
        notAfter: iso(-10),
        renewalTime: iso(-40),
        failedIssuanceAttempts: 6,
        lastFailureTime: iso(-0.2),
        revision: 1,
      };
    }),
    expect: { failing: sorted(['gitops.ready', 'tls.certificate', ...THROUGH_CONSOLE, ...THROUGH_AUTH, ...ROUTES]), cause: 'cert-issuance-failed' },
  },
  badCert('cert-wrong-name', 'wrong-name', 'tls-name-mismatch', 'The gateway serves a certificate for another domain (*.old-sim...): the Certificate\'s dnsNames were rendered for the wrong FQDN.'),
  badCert('cert-staging', 'staging', 'tls-staging-issuer', 'The certificate comes from the Let\'s Encrypt staging issuer ((STAGING) Pretend Pear X1), which no client trusts: the Certificate points at letsencrypt-dns01-staging.', (w) => {
    const cert = findObject(w, 'Certificate', 'kube-system', 'sovereign-wildcard-tls') as { spec?: { issuerRef?: { name?: string } } } | undefined;
    if (cert?.spec?.issuerRef) cert.spec.issuerRef.name = 'letsencrypt-dns01-staging';
  }),
  ((): Scenario => {
    const s = badCert(
      'cert-staging-other-root',
      'staging-other-root',
      'tls-staging-issuer',
      'A QA Sovereign (WILDCARD_CERT_USE_STAGING: issuer letsencrypt-dns01-staging-powerdns) run with SMOKE_ALLOW_STAGING_CERT=true, but its chain goes to a staging root the suite does not ship ((STAGING) Yearning Yucca Root YE, Let\'s Encrypt\'s 2025 hierarchy): every layer refuses it alike, and every failure names the staging chain and the fix, not the network.',
      (w) => {
        const cert = findObject(w, 'Certificate', 'kube-system', 'sovereign-wildcard-tls') as { spec?: { issuerRef?: { name?: string } } } | undefined;
        if (cert?.spec?.issuerRef) cert.spec.issuerRef.name = 'letsencrypt-dns01-staging-powerdns';
      },
    );
    return { ...s, expect: { ...s.expect, env: { SMOKE_ALLOW_STAGING_CERT: 'true' } } };
  })(),
  badCert('cert-leaf-only', 'leaf-only', 'tls-untrusted', 'The gateway serves the leaf without its intermediate, so clients cannot build a chain to the root (UNABLE_TO_VERIFY_LEAF_SIGNATURE).'),
  {
    name: 'cert-expiring',
    description: 'The console certificate expires in 5 days (under SMOKE_CERT_MIN_DAYS=14): renewal is not happening, nothing is broken yet.',
    apply: (w) => {
      w.gateway.cert = 'expiring';
    },
    expect: { failing: ['tls.certificate'], cause: 'tls-expiring' },
  },
  {
    name: 'cert-stale',
    description: 'cert-manager renewed the Secret, but cilium-envoy still serves the old (still valid) certificate: it missed the update.',
    apply: (w) => {
      w.gateway.cert = 'stale';
    },
    expect: { failing: ['tls.matches-cluster'], cause: 'tls-stale-cert' },
  },
  {
    name: 'console-hang',
    description: 'The load balancer IP accepts TCP on 443 and never answers (a wedged envoy): checks through it fail within SMOKE_TIMEOUT instead of hanging.',
    apply: (w) => {
      w.gateway.mode = 'hang';
    },
    expect: { failing: sorted([...TLS_ALL, ...THROUGH_CONSOLE, ...THROUGH_AUTH, ...ROUTES]), cause: 'console-unresponsive', env: { SMOKE_TIMEOUT: '2s' } },
  },
  {
    name: 'hcloud-rate-limited',
    description: 'Another tool is using the project\'s Hetzner API budget: the first requests get 429 rate_limit_exceeded, then service resumes. The suite waits (RateLimit-Reset) and passes.',
    apply: (w) => {
      w.hcloud.rateLimitedRequests = 3;
      w.hcloud.rateLimitResetSeconds = 1;
    },
    expect: { failing: [] },
  },
  {
    name: 'hcloud-token-rejected',
    description: 'The Hetzner token in flux-system/cloud-credentials was revoked (rotated in the project, not in the cluster): the API answers 401.',
    apply: (w) => {
      // The Secret keeps the old token; the API now only accepts a new one.
      w.hcloud.token = `hc${randomBytes(31).toString('hex')}`;
    },
    expect: { failing: ['dns.console-to-lb', 'lb.health', 'lb.targets'], cause: 'hcloud-token-rejected' },
  },
  {
    name: 'lb-dns-unhealthy',
    description:
      'PowerDNS is down behind the shared load balancer: every target is unhealthy on service 53 (→ 30053, the PowerDNS NodePort with its explicit TCP health check in infra/hetzner/main.tf), while 80/443 (cilium-envoy) stay healthy and the console works. lb.health names the DNS service, not envoy.',
    apply: (w) => {
      for (const t of lb(w).targets) t.health_status = t.health_status.map((h) => (h.listen_port === 53 ? { ...h, status: 'unhealthy' } : h));
    },
    expect: { failing: ['lb.health'], cause: 'lb-dns-unhealthy' },
  },
  {
    name: 'lb-auth-separate-unhealthy',
    description:
      'console.<fqdn> and api.<fqdn> are served by the optional console load balancer (…-console-lb, label catalyst.openova.io/role=console, #4053), auth.<fqdn> by the main one, whose worker target is unhealthy on 80 and 443 (cilium-envoy down there). The console load balancer is healthy; lb.health checks the one auth.<fqdn> uses too and names it.',
    apply: (w) => {
      const main = lb(w);
      const consoleLb = structuredClone(main);
      Object.assign(consoleLb, { id: 303, name: `catalyst-${w.fqdn.replace(/\./g, '-')}-console-lb`, labels: { ...main.labels, 'catalyst.openova.io/role': 'console' } });
      consoleLb.services = consoleLb.services.filter((s) => s.listen_port !== 53);
      consoleLb.targets = consoleLb.targets.map((t) => ({ ...t, health_status: t.health_status.filter((h) => h.listen_port !== 53) }));
      main.public_net.ipv4.ip = '127.0.0.5';
      w.gateway.authAddress = '127.0.0.5';
      w.hcloud.loadBalancers.push(consoleLb);
      const worker = serverId(w, 'worker');
      for (const t of main.targets) if (t.server?.id === worker) t.health_status = t.health_status.map((h) => (h.listen_port === 53 ? h : { ...h, status: 'unhealthy' }));
    },
    expect: { failing: ['lb.health'], cause: 'lb-targets-unhealthy' },
  },
  {
    name: 'huawei-sovereign',
    description:
      'A Sovereign on Huawei Cloud Stack (infra/providers/huawei/): no Hetzner project at all (no load balancer, no servers), the control plane\'s EIP is the load balancer (ConfigMap sovereign-fqdn lbIP), nodes carry k3s\'s own providerID, regionsJson names provider huawei and flux-system/cloud-credentials holds huawei-* keys. lb.targets and lb.health are skipped naming Huawei Cloud; dns.console-to-lb checks console.<fqdn> against the EIP; everything else passes.',
    apply: (w) => {
      w.hcloud.loadBalancers = [];
      w.hcloud.servers = [];
      const cm = findObject(w, 'ConfigMap', 'catalyst-system', 'sovereign-fqdn') as { data?: Record<string, string> } | undefined;
      if (cm?.data) Object.assign(cm.data, { configuredRegions: 'me-east-215', regionsJson: '[{"key":"me-east-215","provider":"huawei"}]' });
      for (const n of w.kube.objects.filter((o) => o.kind === 'Node')) (n['spec'] as { providerID?: string }).providerID = `k3s://${n.metadata.name}`;
      const creds = findObject(w, 'Secret', 'flux-system', 'cloud-credentials');
      if (creds) {
        const b64 = (v: string): string => Buffer.from(v).toString('base64');
        creds['data'] = { 'huawei-access-key': b64(`AK${randomBytes(10).toString('hex').toUpperCase()}`), 'huawei-secret-key': b64(randomBytes(20).toString('hex')), 'huawei-project-id': b64(randomBytes(16).toString('hex')) };
      }
    },
    expect: { failing: [], skipped: ['lb.health', 'lb.targets'] },
  },
  {
    name: 'handover-slow-keycloak',
    description:
      'A cold Keycloak: every /auth/handover that reaches EnsureUser (five Keycloak calls) answers after 5 s, longer than SMOKE_TIMEOUT; TLS and every other path answer at once. A slow answer is not a silent host: only the checks that need a successful handover fail; /readyz, whoami, the forged-token refusals and every public host still pass.',
    apply: (w) => {
      // A successful handover is a 302; the refusals (401) come before EnsureUser and stay fast.
      w.gateway.slowAnswers = [{ path: '/auth/handover', status: 302, delayMs: 5000 }];
    },
    expect: { failing: ['handover.login', 'handover.replay-rejected'], cause: 'console-unresponsive', env: { SMOKE_TIMEOUT: '2s' } },
  },
  {
    name: 'route-backend-down',
    description:
      'gitea.<fqdn> is routed (HTTPRoute gitea/gitea → Service gitea-gitea-http:3000) but its backend has no ready endpoint (the gitea Pod crash-loops): envoy answers 503 "no healthy upstream". The console and every other host work.',
    apply: (w) => {
      const slice = w.kube.objects.find((o) => o.kind === 'EndpointSlice' && o.metadata.namespace === 'gitea' && o.metadata.labels?.['kubernetes.io/service-name'] === 'gitea-gitea-http');
      if (!slice) throw new Error('healthy world has no EndpointSlice for gitea-gitea-http');
      slice['endpoints'] = ((slice['endpoints'] as { conditions: Record<string, boolean> }[] | undefined) ?? []).map((e) => ({ ...e, conditions: { ready: false, serving: false, terminating: false } }));
    },
    expect: { failing: ['routes.reachable'], cause: 'route-backend-down', env: { SMOKE_AWAIT: '5s' } },
  },
];

// --- a Sovereign right after provisioning: each layer ready at its own moment (issue 13) -------

/**
 * When each layer of a provisioning Sovereign becomes ready, in ms after the suite's first request to
 * the simulated Sovereign (so the same however long the suite takes to boot); `certificateMs`
 * undefined: never.
 */
export interface ProvisioningMoments {
  /** bp-keycloak and bp-catalyst-platform finish installing; Kustomization bootstrap-kit turns Ready; Keycloak has started (its realm is imported 0.5 s later). */
  helmReleasesMs: number;
  /** The catalyst-api Pod passes its readiness probe; the Deployment turns Available (/readyz 503 before). */
  catalystApiMs: number;
  /** The load balancer's first health checks complete: every target `unknown` → `healthy`. */
  lbProbedMs: number;
  /** cert-manager finishes the DNS-01 order: the Secret is written, the Certificate Ready, envoy serves it (TLS reset before). */
  certificateMs: number | undefined;
}

const minutesAgo = (w: World, m: number): string => new Date(w.bootTime - m * 60_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/**
 * A Sovereign as the provisioning pipeline finds it the moment `tofu apply` and the first Flux
 * reconcile return (servers and load balancer created 8 minutes ago), each layer turning ready at
 * its moment in `at`, certificate last. Objects are in the states the controllers write: helm-
 * controller `Ready=Unknown Progressing` while installing, a running catalyst-api Pod with
 * `Ready=False ContainersNotReady`, Hetzner targets `unknown` before their first probe, and the
 * gateway Certificate issuing (sim/kube-objects.ts certificateIssuing) with its Secret absent and
 * the load balancer resetting TLS on 443 (cilium-envoy has no listener without the Secret).
 */
function provisioning(w: World, at: ProvisioningMoments): void {
  for (const s of w.hcloud.servers) s.created = minutesAgo(w, 8);
  lb(w).created = minutesAgo(w, 8);
  const find = (kind: string, ns: string, name: string): KubeObject => {
    const o = findObject(w, kind, ns, name);
    if (!o) throw new Error(`healthy world has no ${kind} ${ns}/${name}`);
    return o;
  };
  const since = new Date(w.bootTime - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const saved = new Map<KubeObject, unknown>();
  const hold = (o: KubeObject, status: Record<string, unknown>): void => {
    saved.set(o, structuredClone(o['status']));
    o['status'] = status;
  };
  const release = (o: KubeObject): void => {
    const st = structuredClone(saved.get(o)) as { conditions?: Record<string, unknown>[] } & Record<string, unknown>;
    st.conditions = (st.conditions ?? []).map((c) => ({ ...c, lastTransitionTime: nowIso() }));
    o['status'] = st;
  };

  // Flux: two releases still installing, so bootstrap-kit (wait: true) is not Ready either.
  const installing = ['bp-keycloak', 'bp-catalyst-platform'].map((n) => find('HelmRelease', 'flux-system', n));
  for (const hr of installing) {
    const msg = `Running 'install' action with timeout of ${hr.metadata.name === 'bp-catalyst-platform' ? '30m0s' : '10m0s'}`;
    hold(hr, { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Progressing', message: msg, lastTransitionTime: since, observedGeneration: 1 }, { type: 'Reconciling', status: 'True', reason: 'Progressing', message: msg, lastTransitionTime: since, observedGeneration: 1 }] });
  }
  const kit = find('Kustomization', 'flux-system', 'bootstrap-kit');
  hold(kit, { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress', lastTransitionTime: since, observedGeneration: 1 }, { type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'Reconciliation in progress', lastTransitionTime: since, observedGeneration: 1 }] });

  // catalyst-api: the Pod runs, its readiness probe (/readyz: informers synced) does not pass yet.
  const deploy = find('Deployment', 'catalyst-system', 'catalyst-api');
  const pod = catalystApiPods(w)[0];
  if (!pod) throw new Error('healthy world has no catalyst-api Pod');
  const podStatus = structuredClone(pod['status']) as { conditions: Record<string, unknown>[]; containerStatuses: Record<string, unknown>[] } & Record<string, unknown>;
  hold(pod, {
    ...podStatus,
    conditions: podStatus.conditions.map((c) => (c['type'] === 'Ready' || c['type'] === 'ContainersReady' ? { ...c, status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [catalyst-api]' } : c)),
    containerStatuses: podStatus.containerStatuses.map((c) => ({ ...c, ready: false })),
  });
  hold(deploy, {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    unavailableReplicas: 1,
    conditions: [
      { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastTransitionTime: since, lastUpdateTime: since },
      { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "catalyst-api-${API_POD_TEMPLATE_HASH}" is progressing.`, lastTransitionTime: since, lastUpdateTime: since },
    ],
  });

  // Keycloak (bp-keycloak installing): starting (503), then the realm import not yet run (404 "Realm
  // does not exist"). The fields are the Keycloak fake's (world.keycloak.starting/realmImported, added
  // with the auth checks' convergence); Object.assign keeps this compiling where they are not yet
  // declared, and a fake without them ignores them.
  Object.assign(w.keycloak, { starting: true, realmImported: false });

  // Hetzner: no health check has completed yet.
  for (const t of lb(w).targets) t.health_status = t.health_status.map((h) => ({ ...h, status: 'unknown' as const }));

  // cert-manager: issuing; the Secret does not exist yet; envoy resets TLS.
  certificateIssuing(w, -60);
  w.gateway.mode = 'reset';
  let secret: KubeObject | undefined;

  w.timeline.push(
    {
      // The Secret is filled with the PKI at start (sim/index.ts); take it away until it is issued.
      afterMs: 0,
      describe: 'the gateway certificate Secret does not exist yet',
      apply: (world) => {
        secret = findObject(world, 'Secret', 'kube-system', 'sovereign-wildcard-tls');
        removeObject(world, 'Secret', 'kube-system', 'sovereign-wildcard-tls');
      },
    },
    {
      from: 'first-request',
      afterMs: at.helmReleasesMs,
      describe: 'bp-keycloak and bp-catalyst-platform installed; bootstrap-kit Ready; Keycloak has started',
      apply: (world) => {
        [...installing, kit].forEach(release);
        Object.assign(world.keycloak, { starting: false });
      },
    },
    { from: 'first-request', afterMs: at.helmReleasesMs + 500, describe: 'Keycloak\'s realm import has run', apply: (world) => void Object.assign(world.keycloak, { realmImported: true }) },
    { from: 'first-request', afterMs: at.catalystApiMs, describe: 'catalyst-api Pod Ready; Deployment Available', apply: () => [pod, deploy].forEach(release) },
    {
      from: 'first-request',
      afterMs: at.lbProbedMs,
      describe: 'load balancer targets probed: healthy',
      apply: (world) => {
        for (const t of lb(world).targets) t.health_status = t.health_status.map((h) => ({ ...h, status: 'healthy' as const }));
      },
    },
  );
  if (at.certificateMs !== undefined) {
    w.timeline.push({
      from: 'first-request',
      afterMs: at.certificateMs,
      describe: 'certificate issued: Secret written, Certificate Ready, envoy serves it',
      apply: (world) => {
        if (secret) putObject(world, secret);
        certificateIssued(world);
        world.gateway.mode = 'ok';
      },
    });
  }
}

/** The default moments of `provisioning-timeline` (ms after the suite's first request): certificate last, at 6 s. */
export const PROVISIONING_MOMENTS: ProvisioningMoments = { helmReleasesMs: 1500, catalystApiMs: 3000, lbProbedMs: 4500, certificateMs: 6000 };

/** The scenario for a set of moments (bench and tests may build their own). */
export function provisioningTimeline(at: ProvisioningMoments = PROVISIONING_MOMENTS): Scenario {
  return {
    name: 'provisioning-timeline',
    description: `A healthy Sovereign right after provisioning, each layer ready at its own moment (ms after the suite's first request): HelmReleases ${at.helmReleasesMs}, catalyst-api Ready ${at.catalystApiMs}, load balancer targets probed ${at.lbProbedMs}, certificate issued last at ${at.certificateMs ?? 'never'} (TLS reset before). Every check waits for its layer: the suite is green within T + 3 s.`,
    apply: (w) => provisioning(w, at),
    expect: { failing: [], env: { SMOKE_AWAIT: '40s' } },
  };
}

/** Checks that do not go through the gateway certificate and pass while it is never issued. */
export const CERT_NEVER_ISSUED_FAILING = sorted(['gitops.ready', ...TLS_ALL, ...THROUGH_CONSOLE, ...THROUGH_AUTH, ...ROUTES]);

EDGE_SCENARIOS.push(provisioningTimeline(), {
  name: 'cert-never-issued',
  description:
    'Right after provisioning, cert-manager never completes the DNS-01 order: the Certificate stays Issuing (Ready=False DoesNotExist, its Order pending), the Secret is never written and TLS on console./auth.<fqdn> is reset. Everything else becomes ready; the checks through the certificate (TLS, /readyz, the login, Keycloak) and gitops.ready wait out SMOKE_AWAIT and name the Certificate.',
  apply: (w) => provisioning(w, { helmReleasesMs: 500, catalystApiMs: 1000, lbProbedMs: 1500, certificateMs: undefined }),
  expect: { failing: CERT_NEVER_ISSUED_FAILING, cause: 'cert-not-issued', env: { SMOKE_AWAIT: '12s' } },
});
