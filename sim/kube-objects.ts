/**
 * The Kubernetes objects of a healthy Sovereign, with the real names and shapes (shared/sovereign.md
 * §2–§5), and {@link podEnv}: the environment a container's process actually got, resolved from
 * `valueFrom` references against the objects that existed when the Pod started. That is the model of
 * incident 1: a ConfigMap created after the Pod leaves an optional reference empty for the Pod's life.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { KubeObject, World } from './world.js';
import { routeObjects } from './routes.js';

export const CATALYST_IMAGE_SHA = 'a1b2c3d';
export const CATALYST_CHART_VERSION = '1.4.95';
export const FLUX_REVISION = 'main@sha1:3f1c9e2b7d4a5f60718293a4b5c6d7e8f9012345';

/** RFC 3339 time `offsetSeconds` from the world's boot time (negative: before the run). */

/** A one-replica Deployment's status once its ReplicaSet rolled out, as the deployment controller writes it. */
function rolledOutStatus(world: World, replicaSet: string): Record<string, unknown> {
  return {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastTransitionTime: at(world, -600), lastUpdateTime: at(world, -600) },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${replicaSet}" has successfully progressed.`, lastTransitionTime: at(world, -690), lastUpdateTime: at(world, -600) },
    ],
  };
}

export function at(world: Pick<World, 'bootTime'>, offsetSeconds: number): string {
  return new Date(world.bootTime + offsetSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function uid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function meta(world: World, name: string, namespace: string | undefined, createdAt: number, extra: Partial<KubeObject['metadata']> = {}): KubeObject['metadata'] {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: uid(`${world.fqdn}/${namespace ?? ''}/${name}/${extra.labels ? JSON.stringify(extra.labels) : ''}`),
    resourceVersion: String(1000 + Math.abs(createdAt)),
    creationTimestamp: at(world, createdAt),
    ...extra,
  };
}

function ready(reason: string, message: string, when: string, generation = 1): Record<string, unknown>[] {
  return [{ type: 'Ready', status: 'True', reason, message, lastTransitionTime: when, observedGeneration: generation }];
}

/** The bp-* HelmReleases a Sovereign's bootstrap-kit installs: [name, releaseName, namespace, chart version]. */
export const HELM_RELEASES: [string, string, string, string][] = [
  ['bp-cilium', 'cilium', 'kube-system', '1.17.4'],
  ['bp-cert-manager', 'cert-manager', 'cert-manager', '1.16.2'],
  ['bp-gateway-api', 'gateway-api', 'kube-system', '1.2.1'],
  ['bp-cnpg', 'cnpg', 'cnpg-system', '0.23.0'],
  ['bp-gitea', 'gitea', 'gitea', '11.0.0'],
  ['bp-keycloak', 'keycloak', 'keycloak', '26.1.0'],
  ['bp-crossplane-claims', 'crossplane-claims', 'crossplane-system', '0.4.2'],
  ['bp-catalyst-platform', 'catalyst-platform', 'catalyst-system', CATALYST_CHART_VERSION],
  ['bp-reloader', 'reloader', 'reloader', '1.4.16'],
];

export function helmRelease(world: World, name: string, releaseName: string, namespace: string, version: string): KubeObject {
  const when = at(world, -600);
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: meta(world, name, 'flux-system', -1200, { generation: 1, labels: { 'kustomize.toolkit.fluxcd.io/name': 'bootstrap-kit', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }),
    spec: {
      releaseName,
      targetNamespace: namespace,
      interval: '10m',
      timeout: name === 'bp-catalyst-platform' ? '30m' : '10m',
      chartRef: { kind: 'OCIRepository', name, namespace: 'flux-system' },
      install: { disableWait: name !== 'bp-keycloak', remediation: { retries: 3 } },
      upgrade: { disableWait: name !== 'bp-keycloak', remediation: { retries: 3 } },
    },
    status: {
      observedGeneration: 1,
      conditions: [
        ...ready('InstallSucceeded', `Helm install succeeded for release ${namespace}/${releaseName}.v1 with chart ${name}@${version}`, when),
        { type: 'Released', status: 'True', reason: 'InstallSucceeded', message: `Helm install succeeded for release ${namespace}/${releaseName}.v1 with chart ${name}@${version}`, lastTransitionTime: when, observedGeneration: 1 },
      ],
      history: [{ chartName: name, chartVersion: version, appVersion: version, firstDeployed: when, lastDeployed: when, name: releaseName, namespace, status: 'deployed', version: 1, digest: `sha256:${createHash('sha256').update(name).digest('hex')}` }],
      lastAttemptedRevision: version,
      lastAttemptedConfigDigest: `sha256:${createHash('sha256').update(`${name}-values`).digest('hex')}`,
      lastAttemptedGeneration: 1,
      lastHandledReconcileAt: when,
    },
  };
}

function kustomization(world: World, name: string, path: string, dependsOn: string[]): KubeObject {
  const when = at(world, -500);
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: meta(world, name, 'flux-system', -1800, { generation: 1 }),
    spec: {
      interval: '10m',
      path,
      prune: true,
      wait: name === 'bootstrap-kit',
      timeout: '30m',
      sourceRef: { kind: 'GitRepository', name: 'openova' },
      dependsOn: dependsOn.map((d) => ({ name: d })),
      postBuild: { substitute: { SOVEREIGN_FQDN: world.fqdn, SOVEREIGN_FQDN_DASHED: world.fqdn.replace(/\./g, '-') } },
    },
    status: {
      observedGeneration: 1,
      lastAppliedRevision: FLUX_REVISION,
      lastAttemptedRevision: FLUX_REVISION,
      conditions: ready('ReconciliationSucceeded', `Applied revision: ${FLUX_REVISION}`, when),
    },
  };
}

