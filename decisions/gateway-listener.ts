/**
 * The Gateway API's listener choice for a host: one rule, used by tls.matches-cluster, the cluster
 * certificate lookup and gitops.ready.
 *
 * @module
 */

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { certificateRefs?: { name: string; namespace?: string; kind?: string; group?: string }[] };
}

/**
 * The HTTPS/TLS listener that serves `host`, as the Gateway API picks it: an exact hostname first,
 * then the longest matching wildcard, then a listener without a hostname. Order in the list does not
 * count: on Sovereigns under a shared parent zone the parent's `*.omani.works` listener (another
 * Secret) comes before the Sovereign's own `*.<fqdn>`.
 */
export function servingListener<L extends { hostname?: string; protocol: string }>(listeners: L[], host: string): L | undefined {
  const specificity = (l: L): number => (!l.hostname ? 0 : l.hostname.startsWith('*.') ? l.hostname.length : Number.MAX_SAFE_INTEGER);
  return listeners
    .filter((l) => (l.protocol === 'HTTPS' || l.protocol === 'TLS') && hostMatches(l.hostname, host))
    .reduce<L | undefined>((best, l) => (!best || specificity(l) > specificity(best) ? l : best), undefined);
}

/** Gateway API hostname matching: exact, or a `*.` wildcard covering one or more leading labels. */
export function hostMatches(pattern: string | undefined, host: string): boolean {
  if (!pattern) return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern.toLowerCase() === host.toLowerCase();
}

/**
 * The chart's gateway certificate Secret (clusters/_template/sovereign-tls/cilium-gateway.yaml), for
 * when the Gateway cannot be read: preflight then asks for access to this name.
 */
export const DEFAULT_GATEWAY_SECRET = 'sovereign-wildcard-tls';

/** A Secret a listener references. */
export interface SecretRef {
  namespace: string;
  name: string;
}

/**
 * The Secrets a listener's `tls.certificateRefs` name: references of kind Secret in the core group
 * (the defaults of a SecretObjectReference), in the Gateway's namespace unless the reference names
 * another (Gateway API v1 `SecretObjectReference`; a cross-namespace one also needs a ReferenceGrant).
 */
export function listenerSecrets(l: Pick<Listener, 'tls'>, gatewayNamespace: string): SecretRef[] {
  return (l.tls?.certificateRefs ?? [])
    .filter((r) => (r.kind ?? 'Secret') === 'Secret' && !r.group)
    .map((r) => ({ namespace: r.namespace ?? gatewayNamespace, name: r.name }));
}

/**
 * The gateway-Secret rule, the one every check uses: the listener the Gateway API picks for `host`
 * ({@link servingListener}) and the first Secret it references: what the gateway serves `host` with.
 */
export function servingSecret<L extends Pick<Listener, 'hostname' | 'protocol' | 'tls'>>(listeners: L[], host: string, gatewayNamespace: string): { listener?: L; secret?: SecretRef } {
  const listener = servingListener(listeners, host);
  const secret = listener ? listenerSecrets(listener, gatewayNamespace)[0] : undefined;
  return { ...(listener ? { listener } : {}), ...(secret ? { secret } : {}) };
}
