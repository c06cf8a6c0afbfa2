/**
 * The gateway listener rule: which Certificate serves console.<fqdn> (the listener the Gateway API
 * picks for the host, then the Certificate writing the Secret it references), and which serve other
 * zones.
 *
 * @module
 */
import type { SovereignConfig } from '../clients/config.js';
import type { Kube, KubeObject } from '../clients/kube.js';
import { KubeError } from '../report/errors.js';
import { listenerSecrets, servingListener } from './gateway-listener.js';
import { failOnKubeError, listOrWhy } from './kube-read.js';
import type { Readiness } from './readiness.js';

export interface GatewayListener {
  name: string;
  hostname?: string;
  protocol: string;
  tls?: { certificateRefs?: { name: string; namespace?: string; kind?: string }[] };
}

/** The gateway Certificates: the one serving console.<fqdn>, and those of other zones. */
export interface GatewayCerts {
  /** The Certificate(s) whose Secret the listener serving console.<fqdn> references. */
  console: KubeObject[] | Readiness;
  /** Certificates of the Gateway's other HTTPS listeners (parent and org-pool zones, #831). */
  others: { cert: KubeObject; listeners: string[] }[];
  /** Evidence notes: what the check could not see. */
  notes: string[];
}

export const secretOf = (c: KubeObject): string => String((c['spec'] as { secretName?: string } | undefined)?.secretName ?? '');

export const dnsNamesOf = (c: KubeObject): string[] => (c['spec'] as { dnsNames?: string[] } | undefined)?.dnsNames ?? [];

/**
 * The Certificate that serves console.<fqdn>, found as the Gateway API finds it: the listener that
 * serves the host (exact hostname, then the longest wildcard: {@link servingListener}, the same rule
 * tls.matches-cluster uses), then the Certificate writing the Secret that listener references.
 *
 * A multi-zone Sovereign carries a listener pair per parent zone (`${PARENT_DOMAINS_LISTENERS_YAML}`,
 * openova clusters/_template/sovereign-tls/cilium-gateway.yaml@34ff5943, #831; rendered by
 * products/catalyst/chart/templates/sovereign-tls-vars-cm.yaml@48f5d62e), and an org-pool zone's
 * listener references its own Certificate `sovereign-wildcard-tls-<zone-dashed>`
 * (products/catalyst/chart/templates/sovereign-wildcard-certs.yaml@0a908c75, #3376). Those serve other
 * hosts, so they are reported, never waited for and never a failure of console.<fqdn>.
 */
export async function gatewayCertificates(kube: Kube, config: SovereignConfig): Promise<GatewayCerts> {
  const ns = config.gateway.namespace;
  const gwText = `Gateway ${ns}/${config.gateway.name}`;
  const host = config.consoleUrl.hostname;
  const notes: string[] = [];
  const listed = await listOrWhy(kube, 'cert-manager.io/v1', 'Certificate', ns);
  if ('forbidden' in listed) {
    notes.push(`not allowed to list Certificates in ${ns} (${listed.forbidden}): the gateway Certificate was not checked (tls.certificate checks the served one)`);
    return { console: [], others: [], notes };
  }
  if ('absent' in listed) return { console: { ref: `Certificate ${ns}/*`, state: 'missing', reason: 'NotServed', message: listed.absent }, others: [], notes };
  const certs = listed.items;

  let listeners: GatewayListener[] | undefined;
  try {
    const gw = await kube.get('gateway.networking.k8s.io/v1', 'Gateway', ns, config.gateway.name);
    if (!gw) return { console: { ref: gwText, state: 'missing', reason: 'NotFound', message: `does not exist (it terminates TLS for ${host}; sovereign-tls renders it)` }, others: [], notes };
    listeners = (gw['spec'] as { listeners?: GatewayListener[] } | undefined)?.listeners ?? [];
  } catch (err) {
    if (err instanceof KubeError && err.status === 403) notes.push(`not allowed to get ${gwText} (${err.message}): the console's Certificate was chosen by its dnsNames, not from the listener`);
    else if (err instanceof KubeError && (err.status === 404 || err.code === 'KUBE_NOT_FOUND')) return { console: { ref: gwText, state: 'missing', reason: 'NotServed', message: 'the API server does not serve Gateway in gateway.networking.k8s.io/v1' }, others: [], notes };
    else return failOnKubeError(err, `reading ${gwText}`);
  }

  if (!listeners) {
    // Without the Gateway: the Certificates whose dnsNames cover the console host.
    const covering = certs.filter((c) => dnsNamesOf(c).some((n) => n.toLowerCase() === host || (n.startsWith('*.') && host.endsWith(n.slice(1)) && !host.slice(0, -(n.length - 1)).includes('.'))));
    if (covering.length) return { console: covering, others: [], notes };
    return { console: { ref: `Certificate ${ns}/* for ${host}`, state: 'missing', reason: 'NotFound', message: `no Certificate in ${ns} lists ${host} (or a wildcard for it) in its dnsNames` }, others: [], notes };
  }

  return { ...splitGatewayCertificates(listeners, certs, host, ns, gwText), notes };
}

/**
 * Splits the Gateway's Certificates into the one(s) serving `host` and those of other listeners (other
 * zones), by the listener the Gateway API picks for the host ({@link servingListener}). Pure, for tests.
 */
export function splitGatewayCertificates(listeners: GatewayListener[], certs: KubeObject[], host: string, ns: string, gwText = 'the Gateway'): Omit<GatewayCerts, 'notes'> {
  const https = listeners.filter((l) => l.protocol === 'HTTPS' || l.protocol === 'TLS');
  const serving = servingListener(https, host);
  // The Certificates listed are the Gateway namespace's: a listener's Secrets there are what they write.
  const refOf = (l: GatewayListener): string[] => listenerSecrets(l, ns).filter((s) => s.namespace === ns).map((s) => s.name);
  const consoleSecrets = serving ? refOf(serving) : [];
  const consoleCerts = certs.filter((c) => consoleSecrets.includes(secretOf(c)));
  const others = new Map<string, { cert: KubeObject; listeners: string[] }>();
  for (const l of https) {
    if (l === serving) continue;
    for (const s of refOf(l)) {
      if (consoleSecrets.includes(s)) continue;
      for (const c of certs.filter((x) => secretOf(x) === s)) {
        const e = others.get(c.metadata.name) ?? { cert: c, listeners: [] };
        e.listeners.push(`${l.name} ${l.hostname ?? '*'}`);
        others.set(c.metadata.name, e);
      }
    }
  }
  if (!serving) {
    const shown = https.map((l) => `${l.name} ${l.hostname ?? '*'}`).join(', ') || 'none';
    return { console: { ref: `${gwText} listener for ${host}`, state: 'missing', reason: 'NoListener', message: `no HTTPS listener of ${gwText} matches ${host} (HTTPS listeners: ${shown})` }, others: [...others.values()] };
  }
  if (consoleCerts.length) return { console: consoleCerts, others: [...others.values()] };
  return {
    console: { ref: `Certificate ${ns}/${consoleSecrets[0] ?? '?'}`, state: 'missing', reason: 'NotFound', message: `no Certificate in ${ns} writes Secret ${consoleSecrets.join(', ') || '(none referenced)'}, which ${gwText} listener ${serving.name} (${serving.hostname ?? '*'}) serves ${host} with` },
    others: [...others.values()],
  };
}
