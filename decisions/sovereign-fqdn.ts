/**
 * catalyst-api.sovereign-fqdn's rules (checks/sovereign-fqdn.ts observes): why a Pod runs with the
 * wrong SOVEREIGN_FQDN when its environment was read inside it, and the decision without exec
 * ({@link decideFqdnWithoutExec}) from the Pod spec, ConfigMap sovereign-fqdn and
 * GET /api/v1/sovereign/self.
 *
 * @module
 */
import type { SovereignConfig } from '../clients/config.js';
import type { KubeObject } from '../clients/kube.js';
import type { Network } from '../clients/net.js';
import { describeError } from '../report/errors.js';
import { CONTAINER, containerOf } from './catalyst-pods.js';
import type { Container, Pod } from './kube-shapes.js';

/** Where a Pod's SOVEREIGN_FQDN comes from, read from its spec. */
export type FqdnSource =
  | { kind: 'configMap'; name: string; key: string; optional: boolean }
  | { kind: 'literal'; value: string }
  | { kind: 'other'; what: string };

/** What the no-exec rule knows about one running catalyst-api Pod. */
export interface FqdnPodFacts {
  name: string;
  /** When the container (its current run) started: env references resolve then (RFC 3339). */
  started: string;
  source: FqdnSource;
  /** Whether CATALYST_OTECH_FQDN comes from the same place, so /api/v1/sovereign/self speaks for SOVEREIGN_FQDN too. */
  otechSameSource: boolean;
}

/** ConfigMap sovereign-fqdn as it is now. */
export interface FqdnConfigMapFacts {
  name: string;
  data?: Record<string, string>;
  created?: string;
  /** The last write: the latest of creationTimestamp and every managedFields[].time. */
  lastWrite?: string;
}

/** What GET /api/v1/sovereign/self answered without a session cookie, or why there is no answer. */
export type SelfAnswer = { kind: 'answer'; status: number; fqdn?: string; error?: string } | { kind: 'unavailable'; why: string };

/** The no-exec decision. */
export interface FqdnDecision {
  verdict: 'pass' | 'fail' | 'undecided';
  /** For `fail`: one line per wrong Pod (or the serving Pod), and a short detail for the cause annotation. */
  problems: string[];
  detail: string;
  /** How it decided, for `checks[].evidence`. */
  evidence: string[];
}

export const ms = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

/** The ConfigMap the chart fills SOVEREIGN_FQDN from (products/catalyst/chart/templates/sovereign-fqdn-configmap.yaml). */
export const FQDN_CONFIGMAP = 'sovereign-fqdn';

/**
 * catalyst-api.sovereign-fqdn without `pods/exec`: decides from evidence that needs no exec.
 *
 * - An env `valueFrom.configMapKeyRef` is resolved when the container starts and never again
 *   (Kubernetes: "environment variables are not updated after the container starts"), and an optional
 *   reference to a ConfigMap that does not exist yet leaves the variable unset for the container's
 *   life (incident 1). So: a ConfigMap that is missing, holds another value, or was created after a
 *   container started fails; one written last before the container started (creationTimestamp and
 *   managedFields times) gave that container exactly its current value.
 * - GET /api/v1/sovereign/self (openova-io/openova products/catalyst/bootstrap/api/internal/handler/
 *   sovereign_self.go @7f60a4be) answers without a session from the serving Pod's env
 *   CATALYST_OTECH_FQDN, which the chart fills from the same ConfigMap key as SOVEREIGN_FQDN (the
 *   handler's header: "already wired via the same ConfigMap, see B1 PR #912"; api-deployment.yaml of
 *   chart 1.4.95, shared/sovereign.md §2); the rule reads that from each Pod's spec (`otechSameSource`)
 *   rather than assuming it. 200 {sovereignFQDN}, 503
 *   deployment-id-not-yet-stamped {fqdn}, 404 not-a-sovereign when both its variables are empty. It
 *   falls back to the catalyst_session cookie's claims, so it is asked without one. It speaks for one
 *   Pod, the one the Service picked.
 * - A Pod whose ConfigMap changed after it started is decided only by that answer, and only when it is
 *   the one running Pod; otherwise the check cannot decide without exec (undecided: a skip, never a
 *   failure of the Sovereign).
 */