/** The catalyst-api container spec (chart 1.4.95, api-deployment.yaml). */
function catalystApiContainer(): Record<string, unknown> {
  const cm = (name: string, key: string) => ({ name, valueFrom: { configMapKeyRef: { name: 'sovereign-fqdn', key, optional: true } } });
  const kc = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: 'catalyst-kc-sa-credentials', key, optional: true } } });
  return {
    name: 'catalyst-api',
    image: `ghcr.io/openova-io/openova/catalyst-api:${CATALYST_IMAGE_SHA}`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      cm('SOVEREIGN_FQDN', 'fqdn'),
      cm('CATALYST_OTECH_FQDN', 'fqdn'),
      cm('CATALYST_SELF_DEPLOYMENT_ID', 'selfDeploymentId'),
      cm('SOVEREIGN_LB_IP', 'lbIP'),
      cm('CATALYST_CONFIGURED_REGIONS', 'configuredRegions'),
      kc('CATALYST_KC_ADDR', 'addr'),
      kc('CATALYST_KC_REALM', 'realm'),
      kc('CATALYST_KC_SA_CLIENT_ID', 'client-id'),
      kc('CATALYST_KC_SA_CLIENT_SECRET', 'client-secret'),
      { name: 'CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH', value: '/etc/catalyst/handover-jwt-public/public.jwk' },
      { name: 'CATALYST_HANDOVER_KEY_PATH', value: '/var/lib/catalyst/handover-jwt-private.pem' },
      { name: 'CATALYST_TOFU_WORKDIR', value: '/var/lib/catalyst/tofu' },
      { name: 'CATALYST_DEPLOYMENTS_DIR', value: '/var/lib/catalyst/deployments' },
      { name: 'CATALYST_KUBECONFIGS_DIR', value: '/var/lib/catalyst/kubeconfigs' },
      { name: 'CATALYST_SESSION_COOKIE_DOMAIN', value: '' },
      { name: 'CATALYST_TEST_SESSION_ENABLED', value: 'false' },
      { name: 'CATALYST_HARBOR_ROBOT_TOKEN', valueFrom: { secretKeyRef: { name: 'harbor-robot-token', key: 'token' } } },
      { name: 'CATALYST_BUILD_SHA', value: CATALYST_IMAGE_SHA },
      { name: 'CATALYST_CHART_VERSION', value: CATALYST_CHART_VERSION },
    ],
    volumeMounts: [
      { name: 'deployments', mountPath: '/var/lib/catalyst' },
      { name: 'sov-cache', mountPath: '/var/cache/sov-cache' },
      { name: 'handover-jwt-public', mountPath: '/etc/catalyst/handover-jwt-public', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'home', mountPath: '/home/nonroot' },
    ],
    livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/readyz', port: 8080, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    securityContext: { runAsUser: 65534, runAsNonRoot: true, allowPrivilegeEscalation: false },
  };
}

function catalystApiVolumes(): Record<string, unknown>[] {
  return [
    { name: 'deployments', persistentVolumeClaim: { claimName: 'catalyst-api-deployments' } },
    { name: 'sov-cache', persistentVolumeClaim: { claimName: 'catalyst-api-cache' } },
    { name: 'handover-jwt-public', secret: { secretName: 'catalyst-handover-jwt-public', optional: true, defaultMode: 420 } },
    { name: 'tmp', emptyDir: { sizeLimit: '2Gi' } },
    { name: 'home', emptyDir: {} },
  ];
}

const API_LABELS = { 'app.kubernetes.io/name': 'catalyst-api', 'app.kubernetes.io/component': 'api', 'app.kubernetes.io/instance': 'catalyst-platform' };
export const API_POD_TEMPLATE_HASH = '7d9f8c6b5';

