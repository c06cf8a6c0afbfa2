/**
 * Starts a simulated Sovereign on loopback: the kube-apiserver, the Hetzner Cloud API, Keycloak and
 * the load balancer IP with the gateway (console, auth) behind it. The suite reaches it only through
 * the contract's variables, which {@link SimHandle.env} holds and `env file` writes.
 *
 * @example
 * const sim = await startSim({ scenario: 'lb-no-targets' });
 * // run the suite with sim.env …
 * await sim.stop();
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, World } from './world.js';
import { type RunningServer, type SimContext } from './context.js';
import { startGateway } from './gateway.js';
import { startHcloud } from './hcloud.js';
import { healthyWorld } from './healthy.js';
import { startKeycloak } from './keycloak.js';
import { findObject } from './kube-objects.js';
import { allowed, startKubeApiserver } from './kube-apiserver.js';
import { prepareKeys, type SimKeys } from './keys.js';
import { cachedPki, cachedRootCa, cachedSimKeys } from './machine-cache.js';
import { PUBLIC_LABELS } from './routes.js';
import { makePki, type PkiCache } from './pki.js';
import { findScenario, SCENARIOS } from './scenarios/index.js';

export interface SimOptions {
  /** Scenario name (default `healthy`). */
  scenario?: string;
  /** First label of the FQDN (default `sim`). */
  name?: string;
  /** Directory for the sim's files (default: a new temp dir, removed on stop). */
  dir?: string;
  /**
   * Where the PKI comes from (default: a new one per start under the root CA this machine keeps,
   * sim/machine-cache.ts). A {@link PkiCache}
   * makes each distinct PKI once, under one root: simulators sharing one share one
   * `SMOKE_EXTRA_CA_FILE` content.
   */
  pki?: PkiCache;
  /**
   * The port the gateway (console, auth) listens on (default: one the system chooses). When it is
   * taken, the system chooses one as by default: read the one in use from `env.SMOKE_CONNECT_TO` or
   * `context.ports.gateway`.
   */
  gatewayPort?: number;
  /**
   * The mothership's, Keycloak's and catalyst-api's key pairs (default: the ones this machine keeps,
   * sim/machine-cache.ts; sim/keys.ts `makeSimKeys` makes a set). A scenario that needs another key (a
   * mismatched Secret) still makes it.
   */
  keys?: SimKeys;
}

export interface SimHandle {
  scenario: string;
  fqdn: string;
  dir: string;
  /** The contract's variables that point the suite at this simulator. */
  env: Record<string, string>;
  /** Path of a dotenv file holding {@link env}. */
  envFile: string;
  /** Everything the fakes answered, for read-only proofs. */
  context: SimContext;
  stop(): Promise<void>;
}