export function decideFqdnWithoutExec(expected: string, cm: FqdnConfigMapFacts | undefined, pods: FqdnPodFacts[], self: SelfAnswer): FqdnDecision {
  const problems: string[] = [];
  const details = new Set<string>();
  const ev: string[] = [];
  const undecided: string[] = [];
  for (const p of pods) {
    const src = p.source;
    if (src.kind === 'literal') {
      if (src.value === expected) ev.push(`Pod ${p.name}: SOVEREIGN_FQDN is the literal "${src.value}" in its spec`);
      else {
        problems.push(`Pod ${p.name}: SOVEREIGN_FQDN is the literal ${src.value ? `"${src.value}"` : 'empty string'} in its spec, expected "${expected}"`);
        details.add('literal SOVEREIGN_FQDN in the Pod spec');
      }
      continue;
    }
    if (src.kind === 'other') {
      undecided.push(`Pod ${p.name}: SOVEREIGN_FQDN comes from ${src.what}`);
      continue;
    }
    if (src.name !== FQDN_CONFIGMAP) {
      undecided.push(`Pod ${p.name}: SOVEREIGN_FQDN comes from ConfigMap ${src.name}, not ${FQDN_CONFIGMAP}`);
      continue;
    }
    const cmText = `ConfigMap ${cm?.name ?? src.name}`;
    if (!cm) {
      problems.push(`Pod ${p.name}: SOVEREIGN_FQDN refers to ${cmText} key ${src.key}, which does not exist, so the ${src.optional ? 'optional ' : ''}reference resolves to nothing`);
      details.add('ConfigMap sovereign-fqdn missing');
      continue;
    }
    const value = cm.data?.[src.key];
    if (value === undefined || value === '') {
      problems.push(`Pod ${p.name}: ${cmText} has no value under key ${src.key}, so SOVEREIGN_FQDN is unset`);
      details.add('ConfigMap sovereign-fqdn has no fqdn key');
      continue;
    }
    if (value !== expected) {
      problems.push(`Pod ${p.name}: ${cmText} holds ${src.key}="${value}", not "${expected}"`);
      details.add('ConfigMap sovereign-fqdn holds another value');
      continue;
    }
    if (ms(cm.created) > ms(p.started)) {
      problems.push(`Pod ${p.name}: SOVEREIGN_FQDN is unset: ${cmText} was created at ${cm.created}, after the container started at ${p.started}: the race of incident 1 (the Pod was never rolled)`);
      details.add('ConfigMap created after the Pod started');
      continue;
    }
    if (!(ms(cm.lastWrite ?? cm.created) > ms(p.started))) {
      ev.push(`Pod ${p.name}: ${cmText} (${src.key}="${value}") was created at ${cm.created} and last written at ${cm.lastWrite ?? cm.created}, before the container started at ${p.started}, so the reference resolved to that value`);
      continue;
    }
    undecided.push(`Pod ${p.name}: ${cmText} was written at ${cm.lastWrite ?? '?'}, after the container started at ${p.started}, so the value it got at start is not known`);
  }

  const selfSpeaks = pods.length > 0 && pods.every((p) => p.otechSameSource && p.source.kind === 'configMap');
  let selfOk = false;
  if (self.kind === 'unavailable') ev.push(`GET /api/v1/sovereign/self gave no evidence: ${self.why}`);
  else if (self.status === 404 && self.error === 'not-a-sovereign') {
    const line = `GET /api/v1/sovereign/self (no session cookie): 404 not-a-sovereign: the Pod that answered has neither CATALYST_OTECH_FQDN nor CATALYST_SELF_DEPLOYMENT_ID, both from ConfigMap sovereign-fqdn like SOVEREIGN_FQDN`;
    if (selfSpeaks) {
      problems.push(line);
      details.add('the serving Pod has no SOVEREIGN_FQDN');
    } else ev.push(line);
  } else if ((self.status === 200 || self.status === 503) && self.fqdn !== undefined) {
    const line = `GET /api/v1/sovereign/self (no session cookie): ${self.status}${self.error ? ` ${self.error}` : ''} with FQDN "${self.fqdn}" (the serving Pod's CATALYST_OTECH_FQDN, from the same ConfigMap key as SOVEREIGN_FQDN)`;
    if (self.fqdn === expected) {
      selfOk = selfSpeaks;
      ev.push(line);
    } else if (selfSpeaks) {
      problems.push(`${line}, expected "${expected}"`);
      details.add('the serving Pod runs with another SOVEREIGN_FQDN');
    } else ev.push(line);
  } else ev.push(`GET /api/v1/sovereign/self (no session cookie) answered ${self.status}${self.error ? ` ${self.error}` : ''}, not a sovereign self answer: no evidence from it`);

  if (problems.length) return { verdict: 'fail', problems, detail: [...details].join('; '), evidence: ev };
  if (undecided.length && pods.length === 1 && selfOk) {
    ev.push(`${undecided.join('; ')}; decided by /api/v1/sovereign/self, which only that Pod can have answered`);
    return { verdict: 'pass', problems: [], detail: '', evidence: ev };
  }
  if (undecided.length) return { verdict: 'undecided', problems: undecided, detail: '', evidence: ev };
  return { verdict: 'pass', problems: [], detail: '', evidence: ev };
}