/** A running, Ready catalyst-api Pod started `startedAt` seconds from boot. */
export function catalystApiPod(world: World, suffix: string, startedAt: number, extra: { node?: string } = {}): KubeObject {
  const name = `catalyst-api-${API_POD_TEMPLATE_HASH}-${suffix}`;
  const start = at(world, startedAt);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(world, name, 'catalyst-system', startedAt, {
      labels: { ...API_LABELS, 'pod-template-hash': API_POD_TEMPLATE_HASH },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `catalyst-api-${API_POD_TEMPLATE_HASH}`, uid: uid(`rs-${world.fqdn}`), controller: true }],
    }),
    spec: {
      serviceAccountName: 'catalyst-api-cutover-driver',
      nodeName: extra.node ?? `catalyst-${world.fqdn.replace(/\./g, '-')}-cp1`,
      securityContext: { fsGroup: 65534 },
      containers: [catalystApiContainer()],
      volumes: catalystApiVolumes(),
      restartPolicy: 'Always',
    },
    status: {
      phase: 'Running',
      startTime: start,
      podIP: '10.42.0.17',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: start },
        { type: 'Ready', status: 'True', lastTransitionTime: start },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: start },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: start },
      ],
      containerStatuses: [
        {
          name: 'catalyst-api',
          ready: true,
          started: true,
          restartCount: 0,
          image: `ghcr.io/openova-io/openova/catalyst-api:${CATALYST_IMAGE_SHA}`,
          imageID: `ghcr.io/openova-io/openova/catalyst-api@sha256:${createHash('sha256').update(CATALYST_IMAGE_SHA).digest('hex')}`,
          state: { running: { startedAt: start } },
        },
      ],
    },
  };
}

function pvc(world: World, name: string, size: string, createdAt: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(world, name, 'catalyst-system', createdAt),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: 'local-path', volumeName: `pvc-${uid(name)}` },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: size } },
  };
}

function secret(world: World, name: string, namespace: string, data: Record<string, string>, createdAt: number, type = 'Opaque'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(world, name, namespace, createdAt),
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

function configMap(world: World, name: string, namespace: string, data: Record<string, string>, createdAt: number): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(world, name, namespace, createdAt), data };
}

