/**
 * What the @edge checks look at, cached per worker: where console.<fqdn> points, this Sovereign's
 * Hetzner load balancers (by label, or by address and name when only hcloud-ccm labelled one), their
 * targets and the servers they name, and the gateway Certificate's phase. The checks' waits and
 * verdicts build on it (decisions/edge-checks.ts).
 *
 * @module
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { certificatePhase, observeCertificate, type CertificateState } from './certificate-state.js';
import { evidence, fail, provenance, runningCheckId, skipCheck } from '../report/check.js';
import type { SovereignConfig } from '../clients/config.js';
import type { EdgeStateView, LbView } from './converging.js';
import { describeError, HcloudError } from '../report/errors.js';
import type { Hcloud, HcloudLoadBalancer, HcloudServer, HcloudTarget } from '../clients/hcloud.js';
import type { Kube } from '../clients/kube.js';
import type { Network } from '../clients/net.js';
import { probeTls } from '../clients/tls.js';
import { flattenTargets } from './lb-services.js';
import { detectProvider, providerName } from './provider.js';

/** Where console.<fqdn> goes: the `SMOKE_CONNECT_TO` target or the DNS answer. */
export interface ConsoleAddress {
  host: string;
  port: number;
  /** IPv4 addresses the console is reached at. */
  addresses: string[];
  /** How they were found, for messages: `DNS answer` or `SMOKE_CONNECT_TO target`. */
  source: string;
  /** The resolver's code when the name has no answer yet (`ENOTFOUND`, `ENODATA`, `EAI_AGAIN`). */
  noAnswer?: string;
}

/**
 * How often polling checks re-read the load balancers: every few seconds, not at every poll. The
 * Hetzner API allows 3600 requests an hour per project (RateLimit-Limit), shared with hcloud-ccm;
 * five checks polling once a second through a 15-minute SMOKE_AWAIT would spend it. Health checks run
 * every 15 s (interval), so a 3 s old listing loses nothing; two workers then list at most 2400 times an
 * hour, and a check sees a change within 3 s plus its poll interval.
 */
const HCLOUD_REFRESH_MS = 3_000;

/** Resolver codes for "no answer (yet)": NXDOMAIN, no A record, resolver timeout. */
const NO_ANSWER = ['ENOTFOUND', 'ENODATA', 'EAI_AGAIN'];

export const ROLE_LABEL = 'catalyst.openova.io/role';
export const SOVEREIGN_LABEL = 'catalyst.openova.io/sovereign';

/** The edge lookups: one per worker (through {@link EdgeChecks}), caching the slow ones for the worker's checks. */
export class EdgeLookups {
  protected lbs: Promise<HcloudLoadBalancer[]> | undefined;
  protected allLbs: Promise<HcloudLoadBalancer[]> | undefined;
  protected servers = new Map<number, HcloudServer | undefined>();
  /** When the load balancers were last listed (ms since the epoch). */
  protected lbsAt = 0;
  /** Evidence notes already recorded, per check (`testId NUL note`). */
  protected recorded = new Set<string>();
  /** Checks that have recorded the provider already. */
  protected providerRecorded = new Set<string>();

  constructor(
    protected readonly config: SovereignConfig,
    protected readonly net: Network,
    protected readonly hcloud: Hcloud,
    protected readonly kube: Kube,
  ) {}

  get consoleHost(): string {
    return this.config.consoleUrl.hostname;
  }

  get consolePort(): number {
    return Number(this.config.consoleUrl.port) || 443;
  }

  /** Where console.<fqdn> is reached: the SMOKE_CONNECT_TO target (reported as such) or the DNS answer. */
  async consoleAddress(): Promise<ConsoleAddress> {
    const host = this.consoleHost;
    const target = this.net.target(host, this.consolePort);
    const source = target.viaConnectTo ? `SMOKE_CONNECT_TO target ${target.host}:${target.port}` : 'DNS answer';
    if (isIP(target.host)) return { host, port: target.port, addresses: [target.host], source };
    try {
      const found = await lookup(target.host, { all: true, family: 4 });
      return { host, port: target.port, addresses: [...new Set(found.map((a) => a.address))].sort(), source };
    } catch (err) {
      // No answer yet is a Sovereign whose records are still being written (dnsVerdict): the DNS
      // check waits for it; the load balancer checks then look at all of this Sovereign's.
      const code = (err as { code?: string }).code;
      if (code && NO_ANSWER.includes(code)) return { host, port: target.port, addresses: [], source: `DNS answer (none: ${code})`, noAnswer: code };
      fail('dns-not-lb', `${target.host} does not resolve to an IPv4 address (${describeError(err)}); expected the public IPv4 of this Sovereign's load balancer`);
    }
  }