/** Where a container's `name` variable comes from. */
export function envSource(c: Container | undefined, name: string): FqdnSource {
  const e = c?.env?.find((x) => x.name === name);
  if (!e) return { kind: 'other', what: `no env entry for ${name}${(c as { envFrom?: unknown[] } | undefined)?.envFrom?.length ? ' (perhaps envFrom)' : ''}` };
  if (e.value !== undefined) return { kind: 'literal', value: e.value };
  const ref = e.valueFrom?.configMapKeyRef as { name: string; key: string; optional?: boolean } | undefined;
  if (ref) return { kind: 'configMap', name: ref.name, key: ref.key, optional: ref.optional === true };
  return { kind: 'other', what: e.valueFrom?.secretKeyRef ? `Secret ${e.valueFrom.secretKeyRef.name}` : 'a reference the spec does not resolve' };
}

/** The facts the no-exec rule needs about one Pod. */
export function fqdnPodFacts(pod: Pod): FqdnPodFacts {
  const c = containerOf(pod.spec);
  const source = envSource(c, 'SOVEREIGN_FQDN');
  const otech = envSource(c, 'CATALYST_OTECH_FQDN');
  const running = pod.status?.containerStatuses?.find((s) => s.name === (c?.name ?? CONTAINER))?.state?.running as { startedAt?: string } | undefined;
  return { name: pod.metadata.name, started: running?.startedAt ?? pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '', source, otechSameSource: JSON.stringify(otech) === JSON.stringify(source) };
}

/** The ConfigMap's facts: its data, creation and last write (managedFields record every manager's last write). */
export function fqdnConfigMapFacts(cm: KubeObject | undefined, ns: string): FqdnConfigMapFacts | undefined {
  if (!cm) return undefined;
  const times = [cm.metadata.creationTimestamp, ...((cm.metadata['managedFields'] as { time?: string }[] | undefined) ?? []).map((f) => f.time)].filter((t): t is string => !!t);
  const lastWrite = times.reduce<string | undefined>((a, t) => (a === undefined || ms(t) > ms(a) ? t : a), undefined);
  return { name: `${ns}/${cm.metadata.name}`, ...(cm['data'] ? { data: cm['data'] as Record<string, string> } : {}), ...(cm.metadata.creationTimestamp ? { created: cm.metadata.creationTimestamp } : {}), ...(lastWrite ? { lastWrite } : {}) };
}

/** GET /api/v1/sovereign/self on the console, without a session cookie (the suite's client keeps none). */
export async function askSovereignSelf(net: Network, config: SovereignConfig): Promise<SelfAnswer> {
  const url = new URL('/api/v1/sovereign/self', config.consoleUrl);
  try {
    const res = await net.request(url, { headers: { accept: 'application/json' } });
    let body: { sovereignFQDN?: unknown; fqdn?: unknown; error?: unknown } = {};
    try {
      body = JSON.parse(res.body) as typeof body;
    } catch {
      // Not JSON: an older catalyst-api without the route, or another service.
    }
    const fqdn = res.status === 200 ? body.sovereignFQDN : body.fqdn;
    return { kind: 'answer', status: res.status, ...(typeof fqdn === 'string' ? { fqdn } : {}), ...(typeof body.error === 'string' ? { error: body.error } : {}) };
  } catch (err) {
    return { kind: 'unavailable', why: `${url.href}: ${describeError(err)}` };
  }
}

/**
 * Why a Pod whose environment was read inside it (exec) runs with the wrong SOVEREIGN_FQDN: the
 * ConfigMap missing, without the key, holding another value, created after the Pod started (the race
 * of incident 1), or changed after it started without a rollout. `detail` is the cause annotation's.
 */
export function explainWrongFqdn(ns: string, expected: string, cm: KubeObject | undefined, started: string): { why: string; detail: string } {
  const cmValue = (cm?.['data'] as Record<string, string> | undefined)?.['fqdn'];
  const cmCreated = cm?.metadata.creationTimestamp;
  if (!cm) {
    return { why: `ConfigMap ${ns}/sovereign-fqdn does not exist, so the optional reference resolved to nothing`, detail: 'ConfigMap sovereign-fqdn missing' };
  } else if (cmValue === undefined || cmValue === '') {
    return { why: `ConfigMap ${ns}/sovereign-fqdn has no value under key fqdn`, detail: 'ConfigMap sovereign-fqdn has no fqdn key' };
  } else if (cmValue !== expected) {
    return { why: `ConfigMap ${ns}/sovereign-fqdn holds fqdn="${cmValue}", not "${expected}"`, detail: 'ConfigMap sovereign-fqdn holds another value' };
  } else if (cmCreated && started && cmCreated > started) {
    return { why: `ConfigMap ${ns}/sovereign-fqdn was created at ${cmCreated}, after the Pod started at ${started}: the race of incident 1 (the Pod was never rolled)`, detail: 'ConfigMap created after the Pod started' };
  }
  return {
    why: `ConfigMap ${ns}/sovereign-fqdn holds the right value, but the Pod (started ${started}) runs with another one: the ConfigMap changed after the Pod started and the Deployment was not rolled`,
    detail: 'Pod not rolled after a ConfigMap change',
  };
}