function namespace(world: World, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(world, name, undefined, -3600, { labels: { 'kubernetes.io/metadata.name': name } }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

/** Inputs the objects need that come from elsewhere in the world. */
export interface ObjectInputs {
  lbIp: string;
  deploymentId: string;
  kcClientSecret: string;
  kcAddr: string;
  hcloudToken: string;
  handoverPublicJwk: string;
}

/** The objects of a healthy Sovereign. The gateway certificate Secret's PEM is filled in at start. */
export function healthyObjects(world: World, inputs: ObjectInputs): KubeObject[] {
  const fqdn = world.fqdn;
  const dashed = fqdn.replace(/\./g, '-');
  const objects: KubeObject[] = [];
  for (const ns of ['kube-system', 'flux-system', 'cert-manager', 'keycloak', 'catalyst-system', 'reloader', 'gitea']) objects.push(namespace(world, ns));

  // Nodes (cluster-scoped), as the kubelet and k3s write them.
  objects.push(node(world, `catalyst-${dashed}-cp1`, 'control-plane', { providerId: 1001, internalIp: '10.0.1.2' }));
  objects.push(node(world, `catalyst-${dashed}-w1`, 'worker', { providerId: 1002, internalIp: '10.0.1.3' }));

  // Flux.
  objects.push({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: meta(world, 'openova', 'flux-system', -1900, { generation: 1 }),
    spec: { url: 'https://github.com/openova-io/openova', ref: { branch: 'main' }, interval: '5m' },
    status: { observedGeneration: 1, artifact: { revision: FLUX_REVISION, path: 'gitrepository/flux-system/openova/3f1c9e2b.tar.gz', url: 'http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/openova/3f1c9e2b.tar.gz', lastUpdateTime: at(world, -600) }, conditions: ready('Succeeded', `stored artifact for revision '${FLUX_REVISION}'`, at(world, -600)) },
  });
  objects.push(kustomization(world, 'bootstrap-kit', './clusters/_template/bootstrap-kit', []));
  objects.push(kustomization(world, 'infrastructure-config', './clusters/_template/infrastructure-config', ['bootstrap-kit']));
  objects.push(kustomization(world, 'sovereign-tls', './clusters/_template/sovereign-tls', ['bootstrap-kit']));
  for (const [name, release, ns, version] of HELM_RELEASES) objects.push(helmRelease(world, name, release, ns, version));
  objects.push(...suspendedHelmReleases(world));
  objects.push(secret(world, 'cloud-credentials', 'flux-system', { 'hcloud-token': inputs.hcloudToken }, -3000));

  // Gateway and certificate (kube-system).
  objects.push({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: meta(world, 'cilium-gateway', 'kube-system', -1000, { generation: 1 }),
    spec: {
      gatewayClassName: 'cilium',
      listeners: [
        { name: 'https', hostname: `*.${fqdn}`, port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'sovereign-wildcard-tls' }] }, allowedRoutes: { namespaces: { from: 'All' } } },
        { name: 'http', hostname: `*.${fqdn}`, port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
      ],
    },
    status: { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', lastTransitionTime: at(world, -900) }, { type: 'Programmed', status: 'True', reason: 'Programmed', lastTransitionTime: at(world, -900) }], addresses: [{ type: 'IPAddress', value: inputs.lbIp }] },
  });
  const certificate: KubeObject = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: meta(world, 'sovereign-wildcard-tls', 'kube-system', -1000, { generation: 1 }),
    spec: { secretName: 'sovereign-wildcard-tls', issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt-dns01-prod' }, dnsNames: [`*.${fqdn}`, fqdn], privateKey: { rotationPolicy: 'Always' } },
    status: { conditions: ready('Ready', 'Certificate is up to date and has not expired', at(world, -800)), notBefore: at(world, -900), notAfter: at(world, 89 * 86400), renewalTime: at(world, 59 * 86400), revision: 1 },
  };
  objects.push(certificate);
  objects.push(certificateRequest(world, certificate, 1, -950));
  // tls.crt/tls.key are filled in by sim/index.ts once the PKI exists.
  objects.push(secret(world, 'sovereign-wildcard-tls', 'kube-system', { 'tls.crt': '', 'tls.key': '' }, -800, 'kubernetes.io/tls'));

  // Keycloak.
  const saCreds = { addr: inputs.kcAddr, realm: 'sovereign', 'client-id': 'catalyst-api-server', 'client-secret': inputs.kcClientSecret };
  objects.push(secret(world, 'catalyst-kc-sa-credentials', 'keycloak', saCreds, -1500));
  objects.push(configMap(world, 'keycloak-sovereign-realm-config', 'keycloak', { 'sovereign-realm.json': JSON.stringify(world.keycloak.realm, null, 2) }, -1500));

  // catalyst-system.
  objects.push(configMap(world, 'sovereign-fqdn', 'catalyst-system', { fqdn, lbIP: inputs.lbIp, selfDeploymentId: inputs.deploymentId, configuredRegions: 'fsn1', qaApplications: '', regionsJson: '[{"key":"fsn1","provider":"hetzner"}]', orgEmail: world.catalyst.orgEmail ?? `owner@${fqdn}`, orgName: world.catalyst.orgName ?? 'Sim Org' }, -700));
  objects.push(secret(world, 'catalyst-kc-sa-credentials', 'catalyst-system', saCreds, -1400));
  objects.push(secret(world, 'catalyst-handover-jwt-public', 'catalyst-system', { 'public.jwk': inputs.handoverPublicJwk }, -3000));
  objects.push(secret(world, 'harbor-robot-token', 'catalyst-system', { token: 'harbor-robot-sim-token' }, -1400));
  objects.push(pvc(world, 'catalyst-api-deployments', '1Gi', -690));
  objects.push(pvc(world, 'catalyst-api-cache', '5Gi', -690));
  objects.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(world, 'catalyst-api', 'catalyst-system', -690, {
      generation: 1,
      labels: API_LABELS,
      annotations: {
        'configmap.reloader.stakater.com/reload': 'sovereign-fqdn',
        'secret.reloader.stakater.com/reload': 'handover-jwt-public',
        'kustomize.toolkit.fluxcd.io/force': 'enabled',
        'meta.helm.sh/release-name': 'catalyst-platform',
        'meta.helm.sh/release-namespace': 'catalyst-system',
      },
    }),
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'catalyst-api' } },
      strategy: { type: 'Recreate' },
      template: { metadata: { labels: API_LABELS }, spec: { serviceAccountName: 'catalyst-api-cutover-driver', securityContext: { fsGroup: 65534 }, containers: [catalystApiContainer()], volumes: catalystApiVolumes() } },
    },
    status: rolledOutStatus(world, `catalyst-api-${API_POD_TEMPLATE_HASH}`),
  });
  objects.push(catalystApiPod(world, 'x7k2p', -650));
  objects.push(...catalystControlPlane(world));
  for (const svc of [['catalyst-api', 8080, 8080], ['catalyst-ui', 80, 8080]] as const) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(world, svc[0], 'catalyst-system', -690),
      spec: { type: 'ClusterIP', clusterIP: '10.43.12.34', selector: { 'app.kubernetes.io/name': svc[0] }, ports: [{ name: 'http', port: svc[1], targetPort: svc[2], protocol: 'TCP' }] },
    });
  }
  // Public hosts (sim/routes.ts): the HTTPRoutes attached to the gateway, their Services and EndpointSlices.
  for (const o of routeObjects(world)) if (!objects.some((x) => key(x) === key(o))) objects.push(o);
  return objects;
}

/**
 * The CertificateRequest cert-manager made for revision `revision` of `cert` (owned by it, annotated
 * with its name and revision, approved and issued). `status.certificate` is the issued chain, PEM
 * then base64, without the key; it is filled in once the PKI exists ({@link fillCertificateRequests}).
 * Shape: cert-manager.io/v1 CertificateRequest as cert-manager's requestmanager controller writes it
 * (annotations cert-manager.io/certificate-name, -revision, private-key-secret-name).
 */
