/**
 * Fidelity of the simulated kube-apiserver, checked by clients nobody here wrote: real kubectl 1.35
 * (`get -o json`, `get helmreleases.helm.toolkit.fluxcd.io -A`, `exec -- printenv`, a refused token,
 * a refused exec) and the suite's own client (clients/kube.ts: static credentials read directly, a
 * client certificate as k3s issues it, an exec credential plugin through @kubernetes/client-node). Then the
 * read-only proof: the cluster checks run against the simulator and its request log shows no write
 * to the kube API except SelfSubjectAccessReviews.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer as createHttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../clients/config.js';
import { KubeError } from '../report/errors.js';
import { Kube } from '../clients/kube.js';
import { readKubeconfig } from '../clients/kubeconfig.js';
import { redact } from '../report/redact.js';
import type { RunningServer, SimContext } from '../sim/context.js';
import { catalystHandler } from '../sim/catalyst-api.js';
import { DEPLOYMENT_ID, healthyWorld } from '../sim/healthy.js';
import { startSim } from '../sim/index.js';
import { runCommand, startKubeApiserver } from '../sim/kube-apiserver.js';
import { findObject } from '../sim/kube-objects.js';
import { matchesSelector, parseLabelSelector } from '../sim/label-selector.js';
import { makePki } from '../sim/pki.js';
import { findScenario } from '../sim/scenarios/index.js';
import { runEngine } from './run.js';

const ROOT = resolve(import.meta.dirname, '..');
const KUBECTL = join(ROOT, 'tools/kubectl/kubectl');
const POD = 'catalyst-api-7d9f8c6b5-x7k2p';
const noKubectl = existsSync(KUBECTL) ? false : 'tools/kubectl/kubectl is missing: run scripts/setup --dev';

interface KubeSim {
  ctx: SimContext;
  server: RunningServer;
  kubeconfig: string;
  dir: string;
  fqdn: string;
  stop(): Promise<void>;
}

/** Starts only the kube-apiserver fake, on a world with `scenario` applied. */
async function startKube(scenario = 'healthy', opts: { readAll?: boolean } = {}): Promise<KubeSim> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-kube-'));
  const world = healthyWorld({ name: 'sim', dir });
  const s = findScenario(scenario);
  if (!s) throw new Error(`no scenario ${scenario}`);
  s.apply(world);
  // REST fidelity tests list across namespaces, which no Role of sovereigns/rbac.yaml grants.
  if (opts.readAll) world.kube.granted.push('get *', 'list *');
  const pki = await makePki(dir, world.fqdn, 'valid', { kubeClientCert: world.kube.credentials === 'client-certificate' });
  const ctx: SimContext = { world, pki, requests: [], ports: {} };
  const server = await startKubeApiserver(ctx);
  const kubeconfig = join(dir, 'kubeconfig');
  const b64 = (t: string): string => Buffer.from(t).toString('base64');
  const user = pki.kubeClient ? `    client-certificate-data: ${b64(pki.kubeClient.cert.leafPem)}\n    client-key-data: ${b64(pki.kubeClient.cert.keyPem)}` : `    token: ${world.kube.token}`;
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster:\n    server: https://127.0.0.1:${server.port}\n    certificate-authority-data: ${b64(pki.caPem)}\nusers:\n- name: smoke\n  user:\n${user}\ncontexts:\n- name: sim\n  context:\n    cluster: sim\n    user: smoke\ncurrent-context: sim\n`,
    { mode: 0o600 },
  );
  return {
    ctx,
    server,
    kubeconfig,
    dir,
    fqdn: world.fqdn,
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function kubectl(sim: KubeSim, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // A private HOME and cache dir: no discovery cache from elsewhere, nothing left behind.
  const home = join(sim.dir, 'home');
  return new Promise((done) => {
    execFile(KUBECTL, ['--kubeconfig', sim.kubeconfig, '--cache-dir', join(home, 'cache'), '--request-timeout', '10s', ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: home }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function client(sim: KubeSim, kubeconfig = sim.kubeconfig): Kube {
  const r = loadConfig({ SOVEREIGN_FQDN: sim.fqdn, KUBECONFIG: kubeconfig, SMOKE_TIMEOUT: '5s' });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return new Kube(r.config);
}

void describe('kube-apiserver fake with real kubectl', { skip: noKubectl }, () => {
  let healthy: KubeSim;
  let race: KubeSim;
  before(async () => {
    // The deep set of sovereigns/rbac.yaml: kubectl exec and Secret reads (healthy itself runs under least privilege).
    [healthy, race] = await Promise.all([startKube('healthy-deep', { readAll: true }), startKube('sovereign-fqdn-race')]);
  });
  after(async () => {
    await Promise.all([healthy?.stop(), race?.stop()]);
  });

  void it('get pods -n catalyst-system -o json lists the catalyst-api Pod as a PodList', async () => {
    // Beside catalyst-api the namespace runs the rest of the Catalyst control plane (catalyst-ui, the controllers, …).
    const r = await kubectl(healthy, ['get', 'pods', '-n', 'catalyst-system', '-l', 'app.kubernetes.io/name=catalyst-api', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { kind: string; items: { metadata: { name: string }; status: { phase: string } }[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((p) => p.metadata.name), [POD]);
    assert.equal(list.items[0]?.status.phase, 'Running');
  });

  void it('get helmreleases.helm.toolkit.fluxcd.io -A lists every bp-* HelmRelease', async () => {
    const r = await kubectl(healthy, ['get', 'helmreleases.helm.toolkit.fluxcd.io', '-A']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /flux-system\s+bp-catalyst-platform/);
    assert.match(r.stdout, /flux-system\s+bp-keycloak/);
  });

  void it('get hr (short name) -o jsonpath reads a condition', async () => {
    const r = await kubectl(healthy, ['get', 'hr', '-n', 'flux-system', 'bp-catalyst-platform', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'True');
  });

  void it('get of a missing object answers NotFound as the real API server does', async () => {
    const r = await kubectl(healthy, ['get', 'configmap', '-n', 'catalyst-system', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /configmaps "nope" not found/);
  });

  void it('exec -- printenv SOVEREIGN_FQDN prints the FQDN in a healthy Pod', async () => {
    const r = await kubectl(healthy, ['exec', '-n', 'catalyst-system', POD, '-c', 'catalyst-api', '--', 'printenv', 'SOVEREIGN_FQDN']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${healthy.fqdn}\n`);
  });

  void it('exec -- printenv SOVEREIGN_FQDN exits 1 with nothing when the ConfigMap came after the Pod', async () => {
    const r = await kubectl(race, ['exec', '-n', 'catalyst-system', POD, '-c', 'catalyst-api', '--', 'printenv', 'SOVEREIGN_FQDN']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /command terminated with exit code 1/);
  });

  void it('exec of a command not in the image fails like the container runtime', async () => {
    const r = await kubectl(healthy, ['exec', '-n', 'catalyst-system', POD, '--', 'nosuch']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /executable file not found in \$PATH/);
  });

  void it('a bad token is refused with 401', async () => {
    const r = await kubectl(healthy, ['--token', 'not-the-token', 'get', 'pods', '-n', 'catalyst-system']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /You must be logged in to the server|Unauthorized/);
    assert.ok(healthy.ctx.requests.some((q) => q.status === 401));
  });

  void it('a denied exec is refused with the RBAC message', async () => {
    const sim = await startKube('exec-forbidden');
    try {
      const r = await kubectl(sim, ['exec', '-n', 'catalyst-system', POD, '--', 'printenv', 'SOVEREIGN_FQDN']);
      assert.notEqual(r.code, 0);
      // kubectl 1.35 execs over WebSocket: a GET, authorized as get pods/exec.
      assert.match(r.stderr, /cannot get resource "pods\/exec" in API group "" in the namespace "catalyst-system"/);
      const auth = await kubectl(sim, ['auth', 'can-i', 'create', 'pods/exec', '-n', 'catalyst-system']);
      assert.equal(auth.stdout.trim(), 'no');
    } finally {
      await sim.stop();
    }
  });

  void it('authorizes from the Roles of sovereigns/rbac.yaml: kubectl auth can-i answers by resourceNames, least privilege denies exec and Secrets', async () => {
    const [least, named] = await Promise.all([startKube('healthy'), startKube('rbac-resource-names')]);
    try {
      const can = async (sim: KubeSim, ...args: string[]): Promise<string> => (await kubectl(sim, ['auth', 'can-i', ...args])).stdout.trim();
      assert.equal(await can(least, 'list', 'pods', '-n', 'catalyst-system'), 'yes');
      assert.equal(await can(least, 'list', 'nodes'), 'yes');
      assert.equal(await can(least, 'list', 'certificaterequests.cert-manager.io', '-n', 'kube-system'), 'yes');
      assert.equal(await can(least, 'get', 'secrets/catalyst-handover-jwt-public', '-n', 'catalyst-system'), 'no');
      // (kubectl reads pods/exec as TYPE/NAME; the subresource has its own flag.)
      assert.equal(await can(least, 'get', 'pods', '--subresource=exec', '-n', 'catalyst-system'), 'no');
      assert.equal(await can(named, 'get', 'pods', '--subresource=exec', '-n', 'catalyst-system'), 'yes');
      assert.equal(await can(least, 'list', 'pods', '-n', 'keycloak'), 'no', 'a RoleBinding grants in its own namespace only');
      // A Role scoped with resourceNames: the named object yes, others and lists no.
      assert.equal(await can(named, 'get', 'configmaps/sovereign-fqdn', '-n', 'catalyst-system'), 'yes');
      assert.equal(await can(named, 'get', 'configmaps/other', '-n', 'catalyst-system'), 'no');
      assert.equal(await can(named, 'list', 'configmaps', '-n', 'catalyst-system'), 'no');
      assert.equal(await can(named, 'get', 'secrets/catalyst-handover-jwt-public', '-n', 'catalyst-system'), 'yes');
      assert.equal(await can(named, 'get', 'secrets/harbor-robot-token', '-n', 'catalyst-system'), 'no');
      // The request itself gets the same answer as its review.
      const denied = await kubectl(least, ['get', 'secret', 'catalyst-handover-jwt-public', '-n', 'catalyst-system']);
      assert.match(denied.stderr, /secrets "catalyst-handover-jwt-public" is forbidden/);
      const allowedGet = await kubectl(named, ['get', 'configmap', 'sovereign-fqdn', '-n', 'catalyst-system', '-o', 'name']);
      assert.equal(allowedGet.stdout.trim(), 'configmap/sovereign-fqdn', allowedGet.stderr);
    } finally {
      await Promise.all([least.stop(), named.stop()]);
    }
  });
});

void describe('the suite kube client (clients/kube.ts) against the fake', () => {
  let sim: KubeSim;
  before(async () => {
    sim = await startKube('healthy-deep', { readAll: true });
  });
  after(async () => {
    await sim?.stop();
  });

  void it('is reachable and reads the server version', async () => {
    const kube = client(sim);
    assert.deepEqual(await kube.reachable(), { ok: true });
    assert.equal(kube.serverVersion, sim.ctx.world.kube.version);
  });

  void it('gets, lists with label and field selectors, and answers undefined on 404', async () => {
    const kube = client(sim);
    assert.equal((await kube.get('apps/v1', 'Deployment', 'catalyst-system', 'catalyst-api'))?.metadata.name, 'catalyst-api');
    assert.equal(await kube.get('v1', 'ConfigMap', 'catalyst-system', 'nope'), undefined);
    assert.equal((await kube.list('v1', 'Pod', 'catalyst-system', { labelSelector: 'app.kubernetes.io/name=catalyst-api' })).length, 1);
    assert.equal((await kube.list('v1', 'Pod', undefined, { labelSelector: 'app.kubernetes.io/name in (nothing)' })).length, 0);
    const running = await kube.list<{ metadata: { name: string }; status: { phase: string } }>('v1', 'Pod', undefined, { fieldSelector: 'status.phase=Running' });
    assert.ok(running.some((p) => p.metadata.name === POD) && running.every((p) => p.status.phase === 'Running'));
    assert.equal((await kube.list('v1', 'Pod', undefined, { fieldSelector: 'status.phase!=Running' })).length, 0);
    assert.equal((await kube.list('v1', 'Namespace', undefined, { fieldSelector: 'metadata.name=flux-system' })).length, 1);
    const hrs = await kube.list('helm.toolkit.fluxcd.io/v2', 'HelmRelease', undefined);
    assert.ok(hrs.every((h) => h.kind === 'HelmRelease' && h.metadata.name.startsWith('bp-')));
  });

  void it('decodes Secrets and answers access reviews', async () => {
    const kube = client(sim);
    const s = await kube.readSecret('catalyst-system', 'catalyst-handover-jwt-public');
    assert.equal(JSON.parse(s?.['public.jwk'] ?? '{}').kty, 'RSA');
    assert.equal(await kube.can('get', 'pods', { namespace: 'catalyst-system' }), true);
    assert.equal(await kube.can('delete', 'pods', { namespace: 'catalyst-system' }), false);
    // Secret values are registered for redaction, except keys that hold no secret.
    const sa = await kube.readSecret('keycloak', 'catalyst-kc-sa-credentials');
    assert.equal(redact(`realm ${sa?.['realm'] ?? '?'} client ${sa?.['client-id'] ?? '?'}`), 'realm sovereign client catalyst-api-server');
    assert.ok(!redact(`secret ${sa?.['client-secret'] ?? '?'}`).includes(sa?.['client-secret'] ?? '?'), 'the client secret is redacted');
  });

  void it('serves managedFields: a ConfigMap edited after a Pod started shows the edit', async () => {
    const kube = client(sim);
    type Managed = { manager: string; time: string }[];
    const fields = async (): Promise<Managed> => ((await kube.get('v1', 'ConfigMap', 'catalyst-system', 'sovereign-fqdn'))?.metadata['managedFields'] ?? []) as Managed;
    const before = await fields();
    assert.deepEqual(before.map((f) => f.manager), ['helm-controller']);
    sim.ctx.world.kube.processEnvAtStart[POD] = { SOVEREIGN_FQDN: 'old.example' };
    try {
      const after = await fields();
      const started = (findObject(sim.ctx.world, 'Pod', 'catalyst-system', POD)?.['status'] as { startTime: string }).startTime;
      assert.ok(after.some((f) => f.manager === 'kubectl-edit' && Date.parse(f.time) > Date.parse(started)), JSON.stringify(after));
    } finally {
      delete sim.ctx.world.kube.processEnvAtStart[POD];
    }
  });

  void it('execs over WebSocket with exit codes', async () => {
    const kube = client(sim);
    const ok = await kube.exec('catalyst-system', POD, 'catalyst-api', ['printenv', 'SOVEREIGN_FQDN']);
    assert.deepEqual(ok, { stdout: `${sim.fqdn}\n`, stderr: '', exitCode: 0 });
    const missing = await kube.exec('catalyst-system', POD, 'catalyst-api', ['printenv', 'NOPE']);
    assert.equal(missing.exitCode, 1);
    const environ = await kube.exec('catalyst-system', POD, 'catalyst-api', ['cat', '/proc/1/environ']);
    assert.ok(environ.stdout.split('\0').includes(`SOVEREIGN_FQDN=${sim.fqdn}`));
    const notFound = await kube.exec('catalyst-system', POD, 'catalyst-api', ['nosuch']);
    assert.equal(notFound.exitCode, 127);
    await assert.rejects(kube.exec('catalyst-system', 'no-such-pod', 'catalyst-api', ['env']), (e: unknown) => e instanceof KubeError && e.status === 404);
  });

  void it('reports refused credentials as kube-unauthenticated', async () => {
    sim.ctx.world.kube.tokenAccepted = false;
    try {
      const r = await client(sim).reachable();
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.causeId, 'kube-unauthenticated');
    } finally {
      sim.ctx.world.kube.tokenAccepted = true;
    }
  });

  void it('reports a dead server as kube-unreachable and a missing kubeconfig as kube-not-configured', async () => {
    const dead = loadConfig({ SOVEREIGN_FQDN: sim.fqdn, SMOKE_TIMEOUT: '1s' });
    assert.ok(dead.ok);
    const k = new Kube({ ...dead.config, kubeconfigPath: join(sim.dir, 'absent') });
    const r = await k.reachable();
    assert.equal(!r.ok && r.causeId, 'kube-not-configured');
    const cfg = join(sim.dir, 'dead-kubeconfig');
    writeFileSync(cfg, `apiVersion: v1\nkind: Config\nclusters:\n- name: d\n  cluster:\n    server: https://127.0.0.1:9\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: x\ncontexts:\n- name: d\n  context:\n    cluster: d\n    user: u\ncurrent-context: d\n`);
    const r2 = await new Kube({ ...dead.config, kubeconfigPath: cfg }).reachable();
    assert.equal(!r2.ok && r2.causeId, 'kube-unreachable');
  });
});

void describe('kubeconfig credentials (clients/kubeconfig.ts): read directly, or through client-node', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const config = (cluster: string, user: string, extra = ''): string =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n${cluster}\nusers:\n- name: u\n  user:\n${user}\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n${extra}`;
  const applied = async (path: string, context?: string): Promise<{ opts: Record<string, unknown>; headers: Record<string, string> }> => {
    const r = readKubeconfig(path, context);
    assert.equal(r.kind, 'static', JSON.stringify(r));
    const opts: Record<string, unknown> = {};
    if (r.kind === 'static') await r.endpoint.apply(opts);
    return { opts, headers: (opts['headers'] as Record<string, string> | undefined) ?? {} };
  };

  void it('applies a token, a CA, tls-server-name, insecure-skip-tls-verify and impersonation', async () => {
    const f = write('token', config('    server: https://10.0.0.1:6443\n    certificate-authority-data: UEVN\n    tls-server-name: k3s\n    insecure-skip-tls-verify: true', '    token: abc123token\n    as: someone', 'current-context: x\n'));
    const { opts, headers } = await applied(f);
    assert.equal(headers['Authorization'], 'Bearer abc123token');
    assert.equal(headers['Impersonate-User'], 'someone');
    assert.equal(String(opts['ca']), 'PEM');
    assert.equal(opts['servername'], 'k3s');
    assert.equal(opts['rejectUnauthorized'], false);
  });

  void it('reads tokenFile and certificate files relative to the kubeconfig, and basic auth', async () => {
    mkdirSync(join(dir, 'certs'), { recursive: true });
    write('certs/token', 'from-a-file\n');
    write('certs/ca.crt', 'CA');
    write('certs/client.crt', 'CERT');
    write('certs/client.key', 'KEY');
    const f = write('files', config('    server: https://h\n    certificate-authority: certs/ca.crt', '    tokenFile: certs/token\n    client-certificate: certs/client.crt\n    client-key: certs/client.key', 'current-context: x\n'));
    const { opts, headers } = await applied(f);
    assert.equal(headers['Authorization'], 'Bearer from-a-file');
    assert.deepEqual([String(opts['ca']), String(opts['cert']), String(opts['key'])], ['CA', 'CERT', 'KEY']);
    const basic = write('basic', config('    server: https://h', '    username: admin\n    password: pa55word', 'current-context: x\n'));
    assert.equal((await applied(basic)).headers['Authorization'], `Basic ${Buffer.from('admin:pa55word').toString('base64')}`);
  });

  void it('names what is wrong: no current-context, an unknown context, a context without a cluster, a file it cannot read', () => {
    const noCurrent = write('nocurrent', config('    server: https://h', '    token: t'));
    assert.match(JSON.stringify(readKubeconfig(noCurrent)), /no current-context/);
    assert.match(JSON.stringify(readKubeconfig(noCurrent, 'other')), /no context \\"other\\"/);
    const noServer = write('noserver', config('    certificate-authority-data: UEVN', '    token: t', 'current-context: x\n'));
    assert.match(JSON.stringify(readKubeconfig(noServer)), /no cluster for context/);
    const missingFile = write('missingfile', config('    server: https://h', '    client-certificate: nope.crt\n    client-key: nope.key', 'current-context: x\n'));
    assert.match(JSON.stringify(readKubeconfig(missingFile)), /a file it names cannot be read/);
    assert.match(JSON.stringify(readKubeconfig(write('bad', 'a: [\n'))), /cannot be read/);
  });

  void it('merges a KUBECONFIG list as kubectl does: missing files skipped, first current-context and first name win, paths relative to their own file', async () => {
    mkdirSync(join(dir, 'other'), { recursive: true });
    write('other/ca.crt', 'OTHER-CA');
    const personal = write('personal', `apiVersion: v1\nkind: Config\ncurrent-context: otech64\nclusters: []\nusers: []\ncontexts: []\n`);
    const sovereign = write(
      'other/otech64.yaml',
      `apiVersion: v1\nkind: Config\ncurrent-context: elsewhere\nclusters:\n- name: c\n  cluster:\n    server: https://otech64:6443\n    certificate-authority: ca.crt\nusers:\n- name: u\n  user:\n    token: second-file-token\ncontexts:\n- name: otech64\n  context:\n    cluster: c\n    user: u\n`,
    );
    const shadow = write('shadow', config('    server: https://shadowed', '    token: shadowed', ''));
    const list = [join(dir, 'absent'), personal, sovereign, shadow].join(':');
    const { opts, headers } = await applied(list);
    assert.equal(headers['Authorization'], 'Bearer second-file-token', 'user u comes from the first file that names it');
    assert.equal(String(opts['ca']), 'OTHER-CA', 'certificate-authority is relative to other/otech64.yaml');
    const r = readKubeconfig(list);
    assert.equal(r.kind === 'static' && r.endpoint.server, 'https://otech64:6443');
    assert.match(JSON.stringify(readKubeconfig([join(dir, 'absent'), join(dir, 'absent2')].join(':'))), /no kubeconfig at/);
  });

  void it('hands exec plugins, auth providers and proxies to client-node', () => {
    const exec = write('exec', config('    server: https://h', '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: x', 'current-context: x\n'));
    assert.equal(readKubeconfig(exec).kind, 'delegate');
    const provider = write('provider', config('    server: https://h', '    auth-provider:\n      name: oidc', 'current-context: x\n'));
    assert.equal(readKubeconfig(provider).kind, 'delegate');
    const proxy = write('proxy', config('    server: https://h\n    proxy-url: http://proxy:3128', '    token: t', 'current-context: x\n'));
    assert.equal(readKubeconfig(proxy).kind, 'delegate');
  });

  void it("authenticates with a client certificate and key (k3s's admin kubeconfig) for reads, reviews and exec", async () => {
    const sim = await startKube('kube-client-certificate');
    try {
      const kube = client(sim);
      assert.deepEqual(await kube.reachable(), { ok: true });
      assert.equal(await kube.can('list', 'pods', { namespace: 'catalyst-system' }), true);
      const ok = await kube.exec('catalyst-system', POD, 'catalyst-api', ['printenv', 'SOVEREIGN_FQDN']);
      assert.equal(ok.stdout, `${sim.fqdn}\n`);
      // Without the certificate the same server refuses the request.
      const bare = join(sim.dir, 'bare-kubeconfig');
      writeFileSync(bare, readFileSync(sim.kubeconfig, 'utf8').replace(/ {4}client-(certificate|key)-data: .*\n/g, ''));
      const r = await client(sim, bare).reachable();
      assert.equal(!r.ok && r.causeId, 'kube-unauthenticated');
    } finally {
      await sim.stop();
    }
  });

  void it('runs an exec credential plugin through client-node, and keeps the token it mints out of the output', async () => {
    const sim = await startKube('healthy');
    try {
      const plugin = join(sim.dir, 'credential-plugin');
      const token = sim.ctx.world.kube.token;
      writeFileSync(plugin, `#!/bin/sh\nprintf '%s' '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'\n`, { mode: 0o755 });
      const cfg = join(sim.dir, 'exec-kubeconfig');
      writeFileSync(cfg, readFileSync(sim.kubeconfig, 'utf8').replace(/ {4}token: .*\n/, `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${plugin}\n      interactiveMode: Never\n`));
      const kube = client(sim, cfg);
      assert.deepEqual(await kube.reachable(), { ok: true });
      assert.equal(await kube.can('get', 'deployments', { group: 'apps', namespace: 'catalyst-system' }), true);
      assert.ok(!redact(`Authorization: Bearer ${token}`).includes(token), 'the minted token is registered as a secret');
    } finally {
      await sim.stop();
    }
  });
});

void describe('fake internals', () => {
  void it('runs the busybox command set', () => {
    const env = { A: '1', B: '' };
    assert.deepEqual(runCommand(['printenv', 'A'], env, {}), { stdout: '1\n', stderr: '', exit: 0 });
    assert.equal(runCommand(['printenv', 'C'], env, {}).exit, 1);
    assert.equal(runCommand(['cat', '/proc/1/environ'], env, {}).stdout, 'A=1\0B=\0');
    assert.equal(runCommand(['sh', '-c', 'printenv A && echo yes'], env, {}).stdout, '1\nyes\n');
    assert.equal(runCommand(['cat', '/etc/x'], env, { '/etc/x': 'k' }).stdout, 'k');
    assert.match(String(runCommand(['curl'], env, {}).exit), /executable file not found/);
  });

  void it('parses label selectors', () => {
    const reqs = parseLabelSelector('a=b,c in (d,e),!f,g');
    assert.ok(reqs);
    const ok = (l: Record<string, string>): boolean => matchesSelector(l, reqs);
    assert.equal(ok({ a: 'b', c: 'e', g: '' }), true);
    assert.equal(ok({ a: 'b', c: 'x', g: '' }), false);
    assert.equal(ok({ a: 'b', c: 'd', f: '1', g: '' }), false);
  });
});

/** Runs the suite (only checks matching `grep` when given) against a simulator; returns the exit code. */
async function runClusterChecks(env: Record<string, string>, reportDir: string, grep: string | undefined): Promise<{ code: number | null; out: string }> {
  const r = await runEngine(grep ? ['--grep', grep] : [], { ...env, SMOKE_REPORT_DIR: reportDir });
  return { code: r.code, out: r.out };
}

void describe('read-only proof: the cluster checks never write to the kube API', () => {
  // The whole suite on a healthy Sovereign (edge and auth checks read Secrets too), the cluster checks on a broken one.
  for (const [scenario, grep] of [['healthy', undefined], ['sovereign-fqdn-race', '@cluster']] as const) {
    // healthy runs under the least-privilege set: no exec, no Secret, and no request it may not make.
    void it(`${scenario}: only GETs, exec upgrades and SelfSubjectAccessReview creates reach the API server (${grep ?? 'whole suite'})`, { timeout: 300_000 }, async () => {
      const sim = await startSim({ scenario });
      const report = mkdtempSync(join(tmpdir(), 'ro-proof-'));
      try {
        const r = await runClusterChecks(sim.env, report, grep);
        assert.equal(r.code, scenario === 'healthy' ? 0 : 1, r.out.split('\n').slice(-30).join('\n'));
        const kube = sim.context.requests.filter((q) => q.server === 'kube');
        assert.ok(kube.length > 10, `the checks made ${kube.length} kube requests`);
        const writes = kube.filter((q) => q.method !== 'GET' && !(q.method === 'POST' && q.path.startsWith('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')));
        assert.deepEqual(writes, [], 'no write other than SelfSubjectAccessReview');
        if (scenario === 'healthy') {
          assert.deepEqual(kube.filter((q) => q.path.includes('/exec?') || /\/secrets(\/|\?|$)/.test(q.path)).map((q) => q.path), [], 'least privilege: neither exec nor a Secret read was attempted');
          assert.deepEqual(kube.filter((q) => q.status === 403).map((q) => `${q.method} ${q.path}`), [], 'least privilege: the checks asked only for what they may read');
        } else assert.ok(kube.some((q) => q.path.includes('/exec?') && q.status === 101), 'the environment was read with exec');
        // No secret value leaks into the output.
        assert.ok(!r.out.includes(sim.context.world.kube.token), 'kube token in output');
      } finally {
        await sim.stop();
        rmSync(report, { recursive: true, force: true });
      }
    });
  }
});

void describe('catalyst-api fake: GET /api/v1/sovereign/self as sovereign_self.go answers it', () => {
  /** One request to the catalyst-api handler of `sim`'s world. */
  async function self(sim: KubeSim, cookie?: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const server = createHttpServer(catalystHandler(sim.ctx));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/sovereign/self`, { headers: { host: `console.${sim.fqdn}`, accept: 'application/json', ...(cookie ? { cookie } : {}) } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } finally {
      server.close();
    }
  }

  void it('answers from the env the Pod got at start: 200, 404 not-a-sovereign after the race, 503 without a deployment id, and falls back to the cookie\'s claims', async () => {
    const [healthy, race] = await Promise.all([startKube('healthy'), startKube('sovereign-fqdn-race')]);
    try {
      assert.deepEqual(await self(healthy), { status: 200, body: { deploymentId: DEPLOYMENT_ID, sovereignFQDN: healthy.fqdn } });
      const r = await self(race);
      assert.equal(r.status, 404);
      assert.equal(r.body['error'], 'not-a-sovereign');
      // readSessionClaimsFromCookie: the payload is read without verification.
      const payload = Buffer.from(JSON.stringify({ sovereign_fqdn: race.fqdn, deployment_id: 'c0ffee' })).toString('base64url');
      assert.deepEqual(await self(race, `catalyst_session=e30.${payload}.sig`), { status: 200, body: { deploymentId: 'c0ffee', sovereignFQDN: race.fqdn } });
      healthy.ctx.world.kube.processEnvAtStart[POD] = { CATALYST_SELF_DEPLOYMENT_ID: '' };
      const stamped = await self(healthy);
      assert.equal(stamped.status, 503);
      assert.deepEqual([stamped.body['error'], stamped.body['fqdn']], ['deployment-id-not-yet-stamped', healthy.fqdn]);
    } finally {
      await Promise.all([healthy.stop(), race.stop()]);
    }
  });
});
