/**
 * What gitops.ready observes (checks/gitops.ts decides): the Flux Kustomizations the Sovereign's
 * cloud-init creates, every bp-* HelmRelease, and the console's gateway Certificate, each classified
 * by {@link readinessOf}.
 *
 * @module
 */
import type { SovereignConfig } from '../clients/config.js';
import type { Kube } from '../clients/kube.js';
import { evidence, note, provenance, skipCheck } from '../report/check.js';
import { gatewayCertificates } from './gateway.js';
import { listOrWhy } from './kube-read.js';
import { readinessOf, type Readiness } from './readiness.js';

/** One observation of every object gitops.ready decides on. */
export interface GitopsObservation {
  /** What gitops.ready waits for. */
  counted: Readiness[];
  /** HelmReleases suspended on purpose: listed, never waited for. */
  suspended: Readiness[];
  /** Certificates of other zones: reported, never waited for. */
  otherZones: (Readiness & { listeners: string[] })[];
  notes: string[];
}

/** The Kustomizations the Sovereign's cloud-init creates; openova never ships them suspended. */
export const REQUIRED_KUSTOMIZATIONS = ['bootstrap-kit', 'sovereign-tls'];

/** One observation of every object gitops.ready waits for. */
export async function observeGitops(kube: Kube, config: SovereignConfig): Promise<GitopsObservation> {
  const [ks, hrs, certs] = await Promise.all([
    listOrWhy(kube, 'kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'flux-system'),
    listOrWhy(kube, 'helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'flux-system'),
    gatewayCertificates(kube, config),
  ]);
  // Not allowed to look at Flux itself: the check cannot decide (a skip naming the permission).
  for (const [what, r] of [['list kustomizations.kustomize.toolkit.fluxcd.io in flux-system', ks], ['list helmreleases.helm.toolkit.fluxcd.io in flux-system', hrs]] as const) {
    if ('forbidden' in r) skipCheck('kube-forbidden', `gitops.ready cannot decide: the kubeconfig identity may not ${what} (${r.forbidden})`);
  }
  const counted: Readiness[] = [];
  const suspended: Readiness[] = [];
  for (const name of REQUIRED_KUSTOMIZATIONS) {
    const k = 'items' in ks ? ks.items.find((o) => o.metadata.name === name) : undefined;
    if (!k) {
      counted.push({ ref: `Kustomization flux-system/${name}`, state: 'missing', reason: 'NotFound', message: 'absent' in ks ? ks.absent : 'does not exist' });
      continue;
    }
    const r = readinessOf(k);
    // Someone suspended it by hand: nothing in Git reaches the Sovereign until it is resumed.
    counted.push(r.state === 'suspended' ? { ...r, state: 'failed', message: `${r.message}; nothing from Git is applied until \`flux resume kustomization ${name}\`` } : r);
  }
  const bp = 'items' in hrs ? hrs.items.filter((h) => h.metadata.name.startsWith('bp-')) : [];
  if (bp.length === 0) counted.push({ ref: 'HelmRelease flux-system/bp-*', state: 'missing', reason: 'NotFound', message: 'absent' in hrs ? hrs.absent : 'no bp-* HelmRelease exists' });
  for (const h of bp) {
    const r = readinessOf(h);
    // Suspended on purpose: openova renders region- and provider-specific releases with
    // `suspend: ${..._SUSPEND:=true}` (bp-catalyst-secondary-edge on a primary or single-region
    // Sovereign: clusters/_template/bootstrap-kit/13e-bp-catalyst-secondary-edge-routes.yaml@45eeefe2;
    // bp-velero-hcs on Hetzner: 34a-bp-velero-hcs.yaml@21b31b1c). Listed, never failed, never waited for.
    (r.state === 'suspended' ? suspended : counted).push(r);
  }
  const otherZones: GitopsObservation['otherZones'] = [];
  if (Array.isArray(certs.console)) counted.push(...certs.console.map(readinessOf));
  else counted.push(certs.console);
  for (const o of certs.others) otherZones.push({ ...readinessOf(o.cert), listeners: o.listeners });
  // Record what is deployed.
  const items = 'items' in hrs ? hrs.items : [];
  const platform = items.find((h) => h.metadata.name === 'bp-catalyst-platform');
  const history = (platform?.['status'] as { history?: { chartVersion?: string }[]; lastAttemptedRevision?: string } | undefined) ?? {};
  provenance('bp-catalyst-platform chart', history.history?.[0]?.chartVersion ?? history.lastAttemptedRevision);
  const kit = 'items' in ks ? ks.items.find((o) => o.metadata.name === 'bootstrap-kit') : undefined;
  provenance('flux source revision', (kit?.['status'] as { lastAppliedRevision?: string } | undefined)?.lastAppliedRevision);
  return { counted, suspended, otherZones, notes: certs.notes };
}

export function listNotReady(rs: Readiness[]): string {
  return rs
    .filter((r) => r.state !== 'ready')
    .map((r) => `  - ${r.ref}: ${r.state === 'missing' ? 'missing' : `${r.state === 'failed' ? 'FAILED' : 'not Ready'} (${r.reason})`}${r.message ? `: ${r.message}` : ''}`)
    .join('\n');
}

export const shortRef = (r: Readiness): string => r.ref.replace(/^\S+ /, '');

/** Reports, on a check that may pass, what it did not count: suspended releases and other zones. */
export function reportUncounted(o: GitopsObservation, consoleHost: string): void {
  if (o.suspended.length) {
    note('suspended HelmReleases', o.suspended.map((r) => `${r.ref}: ${r.message}`).join('; '));
    provenance('suspended HelmReleases', o.suspended.map(shortRef).join(', '));
  }
  if (o.otherZones.length) {
    const text = o.otherZones.map((r) => `${r.ref} (listener ${r.listeners.join(', ')}): ${r.state === 'ready' ? 'Ready' : `${r.state === 'failed' ? 'FAILED' : r.state} (${r.reason})${r.message ? `: ${r.message}` : ''}`}`);
    note('other-zone certificates', `${text.join('; ')} (they serve other zones' hosts, not ${consoleHost}: reported, not counted)`);
    const bad = o.otherZones.filter((r) => r.state !== 'ready');
    provenance('other-zone certificates', bad.length ? `${bad.length} of ${o.otherZones.length} not Ready: ${bad.map((r) => `${shortRef(r)} ${r.state === 'failed' ? 'FAILED' : r.state} (${r.reason})`).join(', ')}` : `${o.otherZones.length} Ready`);
  }
  for (const n of o.notes) evidence(n);
}