export function certificateRequest(world: World, cert: KubeObject, revision: number, createdAt: number): KubeObject {
  const spec = cert['spec'] as { issuerRef: Record<string, string>; secretName: string };
  const when = at(world, createdAt + 60);
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: meta(world, `${cert.metadata.name}-${revision}`, cert.metadata.namespace, createdAt, {
      generation: 1,
      labels: { 'app.kubernetes.io/managed-by': 'cert-manager' },
      annotations: {
        'cert-manager.io/certificate-name': cert.metadata.name,
        'cert-manager.io/certificate-revision': String(revision),
        'cert-manager.io/private-key-secret-name': `${spec.secretName}-${createHash('sha256').update(`${revision}`).digest('hex').slice(0, 5)}`,
      },
      ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: cert.metadata.name, uid: cert.metadata.uid ?? '', controller: true }],
    }),
    spec: { issuerRef: { group: 'cert-manager.io', ...spec.issuerRef }, request: b64('-----BEGIN CERTIFICATE REQUEST-----\n(simulated)\n-----END CERTIFICATE REQUEST-----\n'), usages: ['digital signature', 'key encipherment'], duration: '2160h0m0s', username: 'system:serviceaccount:cert-manager:cert-manager' },
    status: {
      conditions: [
        { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'Certificate request has been approved by cert-manager.io', lastTransitionTime: at(world, createdAt) },
        { type: 'Ready', status: 'True', reason: 'Issued', message: 'Certificate fetched from issuer successfully', lastTransitionTime: when },
      ],
      certificate: '',
    },
  };
}

/** Puts the issued chain (the one in the TLS Secret) into every issued CertificateRequest that has none yet. */
export function fillCertificateRequests(world: World, chainPem: string): void {
  for (const o of world.kube.objects) {
    const st = o['status'] as { certificate?: string } | undefined;
    if (o.kind === 'CertificateRequest' && st && st.certificate === '') st.certificate = b64(chainPem);
  }
}

function key(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Finds an object by kind, namespace and name. */
export function findObject(world: World, kind: string, ns: string | undefined, name: string): KubeObject | undefined {
  return world.kube.objects.find((o) => key(o) === `${kind}/${ns ?? ''}/${name}`);
}

/** Replaces (or adds) an object. */
export function putObject(world: World, obj: KubeObject): void {
  const i = world.kube.objects.findIndex((o) => key(o) === key(obj));
  if (i >= 0) world.kube.objects[i] = obj;
  else world.kube.objects.push(obj);
}

export function removeObject(world: World, kind: string, ns: string | undefined, name: string): void {
  world.kube.objects = world.kube.objects.filter((o) => key(o) !== `${kind}/${ns ?? ''}/${name}`);
}

/** The running catalyst-api Pods, oldest first. */
export function catalystApiPods(world: World): KubeObject[] {
  return world.kube.objects
    .filter((o) => o.kind === 'Pod' && o.metadata.namespace === 'catalyst-system' && o.metadata.labels?.['app.kubernetes.io/name'] === 'catalyst-api')
    .filter((o) => (o['status'] as { phase?: string } | undefined)?.phase === 'Running')
    .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
}

type EnvVar = { name: string; value?: string; valueFrom?: { configMapKeyRef?: { name: string; key: string; optional?: boolean }; secretKeyRef?: { name: string; key: string; optional?: boolean } } };

/**
 * The environment the container's process got when the Pod started: `value`s as written, and
 * `valueFrom` references resolved against the ConfigMaps and Secrets that existed at the Pod's
 * start time. A reference to an object created later resolves to "" (optional) for the Pod's life,
 * as in incident 1; a later change to the object is not seen either (env is fixed at start).
 */
export function podEnv(world: World, pod: KubeObject, containerName?: string): Record<string, string> {
  const spec = pod['spec'] as { containers: { name: string; env?: EnvVar[] }[] };
  const container = spec.containers.find((c) => !containerName || c.name === containerName) ?? spec.containers[0];
  const started = (pod['status'] as { startTime?: string } | undefined)?.startTime ?? pod.metadata.creationTimestamp ?? '';
  const existedAtStart = (kind: string, name: string): KubeObject | undefined => {
    const o = findObject(world, kind, pod.metadata.namespace, name);
    return o && String(o.metadata.creationTimestamp) <= started ? o : undefined;
  };
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: pod.metadata.name,
    HOME: '/home/nonroot',
    KUBERNETES_SERVICE_HOST: '10.43.0.1',
    KUBERNETES_SERVICE_PORT: '443',
  };
  for (const v of container?.env ?? []) {
    if (v.value !== undefined) env[v.name] = v.value;
    else if (v.valueFrom?.configMapKeyRef) {
      const ref = v.valueFrom.configMapKeyRef;
      const cm = existedAtStart('ConfigMap', ref.name);
      const data = (cm?.['data'] as Record<string, string> | undefined) ?? {};
      // optional:true with a missing object or key: the variable is set to nothing at all.
      if (data[ref.key] !== undefined) env[v.name] = data[ref.key] ?? '';
    } else if (v.valueFrom?.secretKeyRef) {
      const ref = v.valueFrom.secretKeyRef;
      const s = existedAtStart('Secret', ref.name);
      const data = (s?.['data'] as Record<string, string> | undefined) ?? {};
      if (data[ref.key] !== undefined) env[v.name] = Buffer.from(data[ref.key] ?? '', 'base64').toString('utf8');
    }
  }
  // A value the process got at start that differs from today's objects (an edit after the Pod
  // started that no controller rolled out).
  return { ...env, ...(world.kube.processEnvAtStart[pod.metadata.name] ?? {}) };
}

// --- cluster variants: nodes, suspended HelmReleases, the Catalyst control plane -----------------