  /**
   * Skips the running check when the Sovereign is not on Hetzner (decisions/provider.ts): a Huawei
   * Sovereign has no Hetzner load balancer, and no Hetzner token to miss.
   */
  async requireHetzner(): Promise<void> {
    const v = await detectProvider(this.kube, this.config);
    // Once per check: the gate and the load-balancer lookups both ask.
    const first = !this.providerRecorded.has(runningCheckId());
    this.providerRecorded.add(runningCheckId());
    if (first) provenance('provider', `${providerName(v.provider)} (${v.evidence.at(-1) ?? ''})`);
    if (v.provider === 'hetzner') {
      if (v.assumed && first) evidence(`provider not seen (${v.evidence.join('; ')}): Hetzner assumed; set SMOKE_PROVIDER if it is another`);
      return;
    }
    skipCheck(
      'provider-not-hetzner',
      `the Sovereign runs on ${providerName(v.provider)} (${v.evidence.join('; ')}): it has no Hetzner load balancer, so this check does not apply` +
        (v.provider === 'huawei' ? '; on Huawei Cloud the control plane\'s EIP serves as the load balancer (infra/providers/huawei/README.md), and dns.console-to-lb checks that console.<fqdn> points at it' : ''),
    );
  }

  /** Where a host is reached: its SMOKE_CONNECT_TO target or its DNS answer (IPv4); empty when it does not resolve. */
  protected async addressesOf(host: string, port: number): Promise<string[]> {
    const target = this.net.target(host, port);
    if (isIP(target.host)) return [target.host];
    try {
      return [...new Set((await lookup(target.host, { all: true, family: 4 })).map((a) => a.address))].sort();
    } catch {
      return [];
    }
  }

  /**
   * The load balancers to check: the console's, and the one auth.<fqdn> (Keycloak, every login) goes
   * through when it is another (an optional `…-console-lb`, #4053, serves console. and api. only).
   */
  async edgeLoadBalancers(): Promise<{ lbs: HcloudLoadBalancer[]; note: string }> {
    const c = await this.consoleLoadBalancers();
    const authHost = this.config.keycloakUrl.hostname;
    const authPort = Number(this.config.keycloakUrl.port) || 443;
    if (authHost === this.consoleHost) return c;
    const at = await this.addressesOf(authHost, authPort);
    const labelled = (await this.loadBalancers()).filter((lb) => lb.public_net.ipv4.ip && at.includes(lb.public_net.ipv4.ip));
    const found = labelled.length ? labelled : (await this.unlabelledAt(at)).mine;
    const extra = found.filter((lb) => !c.lbs.some((x) => x.id === lb.id));
    if (!extra.length) return c;
    return { lbs: [...c.lbs, ...extra], note: `${c.note} is ${c.lbs.map((lb) => lb.name).join(', ')}; ${authHost} at ${at.join(', ')} is served by ${extra.map((lb) => lb.name).join(', ')}` };
  }

  /** This Sovereign's load balancers (label `SMOKE_HCLOUD_LABEL_SELECTOR`); fails/skips with the Hetzner cause. */
  async loadBalancers(): Promise<HcloudLoadBalancer[]> {
    await this.requireHetzner();
    const listing = this.labelledLbs();
    let lbs: HcloudLoadBalancer[];
    try {
      lbs = await listing;
    } catch (err) {
      this.lbs = undefined;
      this.hcloudFailure(err, `Hetzner load balancers with label ${this.config.hcloudLabelSelector}: cannot be listed: `);
    }
    provenance('Hetzner token', await this.hcloud.tokenSource());
    if (lbs.length === 0) {
      fail('lb-missing', `Hetzner load balancers with label ${this.config.hcloudLabelSelector}: expected at least 1, found none`);
    }
    return lbs;
  }

