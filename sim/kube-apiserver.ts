/**
 * The simulated kube-apiserver: HTTPS on loopback with the sim's serving certificate, bearer-token
 * authentication, RBAC denials, a generic read-only object store over `world.kube.objects` (read live,
 * so scenarios and timeline events show at once), discovery documents, SelfSubjectAccessReview, and
 * `pods/exec` over WebSocket (channel protocols v5/v4) running a small command set against the
 * environment each container's process really got ({@link podEnv}).
 *
 * It follows the REST conventions real clients (kubectl 1.35, client-node) rely on: `/api/v1` and
 * `/apis/GROUP/VERSION`, namespaced and cluster-scoped paths, all-namespaces lists, label and field
 * selectors, `<Kind>List` with `metadata.resourceVersion`, and `Status` objects for 401/403/404/405.
 * Every request is logged with {@link logRequest}, so tests can prove the suite never writes.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { logRequest, type RunningServer, type SimContext } from './context.js';
import { fillCertificateRequests, findObject, podEnv } from './kube-objects.js';
import { matchesSelector, parseLabelSelector } from './label-selector.js';
import { rbacAllows, rbacSet, type AccessAttributes, type RbacObject } from './rbac.js';
import type { KubeObject, World } from './world.js';

/** The user the smoke identity's token maps to (shown in RBAC messages). */
export const SMOKE_USER = 'system:serviceaccount:kube-system:sovereign-smoke';

interface Resource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Every resource the fake serves. */
export const RESOURCES: Resource[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, verbs: RW, shortNames: ['ns'] },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false, verbs: RW, shortNames: ['no'] },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, verbs: RW, shortNames: ['po'], categories: ['all'] },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true, verbs: RW, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true, verbs: RW },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', namespaced: true, verbs: RW, shortNames: ['svc'], categories: ['all'] },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', namespaced: true, verbs: RW, shortNames: ['pvc'] },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true, verbs: RW, shortNames: ['ev'] },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true, verbs: RW, shortNames: ['deploy'], categories: ['all'] },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', namespaced: true, verbs: RW, shortNames: ['rs'], categories: ['all'] },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset', namespaced: true, verbs: RW, shortNames: ['sts'], categories: ['all'] },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset', namespaced: true, verbs: RW, shortNames: ['ds'], categories: ['all'] },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', plural: 'helmreleases', singular: 'helmrelease', namespaced: true, verbs: RW, shortNames: ['hr'], categories: ['all'] },
  { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization', plural: 'kustomizations', singular: 'kustomization', namespaced: true, verbs: RW, shortNames: ['ks'], categories: ['all'] },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'GitRepository', plural: 'gitrepositories', singular: 'gitrepository', namespaced: true, verbs: RW, shortNames: ['gitrepo'], categories: ['all'] },
  { group: 'cert-manager.io', version: 'v1', kind: 'Certificate', plural: 'certificates', singular: 'certificate', namespaced: true, verbs: RW, shortNames: ['cert', 'certs'], categories: ['cert-manager'] },
  { group: 'cert-manager.io', version: 'v1', kind: 'CertificateRequest', plural: 'certificaterequests', singular: 'certificaterequest', namespaced: true, verbs: RW, shortNames: ['cr', 'crs'], categories: ['cert-manager'] },
  { group: 'acme.cert-manager.io', version: 'v1', kind: 'Order', plural: 'orders', singular: 'order', namespaced: true, verbs: RW, categories: ['cert-manager', 'cert-manager-acme'] },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'Gateway', plural: 'gateways', singular: 'gateway', namespaced: true, verbs: RW, shortNames: ['gtw'], categories: ['gateway-api'] },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'HTTPRoute', plural: 'httproutes', singular: 'httproute', namespaced: true, verbs: RW, categories: ['gateway-api'] },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice', namespaced: true, verbs: RW },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', namespaced: false, verbs: ['create'] },
];

/** Subresources listed in discovery (only exec is served). */
const SUBRESOURCES = [{ group: '', version: 'v1', name: 'pods/exec', kind: 'PodExecOptions', namespaced: true, verbs: ['create', 'get'] }];

