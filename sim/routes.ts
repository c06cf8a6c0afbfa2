/**
 * The public hosts of a Sovereign as openova's charts route them through the gateway: the
 * HTTPRoutes (gateway.networking.k8s.io/v1, parentRef kube-system/cilium-gateway), the backend
 * Services, and their EndpointSlices (discovery.k8s.io/v1, label kubernetes.io/service-name), as
 * the EndpointSlice controller writes them.
 *
 * Sources (openova-io/openova):
 * - products/catalyst/chart/templates/httproute.yaml (@676ef236): HTTPRoute catalyst-ui for
 *   console.<fqdn> (Exact /auth/handover, /readyz, /healthz and PathPrefix /api/ → catalyst-api:8080,
 *   the rest → catalyst-ui:80) and catalyst-api for api.<fqdn> (shared/sovereign.md §1.1);
 * - Keycloak's route for auth.<fqdn> → keycloak:80 (§3);
 * - platform/gitea/chart/templates/httproute.yaml (@27f18484): `gitea` → `<release>-gitea-http:3000`,
 *   release gitea; platform/harbor/…/httproute.yaml: `harbor` → `<release>-harbor-core:80`;
 *   platform/openbao/…/httproute.yaml: `openbao` → `<release>-openbao:8200` at bao.<fqdn>;
 * - the hosts are those sovereign_dns_records.go writes and scripts/sovereign-dod-verify.sh L5 asks
 *   (console api auth gitea harbor bao …); marketplace and pdns are left out: their route sources
 *   were not read.
 *
 * The catalyst-api EndpointSlice is computed from the world's catalyst-api Pods on every read (as the
 * controller keeps it), so a crash-looping catalyst-api shows no ready endpoint here too.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { at, catalystApiPods } from './kube-objects.js';
import type { KubeObject, World } from './world.js';

/** One public host: its route, backend Service and the answer its backend gives to GET /. */
export interface SimRoute {
  /** First label: `gitea` → gitea.<fqdn>. */
  label: string;
  namespace: string;
  route: string;
  service: string;
  port: number;
}

/** The routes besides the console's and api's (catalyst chart) that the healthy Sovereign serves. */
export const PLATFORM_ROUTES: SimRoute[] = [
  { label: 'auth', namespace: 'keycloak', route: 'keycloak', service: 'keycloak', port: 80 },
  { label: 'gitea', namespace: 'gitea', route: 'gitea', service: 'gitea-gitea-http', port: 3000 },
  { label: 'harbor', namespace: 'harbor', route: 'harbor', service: 'harbor-harbor-core', port: 80 },
  { label: 'bao', namespace: 'openbao', route: 'openbao', service: 'openbao-openbao', port: 8200 },
];

/** Every public host label the healthy Sovereign routes (for SMOKE_CONNECT_TO and the gateway). */
export const PUBLIC_LABELS = ['console', 'api', ...PLATFORM_ROUTES.map((r) => r.label)];

function uid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function meta(world: World, name: string, namespace: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject['metadata'] {
  return { name, namespace, uid: uid(`${world.fqdn}/${namespace}/${name}/${extra.labels ? JSON.stringify(extra.labels) : ''}`), resourceVersion: '4242', creationTimestamp: at(world, -900), ...extra };
}

function httpRoute(world: World, ns: string, name: string, host: string, rules: { matches: Record<string, unknown>[]; backend: string; port: number }[]): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta(world, name, ns, { generation: 1 }),
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'cilium-gateway', namespace: 'kube-system' }],
      hostnames: [host],
      rules: rules.map((r) => ({ matches: r.matches, backendRefs: [{ group: '', kind: 'Service', name: r.backend, port: r.port, weight: 1 }] })),
    },
    status: {
      parents: [
        {
          parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'cilium-gateway', namespace: 'kube-system' },
          controllerName: 'io.cilium/gateway-controller',
          conditions: [
            { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Accepted HTTPRoute', observedGeneration: 1, lastTransitionTime: at(world, -880) },
            { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'Service reference is valid', observedGeneration: 1, lastTransitionTime: at(world, -880) },
          ],
        },
      ],
    },
  };
}

function service(world: World, ns: string, name: string, port: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(world, name, ns),
    spec: { type: 'ClusterIP', clusterIP: `10.43.${port % 250}.${name.length}`, selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] },
  };
}

/**
 * An EndpointSlice as the controller names and labels it (`<service>-<5 chars>`,
 * `kubernetes.io/service-name`, `endpointslice.kubernetes.io/managed-by`). `ready` may be a function:
 * then the endpoints follow the world on every read.
 */
function endpointSlice(world: World, ns: string, svc: string, port: number, ready: boolean | (() => boolean[])): KubeObject {
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta(world, `${svc}-${uid(svc).slice(0, 5)}`, ns, {
      labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc, uid: uid(`${world.fqdn}/${ns}/${svc}/`), controller: true }],
    }),
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  };
  const endpoints = (states: boolean[]): Record<string, unknown>[] =>
    states.map((r, i) => ({ addresses: [`10.42.0.${40 + i}`], conditions: { ready: r, serving: r, terminating: false }, nodeName: `catalyst-${world.fqdn.replace(/\./g, '-')}-cp1` }));
  if (typeof ready === 'function') Object.defineProperty(slice, 'endpoints', { enumerable: true, get: () => endpoints(ready()) });
  else slice['endpoints'] = endpoints([ready]);
  return slice;
}

/** Whether a Service has a ready endpoint in the world (what envoy needs to forward). */
export function serviceReady(world: World, ns: string, svc: string): boolean {
  const slices = world.kube.objects.filter((o) => o.kind === 'EndpointSlice' && o.metadata.namespace === ns && o.metadata.labels?.['kubernetes.io/service-name'] === svc);
  return slices.some((s) => ((s['endpoints'] as { conditions?: { ready?: boolean } }[] | undefined) ?? []).some((e) => e.conditions?.ready !== false));
}

/** The route objects of the healthy Sovereign (HTTPRoutes, backend Services, EndpointSlices). */
export function routeObjects(world: World): KubeObject[] {
  const fqdn = world.fqdn;
  const cs = 'catalyst-system';
  const exact = (value: string): Record<string, unknown> => ({ path: { type: 'Exact', value } });
  const prefix = (value: string): Record<string, unknown> => ({ path: { type: 'PathPrefix', value } });
  const apiReady = (): boolean[] =>
    catalystApiPods(world).map((p) => ((p['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
  const objects: KubeObject[] = [
    httpRoute(world, cs, 'catalyst-ui', `console.${fqdn}`, [
      { matches: [exact('/auth/handover'), exact('/readyz'), exact('/healthz'), prefix('/api/')], backend: 'catalyst-api', port: 8080 },
      { matches: [prefix('/')], backend: 'catalyst-ui', port: 80 },
    ]),
    httpRoute(world, cs, 'catalyst-api', `api.${fqdn}`, [{ matches: [prefix('/')], backend: 'catalyst-api', port: 8080 }]),
    endpointSlice(world, cs, 'catalyst-api', 8080, apiReady),
    endpointSlice(world, cs, 'catalyst-ui', 8080, true),
  ];
  for (const r of PLATFORM_ROUTES) {
    objects.push(httpRoute(world, r.namespace, r.route, `${r.label}.${fqdn}`, [{ matches: [prefix('/')], backend: r.service, port: r.port }]));
    objects.push(service(world, r.namespace, r.service, r.port));
    objects.push(endpointSlice(world, r.namespace, r.service, r.port, true));
  }
  return objects;
}