  protected hcloudFailure(err: unknown, what = ''): never {
    if (err instanceof HcloudError && err.causeId === 'hcloud-token-missing') skipCheck('hcloud-token-missing', `${what}${err.message}`);
    if (err instanceof HcloudError) fail(err.causeId ?? 'hcloud-unreachable', `${what}${err.message}`);
    fail('hcloud-unreachable', `${what}Hetzner Cloud API: ${describeError(err)}`);
  }

  /**
   * The load balancers of the project at `addresses` that do not carry this Sovereign's label: `mine`
   * when the name is this Sovereign's and no other Sovereign's label says otherwise (later versions add
   * a load balancer hcloud-ccm creates for the gateway Service, `<fqdn-slug>-primary-gateway`, labelled
   * by hcloud-ccm only), `foreign` otherwise. Best effort: a listing that fails finds none.
   */
  async unlabelledAt(addresses: string[]): Promise<{ mine: HcloudLoadBalancer[]; foreign: HcloudLoadBalancer[] }> {
    this.allLbs ??= this.hcloud.list<HcloudLoadBalancer>('load_balancers');
    let all: HcloudLoadBalancer[];
    try {
      all = await this.allLbs;
    } catch {
      return { mine: [], foreign: [] };
    }
    const fqdn = this.config.fqdn;
    const slug = fqdn.toLowerCase().replace(/\./g, '-');
    const at = all.filter((lb) => lb.public_net.ipv4.ip && addresses.includes(lb.public_net.ipv4.ip) && lb.labels[SOVEREIGN_LABEL] !== fqdn);
    const mine = at.filter((lb) => lb.name.toLowerCase().includes(slug) && lb.labels[SOVEREIGN_LABEL] === undefined);
    return { mine, foreign: at.filter((lb) => !mine.includes(lb)) };
  }

  /**
   * The load balancers that serve the console: those whose public IPv4 is where console.<fqdn> goes
   * (this Sovereign's by label, or by name when only hcloud-ccm labelled it). When none is (stale DNS,
   * reported by dns.console-to-lb), all of this Sovereign's labelled ones are checked.
   */
  async consoleLoadBalancers(): Promise<{ lbs: HcloudLoadBalancer[]; note: string }> {
    const [lbs, addr] = await Promise.all([this.loadBalancers(), this.consoleAddress()]);
    const matched = lbs.filter((lb) => lb.public_net.ipv4.ip && addr.addresses.includes(lb.public_net.ipv4.ip));
    if (matched.length > 0) return { lbs: matched, note: `serving ${addr.host} at ${addr.addresses.join(', ')} (${addr.source})` };
    const { mine } = await this.unlabelledAt(addr.addresses);
    if (mine.length > 0) return { lbs: mine, note: `serving ${addr.host} at ${addr.addresses.join(', ')} (${addr.source}); found by address and name, it has no ${SOVEREIGN_LABEL} label` };
    return { lbs, note: `none of them is at ${addr.addresses.join(', ')} (${addr.source}); checking all ${lbs.length}` };
  }

  /** The server a target names (from the API; cached). */
  async server(id: number): Promise<HcloudServer | undefined> {
    if (!this.servers.has(id)) {
      try {
        this.servers.set(id, await this.hcloud.get<HcloudServer>('servers', id));
      } catch (err) {
        this.hcloudFailure(err);
      }
    }
    return this.servers.get(id);
  }

  /** `catalyst-…-cp1 (server 1001, role control-plane)`. */
  async describeTarget(t: HcloudTarget): Promise<string> {
    if (t.type === 'ip') return `ip ${t.ip?.ip ?? '?'}`;
    const id = t.server?.id;
    if (id === undefined) return `${t.type} target`;
    const s = await this.server(id);
    return s ? `${s.name} (server ${id}, role ${s.labels[ROLE_LABEL] ?? 'none'})` : `server ${id} (not found in the project)`;
  }

  lbName(lb: HcloudLoadBalancer): string {
    return `load_balancer ${lb.name} (id ${lb.id}, ${lb.public_net.ipv4.ip ?? 'no IPv4'})`;
  }