/**
 * A node as the kubelet and k3s write it: the four kubelet conditions (MemoryPressure, DiskPressure,
 * PIDPressure False; Ready True, reason KubeletReady), and on a k3s server the role labels
 * `node-role.kubernetes.io/control-plane=true` and `master=true` (agents carry no role label).
 */
export function node(world: World, name: string, role: 'control-plane' | 'worker', opts: { providerId: number; internalIp: string; createdAt?: number }): KubeObject {
  const created = opts.createdAt ?? -3500;
  const since = at(world, created + 40);
  const beat = at(world, -20);
  const cond = (type: string, status: string, reason: string, message: string): Record<string, unknown> => ({ type, status, reason, message, lastHeartbeatTime: beat, lastTransitionTime: since });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(world, name, undefined, created, {
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'k3s',
        ...(role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' } : {}),
      },
      annotations: { 'k3s.io/node-args': JSON.stringify([role === 'control-plane' ? 'server' : 'agent']), 'node.alpha.kubernetes.io/ttl': '0' },
    }),
    spec: { providerID: `hcloud://${opts.providerId}`, podCIDR: `10.42.${opts.providerId - 1001}.0/24`, podCIDRs: [`10.42.${opts.providerId - 1001}.0/24`] },
    status: {
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [{ type: 'InternalIP', address: opts.internalIp }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: world.kube.version, kubeProxyVersion: world.kube.version, containerRuntimeVersion: 'containerd://2.0.4-k3s2', osImage: 'Ubuntu 24.04.2 LTS', kernelVersion: '6.8.0-60-generic', architecture: 'amd64', operatingSystem: 'linux' },
    },
  };
}

/**
 * HelmReleases openova renders suspended on a single-region Hetzner Sovereign, as helm-controller
 * leaves them: it adds its finalizer, then returns before touching any condition
 * (fluxcd/helm-controller internal/controller/helmrelease_controller.go@5e3ad5d2), so the status
 * holds only the observed generation. bp-catalyst-secondary-edge: `suspend: ${SECONDARY_EDGE_SUSPEND:=true}`
 * (clusters/_template/bootstrap-kit/13e-bp-catalyst-secondary-edge-routes.yaml@45eeefe2);
 * bp-velero-hcs: `suspend: ${HUAWEI_HR_SUSPEND:=true}` (34a-bp-velero-hcs.yaml@21b31b1c).
 */
export function suspendedHelmReleases(world: World): KubeObject[] {
  const spec: [string, string, string, string, string, Record<string, string>][] = [
    ['bp-catalyst-secondary-edge', 'catalyst-secondary-edge', 'catalyst-system', 'bp-catalyst-edge-routes', '0.2.0', { 'catalyst.openova.io/slot': '13e', 'catalyst.openova.io/component': 'catalyst-secondary-edge', 'catalyst.openova.io/region-role': 'secondary' }],
    ['bp-velero-hcs', 'velero', 'velero', 'bp-velero-hcs', '0.1.1', { 'catalyst.openova.io/slot': '34a' }],
  ];
  return spec.map(([name, releaseName, targetNamespace, chart, version, labels]) => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: meta(world, name, 'flux-system', -1200, { generation: 1, finalizers: ['finalizers.fluxcd.io'], labels: { ...labels, 'kustomize.toolkit.fluxcd.io/name': 'bootstrap-kit', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }),
    spec: { suspend: true, interval: '15m', releaseName, targetNamespace, install: { createNamespace: true }, chart: { spec: { chart, version, sourceRef: { kind: 'HelmRepository', name: chart, namespace: 'flux-system' } } } },
    status: { observedGeneration: 1 },
  }));
}

/** One workload of the Catalyst control plane: [Deployment name, app.kubernetes.io/name, component, container, image]. */
export const CONTROL_PLANE: [string, string, string, string, string][] = [
  ['catalyst-ui', 'catalyst-ui', 'frontend', 'catalyst-ui', 'ghcr.io/openova-io/openova/catalyst-ui:8a636f9'],
  ['catalyst-catalog', 'catalyst-catalog', 'catalog', 'catalog', 'ghcr.io/openova-io/openova/catalyst-catalog:5d2e8c1'],
  ['marketplace-api', 'marketplace-api', 'api', 'marketplace-api', 'ghcr.io/openova-io/openova/marketplace-api:3c2f7e4'],
  ...(['organization', 'application', 'environment', 'useraccess'] as const).map((c): [string, string, string, string, string] => [`catalyst-${c}-controller`, `${c}-controller`, 'controller', 'controller', `ghcr.io/openova-io/openova/catalyst-${c}-controller:b41c93b`]),
];

const podHash = (name: string): string => createHash('sha256').update(name).digest('hex').replace(/[^a-z0-9]/g, '').slice(0, 9).replace(/[aeiou]/g, 'b');