const groupVersion = (r: { group: string; version: string }): string => (r.group ? `${r.group}/${r.version}` : r.version);

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** `pods`, or `helmreleases.helm.toolkit.fluxcd.io`, as the API names a resource in messages. */
const qualified = (r: Resource): string => (r.group ? `${r.plural}.${r.group}` : r.plural);

// --- RBAC ---------------------------------------------------------------------------------------

/**
 * Whether a `verb resource[/sub] [namespace]` pattern (`world.kube.denied`/`granted`) matches. `*`
 * matches any verb or resource.
 */
function matches(pattern: string, verb: string, resource: string, namespace: string | undefined): boolean {
  const [pv, pr, pns] = pattern.trim().split(/\s+/);
  if (!pv || !pr) return false;
  if (pv !== '*' && pv !== verb) return false;
  if (pr !== '*' && pr !== resource) return false;
  return !pns || pns === '*' || pns === namespace;
}

/**
 * RBAC decision for the smoke identity: the Roles and bindings of `world.kube.rbac` (by default both
 * sets of sovereigns/rbac.yaml), then `denied` (a rule the scenario's Role lacks) and `granted`
 * (extra permissions, e.g. write access preflight must report) on top. Access reviews themselves are
 * allowed to every authenticated identity (ClusterRole system:basic-user).
 */
export function allowed(world: World, a: AccessAttributes): boolean {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (a.verb === 'create' && a.group === 'authorization.k8s.io' && a.resource === 'selfsubjectaccessreviews') return true;
  if (world.kube.denied.some((p) => matches(p, a.verb, resource, a.namespace))) return false;
  if (world.kube.granted.some((p) => matches(p, a.verb, resource, a.namespace))) return true;
  return rbacAllows(world.kube.rbac ?? defaultRbac(), SMOKE_USER, a);
}

let deepSet: RbacObject[] | undefined;
/** Both sets of sovereigns/rbac.yaml (read once). */
function defaultRbac(): RbacObject[] {
  deepSet ??= rbacSet('deep');
  return deepSet;
}

function forbiddenMessage(verb: string, r: { plural: string; group: string }, sub: string | undefined, name: string | undefined, namespace: string | undefined): string {
  const resource = sub ? `${r.plural}/${sub}` : r.plural;
  const subject = name ? `${r.group ? `${r.plural}.${r.group}` : r.plural} "${name}" is forbidden` : `${r.group ? `${r.plural}.${r.group}` : r.plural} is forbidden`;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  return `${subject}: User "${SMOKE_USER}" cannot ${verb} resource "${resource}" in API group "${r.group}" ${scope}`;
}

// --- managedFields --------------------------------------------------------------------------------

/**
 * An object as the API server returns it: with `metadata.managedFields`, each manager's last write.
 * A ConfigMap gets its creation by helm-controller and, when a Pod's process got a value from it that
 * differs from today's (`world.kube.processEnvAtStart`: the ConfigMap was edited after that Pod
 * started, and no controller rolled the Pod), the edit, a minute after that Pod started.
 */
function served(world: World, o: KubeObject): KubeObject {
  if (o.kind !== 'ConfigMap' || o.metadata['managedFields']) return o;
  const fields = (time: string | undefined, manager: string): Record<string, unknown> => ({ manager, operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } });
  const managed = [fields(o.metadata.creationTimestamp, 'helm-controller')];
  for (const [podName, env] of Object.entries(world.kube.processEnvAtStart)) {
    const pod = findObject(world, 'Pod', o.metadata.namespace, podName);
    const refs = ((pod?.['spec'] as { containers?: { env?: { name: string; valueFrom?: { configMapKeyRef?: { name: string } } }[] }[] } | undefined)?.containers ?? []).flatMap((c) => c.env ?? []);
    if (!refs.some((e) => e.name in env && e.valueFrom?.configMapKeyRef?.name === o.metadata.name)) continue;
    const started = Date.parse(String((pod?.['status'] as { startTime?: string } | undefined)?.startTime));
    if (Number.isFinite(started)) managed.push(fields(new Date(started + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), 'kubectl-edit'));
  }
  return { ...o, metadata: { ...o.metadata, managedFields: managed } };
}