  /** Forgets the cached load-balancer lists, so a poll sees Hetzner's current state. */
  protected refreshLoadBalancers(): void {
    if (Date.now() - this.lbsAt < HCLOUD_REFRESH_MS) return;
    this.lbs = undefined;
    this.allLbs = undefined;
  }

  /** This Sovereign's load balancers, listed once per {@link HCLOUD_REFRESH_MS} at most while checks poll. */
  protected labelledLbs(): Promise<HcloudLoadBalancer[]> {
    if (!this.lbs) {
      this.lbsAt = Date.now();
      this.lbs = this.hcloud.list<HcloudLoadBalancer>('load_balancers', { label_selector: this.config.hcloudLabelSelector });
    }
    return this.lbs;
  }

  /** The part of a load balancer the converging rules read, with its targets named. */
  async lbView(lb: HcloudLoadBalancer): Promise<LbView> {
    const targets = await Promise.all(
      flattenTargets(lb.targets).map(async (t) => {
        const created = t.server ? (await this.server(t.server.id) as { created?: unknown } | undefined)?.created : undefined;
        return { text: await this.describeTarget(t), ...(typeof created === 'string' ? { created } : {}), ...(t.health_status ? { health_status: t.health_status } : {}) };
      }),
    );
    return { name: this.lbName(lb), services: lb.services as LbView['services'], targets };
  }

  /** Whether one TLS handshake with the console completes now (no waiting). */
  protected async handshakeWorks(): Promise<boolean> {
    try {
      await probeTls(this.config, this.consoleHost, this.consolePort);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The gateway Certificate's phase (certificate-state.ts), best effort: undefined when the cluster
   * or the objects cannot be read, with a note saying what the verdict could not see.
   */
  protected async certificateState(notes: Set<string>): Promise<CertificateState | undefined> {
    const reach = await this.kube.reachable();
    if (!reach.ok) {
      notes.add(`the gateway Certificate could not be read (${reach.message}): a failed handshake was classified from the Hetzner load balancer and DNS only`);
      return undefined;
    }
    try {
      const objs = await observeCertificate(this.kube, this.config, this.consoleHost);
      if (objs.certificate && objs.secretHasCert === undefined) notes.add(`Secret ${objs.secretRef ?? '?'} not readable: the Certificate's issuance was judged from its conditions alone`);
      return certificatePhase(objs);
    } catch (err) {
      notes.add(`the gateway Certificate could not be read (${describeError(err)}): a failed handshake was classified from the Hetzner load balancer and DNS only`);
      return undefined;
    }
  }

  /** What is known about the Sovereign's edge when the console's handshake fails (every part best effort). */
  protected async edgeState(notes: Set<string>): Promise<EdgeStateView> {
    let lbs: LbView[] | undefined;
    let foreignAddress: string | undefined;
    try {
      this.refreshLoadBalancers();
      const [mine, addr] = await Promise.all([this.labelledLbs(), this.consoleAddress()]);
      let at = mine.filter((lb) => lb.public_net.ipv4.ip && addr.addresses.includes(lb.public_net.ipv4.ip));
      if (at.length === 0 && addr.addresses.length) at = (await this.unlabelledAt(addr.addresses)).mine;
      if (at.length === 0 && addr.addresses.length && mine.length) foreignAddress = `${addr.addresses.join(', ')} (${addr.source})`;
      lbs = await Promise.all((at.length ? at : mine).map((lb) => this.lbView(lb)));
    } catch (err) {
      notes.add(`the Hetzner load balancers could not be read (${err instanceof Error ? err.message : String(err)}): a failed handshake was classified from the cluster only`);
    }
    const cert = await this.certificateState(notes);
    return { lbs, foreignAddress, cert, now: Date.now(), runStartedAt: this.config.runStartedAt };
  }

  /** Records each note once per check. */
  protected recordEvidence(notes: Set<string>): void {
    const id = runningCheckId();
    for (const n of notes) {
      const key = `${id}\u0000${n}`;
      if (this.recorded.has(key)) continue;
      this.recorded.add(key);
      evidence(n);
    }
  }
}