export class UnknownScenario extends Error {
  constructor(name: string) {
    super(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * HCLOUD_TOKEN (a read-only token), as an operator supplies it when the smoke identity may not read
 * Secret flux-system/cloud-credentials (the least-privilege set of sovereigns/rbac.yaml). Nothing when
 * it may: the suite reads it itself.
 */
function operatorCredentials(world: World): Record<string, string> {
  const can = (namespace: string, name: string): boolean => allowed(world, { verb: 'get', group: '', resource: 'secrets', namespace, name });
  const out: Record<string, string> = {};
  // An operator running least privilege supplies a read-only Hetzner token (issue 12), not the project's read-write one.
  if (!can('flux-system', 'cloud-credentials')) out['HCLOUD_TOKEN'] = world.hcloud.readOnlyToken ?? world.hcloud.token;
  // No Keycloak credentials: without Secret read, keycloak.sa-roles decides from the realm import
  // (the SA secret stays optional, for a deeper run).
  return out;
}

export async function startSim(opts: SimOptions = {}): Promise<SimHandle> {
  const scenarioName = opts.scenario ?? 'healthy';
  const scenario = findScenario(scenarioName);
  if (!scenario) throw new UnknownScenario(scenarioName);
  const ownDir = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'sovereign-sim-'));

  // The keys, the root CA and (for a day) the certificates below it a simulator may keep between runs
  // (sim/machine-cache.ts), read while nothing else of this start needs the CPU; without a cache they
  // are made as before.
  const kept = opts.pki ? undefined : cachedRootCa().catch(() => undefined);
  const keys = opts.keys ?? (await cachedSimKeys().catch(() => undefined));
  const world = healthyWorld({ name: opts.name ?? 'sim', dir, ...(keys ? { mothershipKey: keys.mothership } : {}) });
  // Keycloak's realm key and catalyst-api's session signer, when not kept: made on libuv's threads
  // while the suite boots, instead of on the event loop in the middle of the first checks that need them.
  if (!keys) void prepareKeys(2).catch(() => undefined);
  scenario.apply(world);

  const pkiOpts = { kubeClientCert: world.kube.credentials === 'client-certificate' };
  const root = await kept;
  const pki = await (opts.pki ? opts.pki.pki(dir, world.fqdn, world.gateway.cert, pkiOpts) : root ? cachedPki(root, dir, world.fqdn, world.gateway.cert, pkiOpts) : makePki(dir, world.fqdn, world.gateway.cert, pkiOpts));
  const tlsSecret = findObject(world, 'Secret', 'kube-system', 'sovereign-wildcard-tls');
  if (tlsSecret) (tlsSecret as KubeObject & { data: Record<string, string> }).data = { 'tls.crt': b64(pki.clusterSecret.chainPem), 'tls.key': b64(pki.clusterSecret.keyPem) };

  const context: SimContext = { world, pki, requests: [], ports: {}, ...(opts.gatewayPort ? { wantPorts: { gateway: opts.gatewayPort } } : {}), ...(keys ? { keys } : {}) };
  const servers: RunningServer[] = [];
  const timers: NodeJS.Timeout[] = [];
  const stop = async (): Promise<void> => {
    for (const t of timers) clearTimeout(t);
    await Promise.allSettled(servers.map((s) => s.close()));
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [name, start] of [
      ['kube', startKubeApiserver],
      ['hcloud', startHcloud],
      ['keycloak', startKeycloak],
      ['gateway', startGateway],
    ] as const) {
      const s = await start(context);
      context.ports[name] = s.port;
      servers.push(s);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const schedule = (events: typeof world.timeline): void => {
    for (const event of events) {
      // A change in the simulated world at a set time: this is the scenario's clock, not a wait.
      timers.push(
        setTimeout(() => {
          event.apply(world);
          event.appliedAt = Date.now();
        }, event.afterMs),
      );
    }
  };
  schedule(world.timeline.filter((e) => (e.from ?? 'start') === 'start'));
  const onFirstRequest = world.timeline.filter((e) => e.from === 'first-request');
  if (onFirstRequest.length) {
    // The suite's first request to any fake starts these events' clock (every fake logs each request).
    const log = context.requests;
    const push = log.push.bind(log);
    let started = false;
    log.push = (...items) => {
      if (!started) {
        started = true;
        schedule(onFirstRequest);
      }
      return push(...items);
    };
  }

  const fqdn = world.fqdn;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${world.name}`,
      '  cluster:',
      `    server: https://127.0.0.1:${context.ports.kube}`,
      `    certificate-authority-data: ${b64(pki.caPem)}`,
      'users:',
      `- name: ${world.name}-smoke`,
      '  user:',
      ...(pki.kubeClient
        ? [`    client-certificate-data: ${b64(pki.kubeClient.cert.leafPem)}`, `    client-key-data: ${b64(pki.kubeClient.cert.keyPem)}`]
        : [`    token: ${world.kube.token}`]),
      'contexts:',
      `- name: ${world.name}`,
      '  context:',
      `    cluster: ${world.name}`,
      `    user: ${world.name}-smoke`,
      `current-context: ${world.name}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const keyFile = join(dir, 'handover-jwt-private.pem');
  writeFileSync(keyFile, world.mothershipKey.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), { mode: 0o600 });

  // console.<fqdn> goes where DNS points (stale in dns-stale-record); auth./api. to the LB IP.
  const gw = (h: string): string => `${h === 'console' ? world.gateway.dnsAnswer : h === 'auth' && world.gateway.authAddress ? world.gateway.authAddress : world.gateway.bindHost}:${context.ports.gateway}`;
  const env: Record<string, string> = {
    SOVEREIGN_FQDN: fqdn,
    SMOKE_SOVEREIGN: world.name,
    // Every public host (sim/routes.ts), as an operator lists them before DNS is right.
    SMOKE_CONNECT_TO: PUBLIC_LABELS.map((h) => `${h}.${fqdn}:443:${gw(h)}`).join(','),
    SMOKE_EXTRA_CA_FILE: pki.caFile,
    KUBECONFIG: kubeconfig,
    HCLOUD_ENDPOINT: `http://127.0.0.1:${context.ports.hcloud}/v1`,
    SMOKE_HANDOVER_KEY_FILE: keyFile,
    // An operator whose identity may not read these Secrets (least privilege) passes the values itself.
    ...operatorCredentials(world),
  };
  const envFile = join(dir, 'sovereign.env');
  writeFileSync(envFile, `# simulated Sovereign, scenario ${scenarioName}\n${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);

  return { scenario: scenarioName, fqdn, dir, env, envFile, context, stop };
}