// --- selectors ------------------------------------------------------------------------------------

function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const p of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

/** Parses a field selector (`metadata.name=x`, `status.phase!=Running`, …). */
export function parseFieldSelector(text: string): ((o: KubeObject) => boolean)[] | string {
  const out: ((o: KubeObject) => boolean)[] = [];
  for (const raw of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = raw.match(/^([\w.]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) return `invalid selector: '${raw}'; can't understand '${raw}'`;
    const [, path = '', op, value = ''] = m;
    out.push(op === '!=' ? (o) => fieldValue(o, path) !== value : (o) => fieldValue(o, path) === value);
  }
  return out;
}

// --- exec -----------------------------------------------------------------------------------------

/** Files a container sees from its Secret and ConfigMap volumes, by absolute path. */
function volumeFiles(world: World, pod: KubeObject, containerName: string): Record<string, string> {
  const spec = pod['spec'] as { containers: { name: string; volumeMounts?: { name: string; mountPath: string }[] }[]; volumes?: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[] };
  const container = spec.containers.find((c) => c.name === containerName);
  const files: Record<string, string> = {};
  for (const m of container?.volumeMounts ?? []) {
    const v = spec.volumes?.find((x) => x.name === m.name);
    if (v?.secret) {
      const s = findObject(world, 'Secret', pod.metadata.namespace, v.secret.secretName);
      for (const [k, b] of Object.entries((s?.['data'] as Record<string, string> | undefined) ?? {})) files[`${m.mountPath}/${k}`] = Buffer.from(b, 'base64').toString('utf8');
    } else if (v?.configMap) {
      const c = findObject(world, 'ConfigMap', pod.metadata.namespace, v.configMap.name);
      for (const [k, d] of Object.entries((c?.['data'] as Record<string, string> | undefined) ?? {})) files[`${m.mountPath}/${k}`] = d;
    }
  }
  return files;
}

interface ExecOutcome {
  stdout: string;
  stderr: string;
  /** 0, a non-zero exit code, or a runtime error message (the command could not start). */
  exit: number | string;
}

const notFound = (cmd: string): string => `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown`;

/** Runs the tiny command set the image (busybox) would: printenv, env, cat, echo, true/false, sh -c. */
export function runCommand(argv: string[], env: Record<string, string>, files: Record<string, string>): ExecOutcome {
  const [cmd = '', ...args] = argv;
  const base = cmd.replace(/^\/(usr\/)?bin\//, '');
  const lines = (): string => Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join('');
  switch (base) {
    case 'printenv': {
      if (args.length === 0) return { stdout: lines(), stderr: '', exit: 0 };
      let out = '';
      let missing = false;
      for (const a of args) {
        if (env[a] === undefined) missing = true;
        else out += `${env[a]}\n`;
      }
      return { stdout: out, stderr: '', exit: missing ? 1 : 0 };
    }
    case 'env':
      return { stdout: lines(), stderr: '', exit: 0 };
    case 'cat': {
      let out = '';
      let err = '';
      for (const f of args) {
        if (f === '/proc/1/environ' || f === '/proc/self/environ') out += Object.entries(env).map(([k, v]) => `${k}=${v}\0`).join('');
        else if (files[f] !== undefined) out += files[f];
        else err += `cat: can't open '${f}': No such file or directory\n`;
      }
      return { stdout: out, stderr: err, exit: err ? 1 : 0 };
    }
    case 'echo':
      return { stdout: `${args.join(' ')}\n`, stderr: '', exit: 0 };
    case 'true':
      return { stdout: '', stderr: '', exit: 0 };
    case 'false':
      return { stdout: '', stderr: '', exit: 1 };
    case 'sh':
    case 'bash': {
      if (args[0] !== '-c' || args[1] === undefined) return { stdout: '', stderr: `${base}: interactive shells are not supported here\n`, exit: 2 };
      // A minimal shell: `a; b`, `a && b`, `a || b`, words split on blanks, $VAR expanded.
      let stdout = '';
      let stderr = '';
      let last = 0;
      const tokens = args[1].split(/\s*(;|&&|\|\|)\s*/);
      let op = ';';
      for (let i = 0; i < tokens.length; i += 2) {
        const part = (tokens[i] ?? '').trim();
        if ((op === '&&' && last !== 0) || (op === '||' && last === 0) || !part) {
          op = tokens[i + 1] ?? ';';
          continue;
        }
        const words = part.split(/\s+/).map((w) => w.replace(/^["']|["']$/g, '').replace(/\$\{?(\w+)\}?/g, (_m, n: string) => env[n] ?? ''));
        const [c = ''] = words;
        const r = runCommand(words, env, files);
        stdout += r.stdout;
        stderr += r.stderr;
        if (typeof r.exit === 'string') {
          stderr += `${base}: ${c}: not found\n`;
          last = 127;
        } else last = r.exit;
        op = tokens[i + 1] ?? ';';
      }
      return { stdout, stderr, exit: last };
    }
    default:
      return { stdout: '', stderr: '', exit: notFound(cmd) };
  }
}

// --- protobuf (only what an access review needs) --------------------------------------------------

/** The length-delimited and varint fields of one protobuf message, by field number. */
function protoFields(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated varint');
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 2) {
      const len = varint();
      out.set(field, [...(out.get(field) ?? []), buf.subarray(i, i + len)]);
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

/**
 * Decodes a SelfSubjectAccessReview sent as Kubernetes protobuf: the `k8s\0` magic, a
 * runtime.Unknown envelope (field 2: raw), then spec (2) → resourceAttributes (1) with namespace 1,
 * verb 2, group 3, version 4, resource 5, subresource 6, name 7; nonResourceAttributes is field 2.
 */
export function decodeAccessReview(body: Buffer): { spec: { resourceAttributes?: Record<string, string>; nonResourceAttributes?: Record<string, string> } } {
  const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
  if (!body.subarray(0, 4).equals(magic)) throw new Error('no k8s protobuf magic');
  const raw = protoFields(body.subarray(4)).get(2)?.[0];
  if (!raw) throw new Error('no raw object');
  const spec = protoFields(raw).get(2)?.[0];
  const specFields = spec ? protoFields(spec) : new Map<number, Buffer[]>();
  const ra = specFields.get(1)?.[0];
  const nra = specFields.get(2)?.[0];
  const names: Record<number, string> = { 1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource', 6: 'subresource', 7: 'name' };
  const toAttrs = (b: Buffer, map: Record<number, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [f, vals] of protoFields(b)) if (map[f] && vals[0]) out[map[f]] = vals[0].toString('utf8');
    return out;
  };
  return { spec: { ...(ra ? { resourceAttributes: toAttrs(ra, names) } : {}), ...(nra ? { nonResourceAttributes: toAttrs(nra, { 1: 'path', 2: 'verb' }) } : {}) } };
}

// --- the server -----------------------------------------------------------------------------------

interface ParsedPath {
  resource: Resource;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
}

function findResource(group: string, version: string, plural: string): Resource | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** Parses `/api/v1/...` and `/apis/G/V/...` resource paths. */
function parseResourcePath(path: string): ParsedPath | 'not-found' | undefined {
  const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api' && seg.length >= 3) [group, version, rest] = ['', seg[1] ?? '', seg.slice(2)];
  else if (seg[0] === 'apis' && seg.length >= 4) [group, version, rest] = [seg[1] ?? '', seg[2] ?? '', seg.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  // `/namespaces/NS/<plural>...` is a namespaced path; `/namespaces` and `/namespaces/NS` are the Namespace resource.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural = '', name, sub, ...extra] = rest;
  const resource = findResource(group, version, plural);
  if (!resource || extra.length) return 'not-found';
  if (namespace !== undefined && !resource.namespaced) return 'not-found';
  return { resource, namespace, name, sub };
}

function objectsOf(world: World, r: Resource): KubeObject[] {
  const gv = groupVersion(r);
  return world.kube.objects.filter((o) => o.kind === r.kind && o.apiVersion === gv);
}

function discoveryList(group: string, version: string): Record<string, unknown> {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version).map((r) => ({
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
  }));
  for (const s of SUBRESOURCES.filter((x) => x.group === group && x.version === version)) resources.push({ name: s.name, singularName: '', namespaced: s.namespaced, kind: s.kind, verbs: s.verbs });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function groups(): Record<string, unknown> {
  const names = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: names.map((g) => {
      const versions = [...new Set(RESOURCES.filter((r) => r.group === g).map((r) => r.version))].map((v) => ({ groupVersion: `${g}/${v}`, version: v }));
      return { name: g, versions, preferredVersion: versions[0] };
    }),
  };
}

/**
 * Starts the fake on 127.0.0.1 (random port) with the sim PKI's apiserver certificate.
 *
 * @example
 * const kube = await startKubeApiserver(ctx); // https://127.0.0.1:${kube.port}
 */
export async function startKubeApiserver(ctx: SimContext): Promise<RunningServer> {
  const world = ctx.world;
  const cert = ctx.pki.apiServer;
  // cert-manager's CertificateRequests carry the chain they issued (status.certificate), made with the PKI.
  fillCertificateRequests(world, ctx.pki.clusterSecret.chainPem);
  // Client certificates are asked for and judged per request (as kube-apiserver does with
  // --client-ca-file): a request without one may still authenticate with a token.
  const clientCa = ctx.pki.kubeClient?.caPem;
  const server = createServer({ cert: cert.chainPem, key: cert.keyPem, ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: false } : {}) });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => ['v5.channel.k8s.io', 'v4.channel.k8s.io'].find((x) => p.has(x)) ?? false });

  const authenticated = (req: IncomingMessage): boolean => {
    if (!world.kube.tokenAccepted) return false;
    const h = req.headers.authorization ?? '';
    if (h === `Bearer ${world.kube.token}`) return true;
    // A client certificate from the client CA, for the admin identity (O=system:masters, CN=system:admin).
    const socket = req.socket as TLSSocket;
    if (!clientCa || !socket.authorized) return false;
    const peer = socket.getPeerCertificate();
    return peer.subject?.CN === 'system:admin' && [peer.subject.O].flat().includes('system:masters');
  };

  const send = (req: IncomingMessage, res: ServerResponse, code: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
    res.end(text);
    logRequest(ctx, 'kube', req.method ?? 'GET', req.url ?? '/', code);
  };

  const readBodyBuffer = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (!authenticated(req)) return send(req, res, 401, status(401, 'Unauthorized', 'Unauthorized'));

    // Discovery.
    if (method === 'GET') {
      if (path === '/version') {
        const m = world.kube.version.match(/^v(\d+)\.(\d+)/);
        return send(req, res, 200, { major: m?.[1] ?? '1', minor: m?.[2] ?? '31', gitVersion: world.kube.version, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-04-01T00:00:00Z', goVersion: 'go1.23.6', compiler: 'gc', platform: 'linux/amd64' });
      }
      if (path === '/api') return send(req, res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.1.2:6443' }] });
      if (path === '/apis') return send(req, res, 200, groups());
      if (path === '/api/v1') return send(req, res, 200, discoveryList('', 'v1'));
      const g = path.match(/^\/apis\/([^/]+)(?:\/([^/]+))?$/);
      if (g) {
        const [, group = '', version] = g;
        const known = RESOURCES.some((r) => r.group === group && (!version || r.version === version));
        if (!known) return send(req, res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
        if (version) return send(req, res, 200, discoveryList(group, version));
        const gl = (groups()['groups'] as { name: string }[]).find((x) => x.name === group);
        return send(req, res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...gl });
      }
      if (path === '/healthz' || path === '/readyz' || path === '/livez') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        logRequest(ctx, 'kube', method, req.url ?? '/', 200);
        return;
      }
    }

    const parsed = parseResourcePath(path);
    if (!parsed || parsed === 'not-found') return send(req, res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const { resource: r, namespace, name, sub } = parsed;

    // SelfSubjectAccessReview: the one create the suite may make.
    if (r.plural === 'selfsubjectaccessreviews') {
      if (method !== 'POST' || name) return send(req, res, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
      let review: { spec?: { resourceAttributes?: Record<string, string>; nonResourceAttributes?: Record<string, string> } };
      try {
        const raw = await readBodyBuffer(req);
        // kubectl sends built-in types as protobuf (application/vnd.kubernetes.protobuf).
        review = String(req.headers['content-type']).includes('protobuf') ? decodeAccessReview(raw) : (JSON.parse(raw.toString('utf8')) as typeof review);
      } catch {
        return send(req, res, 400, status(400, 'BadRequest', `the request body is not a SelfSubjectAccessReview in JSON (Content-Type ${String(req.headers['content-type'])})`));
      }
      const a = review.spec?.resourceAttributes ?? {};
      // The same decision the request itself would get, resourceNames included (attributes.name).
      const ok = review.spec?.nonResourceAttributes
        ? true
        : allowed(world, { verb: a['verb'] ?? '', group: a['group'] ?? '', resource: a['resource'] ?? '', ...(a['subresource'] ? { subresource: a['subresource'] } : {}), ...(a['namespace'] ? { namespace: a['namespace'] } : {}), ...(a['name'] ? { name: a['name'] } : {}) });
      return send(req, res, 201, {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: review.spec ?? {},
        status: ok ? { allowed: true, reason: `RBAC: allowed for User "${SMOKE_USER}"` } : { allowed: false },
      });
    }

    if (sub === 'exec' && r.plural === 'pods') return send(req, res, 400, status(400, 'BadRequest', 'Upgrade request required'));
    if (sub) return send(req, res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));

    if (method !== 'GET') {
      // The suite must never write: every such request is logged, and refused.
      const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' };
      const verb = verbs[method] ?? method.toLowerCase();
      if (!allowed(world, { verb, group: r.group, resource: r.plural, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) })) return send(req, res, 403, status(403, 'Forbidden', forbiddenMessage(verb, r, undefined, name, namespace), { ...(name ? { name } : {}), kind: r.plural }));
      return send(req, res, 405, status(405, 'MethodNotAllowed', `the simulated Sovereign is read-only: ${method} on ${qualified(r)} is not served`));
    }

    const verb = name ? 'get' : url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' ? 'watch' : 'list';
    if (!allowed(world, { verb, group: r.group, resource: r.plural, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) })) return send(req, res, 403, status(403, 'Forbidden', forbiddenMessage(verb, r, undefined, name, namespace), { ...(name ? { name } : {}), kind: r.plural }));
    if (verb === 'watch') return send(req, res, 405, status(405, 'MethodNotAllowed', 'watch is not served by the simulated Sovereign'));

    if (name) {
      const obj = objectsOf(world, r).find((o) => o.metadata.name === name && (r.namespaced ? o.metadata.namespace === namespace : true));
      if (!obj || (r.namespaced && !namespace)) return send(req, res, 404, status(404, 'NotFound', `${qualified(r)} "${name}" not found`, { name, ...(r.group ? { group: r.group } : {}), kind: r.plural }));
      return send(req, res, 200, served(world, obj));
    }

    let items = objectsOf(world, r).filter((o) => !r.namespaced || namespace === undefined || o.metadata.namespace === namespace);
    const ls = url.searchParams.get('labelSelector');
    if (ls) {
      const reqs = parseLabelSelector(ls);
      if (!reqs) return send(req, res, 400, status(400, 'BadRequest', `unable to parse requirement: "${ls}"`));
      items = items.filter((o) => matchesSelector(o.metadata.labels ?? {}, reqs));
    }
    const fs = url.searchParams.get('fieldSelector');
    if (fs) {
      const reqs = parseFieldSelector(fs);
      if (typeof reqs === 'string') return send(req, res, 400, status(400, 'BadRequest', reqs));
      items = items.filter((o) => reqs.every((f) => f(o)));
    }
    const rv = String(world.kube.objects.reduce((m, o) => Math.max(m, Number(o.metadata.resourceVersion ?? 0)), 1000));
    return send(req, res, 200, { kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata: { resourceVersion: rv }, items: items.map((o) => served(world, o)) });
  };

  // Upgrades held unanswered (world.kube.unanswered): the server does not track them, close does.
  const held = new Set<Duplex>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (world.kube.unanswered) {
      logRequest(ctx, 'kube', req.method ?? 'GET', `${req.url ?? '/'} (unanswered)`, 0);
      return; // held, never answered; destroyed on close
    }
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(req, res, 500, status(500, 'InternalError', `simulated apiserver error: ${String(err)}`));
    });
  });

  // pods/exec over WebSocket.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (world.kube.unanswered) {
      logRequest(ctx, 'kube', 'GET', `${req.url ?? '/'} (unanswered)`, 0);
      held.add(socket);
      return;
    }
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const refuse = (code: number, body: Record<string, unknown>): void => {
      const text = JSON.stringify(body);
      const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[code] ?? 'Error';
      socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      logRequest(ctx, 'kube', 'GET', req.url ?? '/', code);
    };
    if (!authenticated(req)) return refuse(401, status(401, 'Unauthorized', 'Unauthorized'));
    const m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/);
    if (!m) return refuse(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const namespace = decodeURIComponent(m[1] ?? '');
    const podName = decodeURIComponent(m[2] ?? '');
    const pods = RESOURCES.find((r) => r.plural === 'pods') as Resource;
    // A WebSocket upgrade is a GET, authorized as `get pods/exec`; from 1.35 (AuthorizePodWebsocketUpgradeCreatePermission)
    // `create` is required as well. kubectl's SPDY POST needs only `create`.
    const minor = Number(/^v?1\.(\d+)/.exec(world.kube.version)?.[1] ?? '0');
    for (const verb of minor >= 35 ? ['get', 'create'] : ['get']) {
      if (!allowed(world, { verb, group: '', resource: 'pods', subresource: 'exec', namespace, name: podName })) return refuse(403, status(403, 'Forbidden', forbiddenMessage(verb, pods, 'exec', podName, namespace), { name: podName, kind: 'pods' }));
    }
    const pod = findObject(world, 'Pod', namespace, podName);
    if (!pod) return refuse(404, status(404, 'NotFound', `pods "${podName}" not found`, { name: podName, kind: 'pods' }));
    const spec = pod['spec'] as { containers: { name: string }[] };
    const containerName = url.searchParams.get('container') ?? spec.containers[0]?.name ?? '';
    if (!spec.containers.some((c) => c.name === containerName)) return refuse(400, status(400, 'BadRequest', `container ${containerName} is not valid for pod ${podName}`));
    const st = pod['status'] as { phase?: string; containerStatuses?: { name: string; state?: { running?: unknown } }[] } | undefined;
    const running = st?.phase === 'Running' && st.containerStatuses?.find((c) => c.name === containerName)?.state?.running !== undefined;
    if (!running) return refuse(400, status(400, 'BadRequest', `unable to upgrade connection: container not found ("${containerName}")`));
    const command = url.searchParams.getAll('command');
    if (command.length === 0) return refuse(400, status(400, 'BadRequest', 'you must specify at least 1 command'));
    const offered = String(req.headers['sec-websocket-protocol'] ?? '');
    if (!/\bv[45]\.channel\.k8s\.io\b/.test(offered)) return refuse(400, status(400, 'BadRequest', 'exec needs the WebSocket channel protocol v4.channel.k8s.io or v5.channel.k8s.io'));

    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      logRequest(ctx, 'kube', 'GET', req.url ?? '/', 101);
      const frame = (ch: number, s: string): Buffer => Buffer.concat([Buffer.from([ch]), Buffer.from(s, 'utf8')]);
      const out = runCommand(command, podEnv(world, pod, containerName), volumeFiles(world, pod, containerName));
      if (out.stdout) ws.send(frame(1, out.stdout));
      if (out.stderr) ws.send(frame(2, out.stderr));
      const st =
        out.exit === 0
          ? { metadata: {}, status: 'Success' }
          : typeof out.exit === 'number'
            ? { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${out.exit}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(out.exit) }] } }
            : { metadata: {}, status: 'Failure', message: `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: ${out.exit}`, reason: 'InternalError', code: 500, details: { causes: [{ message: out.exit }] } };
      ws.send(frame(3, JSON.stringify(st)), () => ws.close(1000));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      for (const s of held) s.destroy();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