/** A Running, Ready Pod of a control-plane Deployment. */
export function controlPlanePod(world: World, deploy: string, appName: string, container: string, image: string, suffix = 'k2m7q', startedAt = -600): KubeObject {
  const hash = podHash(deploy);
  const start = at(world, startedAt);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(world, `${deploy}-${hash}-${suffix}`, 'catalyst-system', startedAt, {
      labels: { 'app.kubernetes.io/name': appName, 'pod-template-hash': hash, ...(deploy.endsWith('-controller') ? { 'app.kubernetes.io/component': 'controller', 'catalyst.openova.io/controller': appName.replace(/-controller$/, '') } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deploy}-${hash}`, uid: uid(`rs-${deploy}`), controller: true }],
    }),
    spec: { nodeName: `catalyst-${world.fqdn.replace(/\./g, '-')}-w1`, containers: [{ name: container, image }], restartPolicy: 'Always' },
    status: {
      phase: 'Running',
      startTime: start,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: start })),
      containerStatuses: [{ name: container, ready: true, started: true, restartCount: 0, image, state: { running: { startedAt: start } } }],
    },
  };
}

/**
 * The Catalyst control plane beside catalyst-api, as bp-catalyst-platform renders it into
 * catalyst-system (products/catalyst/chart/templates: ui-deployment.yaml@eee3e1ec,
 * marketplace-api/deployment.yaml@61de3da0, controllers/*-deployment.yaml with
 * controllers/_helpers.tpl@4e5697e8 labels; the set openova's gate expects, sovereign-dod-verify.sh L4),
 * each labelled by helm-controller with its HelmRelease (postrender/origin_labels.go), one Ready Pod each.
 */
export function catalystControlPlane(world: World): KubeObject[] {
  const out: KubeObject[] = [];
  for (const [name, appName, component, container, image] of CONTROL_PLANE) {
    const controller = name.endsWith('-controller');
    const selector: Record<string, string> = controller ? { 'app.kubernetes.io/name': appName, 'app.kubernetes.io/component': 'controller', 'catalyst.openova.io/controller': appName.replace(/-controller$/, '') } : { 'app.kubernetes.io/name': appName };
    const labels = { ...selector, 'app.kubernetes.io/component': component, ...(controller ? { 'app.kubernetes.io/part-of': 'catalyst', 'app.kubernetes.io/managed-by': 'Helm' } : {}), 'helm.toolkit.fluxcd.io/name': 'bp-catalyst-platform', 'helm.toolkit.fluxcd.io/namespace': 'flux-system' };
    const hash = podHash(name);
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(world, name, 'catalyst-system', -690, { generation: 1, labels, annotations: { 'deployment.kubernetes.io/revision': '1', 'meta.helm.sh/release-name': 'catalyst-platform', 'meta.helm.sh/release-namespace': 'catalyst-system' } }),
      spec: { replicas: 1, selector: { matchLabels: selector }, strategy: { type: 'RollingUpdate' }, template: { metadata: { labels: selector }, spec: { containers: [{ name: container, image }] } } },
      status: rolledOutStatus(world, `${name}-${hash}`),
    });
    out.push(controlPlanePod(world, name, appName, container, image));
  }
  return out;
}

// --- gateway certificate issuance, as cert-manager and cilium write it (issue 13) ---------------

/** The ACME Order name cert-manager derives for a request: `<request>-<hash>` (as in `sovereign-wildcard-tls-1-2298134470`). */
function orderName(request: string): string {
  return `${request}-${parseInt(createHash('sha256').update(request).digest('hex').slice(0, 8), 16) % 4_000_000_000}`;
}

/**
 * Puts the gateway Certificate in the state cert-manager writes while it issues the first
 * certificate: `Ready=False DoesNotExist` and `Issuing=True DoesNotExist` ("Issuing certificate as
 * Secret does not exist", trigger controller), its revision-1 CertificateRequest approved and
 * `Ready=False Pending` ("Waiting on certificate issuance from order …"), the ACME Order `pending`,
 * no Secret, and the Gateway listener `ResolvedRefs=False InvalidCertificateRef` /
 * `Programmed=False Invalid` (cilium's gateway controller for a certificateRef whose Secret is absent).
 * `sinceSeconds` is when issuance started, relative to boot (negative: before the run).
 */
export function certificateIssuing(world: World, sinceSeconds: number, names = { ns: 'kube-system', cert: 'sovereign-wildcard-tls', secret: 'sovereign-wildcard-tls' }): void {
  const cert = findObject(world, 'Certificate', names.ns, names.cert);
  if (!cert) throw new Error(`no Certificate ${names.ns}/${names.cert}`);
  const since = at(world, sinceSeconds);
  const msg = 'Issuing certificate as Secret does not exist';
  cert['status'] = {
    conditions: [
      { type: 'Ready', status: 'False', reason: 'DoesNotExist', message: msg, lastTransitionTime: since, observedGeneration: 1 },
      { type: 'Issuing', status: 'True', reason: 'DoesNotExist', message: msg, lastTransitionTime: since, observedGeneration: 1 },
    ],
    nextPrivateKeySecretName: `${names.cert}-x7q2m`,
  };
  const request = `${names.cert}-1`;
  const order = orderName(request);
  const owner = (o: KubeObject, kind: string) => [{ apiVersion: kind === 'Certificate' ? 'cert-manager.io/v1' : 'cert-manager.io/v1', kind, name: o.metadata.name, uid: o.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }];
  const cr: KubeObject = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: meta(world, request, names.ns, sinceSeconds + 1, {
      generation: 1,
      annotations: { 'cert-manager.io/certificate-name': names.cert, 'cert-manager.io/certificate-revision': '1', 'cert-manager.io/private-key-secret-name': `${names.cert}-x7q2m` },
      ownerReferences: owner(cert, 'Certificate'),
    }),
    spec: { issuerRef: (cert['spec'] as { issuerRef: unknown }).issuerRef, request: b64('-----BEGIN CERTIFICATE REQUEST-----\n…\n-----END CERTIFICATE REQUEST-----\n'), usages: ['digital signature', 'key encipherment'] },
    status: {
      conditions: [
        { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'Certificate request has been approved by cert-manager.io', lastTransitionTime: at(world, sinceSeconds + 1) },
        { type: 'Ready', status: 'False', reason: 'Pending', message: `Waiting on certificate issuance from order ${names.ns}/${order}: "pending"`, lastTransitionTime: at(world, sinceSeconds + 1) },
      ],
    },
  };
  putObject(world, cr);
  putObject(world, {
    apiVersion: 'acme.cert-manager.io/v1',
    kind: 'Order',
    metadata: meta(world, order, names.ns, sinceSeconds + 2, { generation: 1, ownerReferences: owner(cr, 'CertificateRequest') }),
    spec: { request: (cr['spec'] as { request: string }).request, issuerRef: (cert['spec'] as { issuerRef: unknown }).issuerRef, commonName: `*.${world.fqdn}`, dnsNames: [`*.${world.fqdn}`, world.fqdn] },
    status: { state: 'pending', url: `https://acme-v02.api.letsencrypt.org/acme/order/123456/${order}`, finalizeURL: `https://acme-v02.api.letsencrypt.org/acme/finalize/123456/${order}` },
  });
  setListenerStatus(world, false, since);
}

/**
 * The end of issuance as cert-manager writes it: the Order `valid`, the request `Ready=True Issued`,
 * the Secret written (by the caller), the Certificate `Ready=True Ready` with the Issuing condition
 * removed and `revision: 1` (issuing controller), the listener `ResolvedRefs=True`.
 */
export function certificateIssued(world: World, names = { ns: 'kube-system', cert: 'sovereign-wildcard-tls' }): void {
  const now = at(world, (Date.now() - world.bootTime) / 1000);
  const cert = findObject(world, 'Certificate', names.ns, names.cert);
  if (!cert) return;
  const request = findObject(world, 'CertificateRequest', names.ns, `${names.cert}-1`);
  if (request) {
    const conds = ((request['status'] as { conditions: Record<string, unknown>[] }).conditions ?? []).filter((c) => c['type'] !== 'Ready');
    request['status'] = { conditions: [...conds, { type: 'Ready', status: 'True', reason: 'Issued', message: 'Certificate fetched from issuer successfully', lastTransitionTime: now }], certificate: b64('(chain)') };
  }
  const order = world.kube.objects.find((o) => o.kind === 'Order' && o.metadata.namespace === names.ns && o.metadata.name.startsWith(`${names.cert}-1-`));
  if (order) order['status'] = { ...(order['status'] as Record<string, unknown>), state: 'valid', certificate: b64('(chain)') };
  cert['status'] = {
    conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', lastTransitionTime: now, observedGeneration: 1 }],
    notBefore: now,
    notAfter: at(world, 90 * 86400),
    renewalTime: at(world, 60 * 86400),
    revision: 1,
  };
  setListenerStatus(world, true, now);
}

/** Gateway `kube-system/cilium-gateway` listener status for the HTTPS listener, as cilium writes it. */
function setListenerStatus(world: World, resolved: boolean, when: string): void {
  const gw = findObject(world, 'Gateway', 'kube-system', 'cilium-gateway');
  if (!gw) return;
  const st = (gw['status'] as Record<string, unknown> | undefined) ?? {};
  const https = {
    name: 'https',
    attachedRoutes: 3,
    supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
    conditions: resolved
      ? [
          { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Listener Accepted', lastTransitionTime: when, observedGeneration: 1 },
          { type: 'Programmed', status: 'True', reason: 'Programmed', message: 'Listener Programmed', lastTransitionTime: when, observedGeneration: 1 },
          { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'Resolved Refs', lastTransitionTime: when, observedGeneration: 1 },
        ]
      : [
          { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Listener Accepted', lastTransitionTime: when, observedGeneration: 1 },
          { type: 'Programmed', status: 'False', reason: 'Invalid', message: 'Listener is not programmed', lastTransitionTime: when, observedGeneration: 1 },
          { type: 'ResolvedRefs', status: 'False', reason: 'InvalidCertificateRef', message: 'Invalid CertificateRef', lastTransitionTime: when, observedGeneration: 1 },
        ],
  };
  gw['status'] = { ...st, listeners: [https, { name: 'http', attachedRoutes: 3, supportedKinds: https.supportedKinds, conditions: https.conditions.filter((c) => c.type !== 'ResolvedRefs' || resolved) }] };
}
