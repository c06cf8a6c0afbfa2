/**
 * Readiness, one rule each, used by every check that waits for something: a Flux or cert-manager
 * object by its conditions ({@link readinessOf}), a Pod by its containers ({@link podProblems},
 * {@link waitingIsTerminal}, shared by catalyst-api.available and catalyst.workloads-ready).
 *
 * @module
 */
import type { KubeObject } from '../clients/kube.js';
import { condition, ref, type Pod } from './kube-shapes.js';

/**
 * Reasons after which Flux will not converge by itself (without a change in Git or a manual retry).
 * Not among them, because the controllers requeue and they clear by themselves on a converging
 * Sovereign: ArtifactFailed (source or HelmChart not ready yet: "retrying in …"), HealthCheckFailed
 * (requeued at the retry interval, e.g. while a Deployment rolls out) and InitFailed. They stay
 * progressing, and are reported with their message if SMOKE_AWAIT runs out.
 */
const TERMINAL_REASONS = new Set(['InstallFailed', 'UpgradeFailed', 'RollbackFailed', 'UninstallFailed', 'TestFailed', 'RetriesExceeded', 'BuildFailed']);

/** The readiness of one Flux or cert-manager object. */
export interface Readiness {
  ref: string;
  /**
   * `suspended`: `spec.suspend` is true, so the controller does not reconcile it at all (neither
   * failed nor progressing: it will not change until someone resumes it).
   */
  state: 'ready' | 'progressing' | 'failed' | 'missing' | 'suspended';
  reason: string;
  message: string;
}

/** Classifies one object by its Ready/Stalled conditions and remediation state. */
export function readinessOf(o: KubeObject): Readiness {
  const r = ref(o);
  const ready = condition(o, 'Ready');
  const stalled = condition(o, 'Stalled');
  const generation = o.metadata.generation;
  const observed = (o['status'] as { observedGeneration?: number } | undefined)?.observedGeneration;
  const spec = (o['spec'] as { suspend?: boolean; install?: { remediation?: { retries?: number } }; upgrade?: { remediation?: { retries?: number } } } | undefined) ?? {};
  // Suspended first: helm-controller (and kustomize-controller alike) returns before it touches any
  // condition of a suspended object ("Return early if the object is suspended", fluxcd/helm-controller
  // internal/controller/helmrelease_controller.go@5e3ad5d2 Reconcile), so whatever conditions it carries
  // are stale or absent, and it never becomes Ready ("Flux never marks a suspended HR Ready",
  // openova clusters/_template/bootstrap-kit/55b-bp-huawei-evs-csi.yaml@497817f6). Neither failed nor
  // worth waiting for: the caller decides whether a suspended object matters.
  if (spec.suspend === true) {
    const last = ready ? `last Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}, written before it was suspended` : 'no Ready condition';
    return { ref: r, state: 'suspended', reason: 'Suspended', message: `spec.suspend is true: the controller does not reconcile it (${last})` };
  }
  if (ready?.status === 'True' && (generation === undefined || observed === undefined || observed >= generation)) return { ref: r, state: 'ready', reason: ready.reason ?? 'Ready', message: ready.message ?? '' };
  if (stalled?.status === 'True') {
    const why = [ready?.status === 'False' ? ready.message : undefined, stalled.message].filter(Boolean).join('; ');
    return { ref: r, state: 'failed', reason: `${ready?.status === 'False' && ready.reason ? `${ready.reason}, ` : ''}Stalled/${stalled.reason ?? 'Stalled'}`, message: why };
  }
  // cert-manager: a Certificate that is not Ready and whose issuance failed is retried only after an
  // exponential backoff (1 h, then up to 32 h), so it will not become Ready within any SMOKE_AWAIT.
  const issuing = o.kind === 'Certificate' ? condition(o, 'Issuing') : undefined;
  if (ready?.status !== 'True' && issuing?.status === 'False' && issuing.reason === 'Failed') {
    const attempts = (o['status'] as { failedIssuanceAttempts?: number } | undefined)?.failedIssuanceAttempts;
    return { ref: r, state: 'failed', reason: `${ready?.reason ?? 'NotReady'}, Issuing/Failed${attempts ? ` (${attempts} failed attempts)` : ''}`, message: [ready?.message, issuing.message].filter(Boolean).join('; ') };
  }
  if (!ready) return { ref: r, state: 'progressing', reason: 'NoReadyCondition', message: 'not reconciled yet' };
  if (ready.status === 'True') return { ref: r, state: 'progressing', reason: 'NewGeneration', message: `generation ${generation} not yet observed (observed ${observed})` };
  const reason = ready.reason ?? 'Unknown';
  if (ready.status === 'False' && TERMINAL_REASONS.has(reason)) {
    // A failed install/upgrade with remediation retries left is still being retried by Flux.
    const st = (o['status'] as { installFailures?: number; upgradeFailures?: number } | undefined) ?? {};
    const retries = reason === 'UpgradeFailed' ? spec.upgrade?.remediation?.retries : reason === 'InstallFailed' ? spec.install?.remediation?.retries : undefined;
    const failures = reason === 'UpgradeFailed' ? st.upgradeFailures : st.installFailures;
    if (retries !== undefined && failures !== undefined && (retries < 0 || failures <= retries)) {
      return { ref: r, state: 'progressing', reason, message: `${ready.message ?? ''} (retrying: failure ${failures} of ${retries < 0 ? '∞' : retries + 1})` };
    }
    return { ref: r, state: 'failed', reason, message: ready.message ?? '' };
  }
  return { ref: r, state: 'progressing', reason, message: ready.message ?? '' };
}

/**
 * Whether a container waiting for `reason` will stay that way. The kubelet retries every one of them,
 * so only those that cannot clear by themselves count: an image name that does not parse, an image
 * that does not exist or may not be pulled, and a crash loop that has gone round 3 times. A Secret
 * that is not there yet (CreateContainerConfigError: Reflector has not mirrored it) or a pull that
 * failed once is a Sovereign still converging.
 */
export function waitingIsTerminal(reason: string, message: string, restarts: number): boolean {
  if (reason === 'InvalidImageName') return true;
  if (reason === 'CrashLoopBackOff') return restarts >= 3;
  if (reason === 'ErrImagePull' || reason === 'ImagePullBackOff') return /not found|manifest unknown|unauthorized|denied|forbidden|\b40[13]\b/i.test(message);
  return false;
}

/** Problems with one Pod's readiness, e.g. `Ready=False; catalyst-api waiting CrashLoopBackOff, 7 restarts`. */
export function podProblems(p: Pod): { text: string; terminal: boolean } | undefined {
  const parts: string[] = [];
  let terminal = false;
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  if (p.status?.phase !== 'Running') parts.push(`phase ${p.status?.phase ?? 'unknown'}`);
  for (const cs of p.status?.containerStatuses ?? []) {
    const w = cs.state?.waiting;
    const restarts = cs.restartCount ?? 0;
    if (w?.reason) {
      parts.push(`${cs.name} waiting ${w.reason}${w.message ? ` (${w.message})` : ''}`);
      if (waitingIsTerminal(w.reason, w.message ?? '', restarts)) terminal = true;
    }
    if (restarts > 0) {
      const last = cs.lastState?.terminated;
      parts.push(`${cs.name} restarted ${restarts} time(s)${last ? ` (last: ${last.reason ?? 'terminated'}, exit ${last.exitCode ?? '?'})` : ''}`);
    }
  }
  if (ready?.status !== 'True' || parts.length) {
    if (ready?.status !== 'True') parts.unshift(`Ready=${ready?.status ?? 'unknown'}`);
    // Restarts alone on a Ready Pod are reported but do not fail it.
    if (ready?.status === 'True' && !terminal) return undefined;
    return { text: `Pod ${p.metadata.name}: ${parts.join('; ')}`, terminal };
  }
  return undefined;
}
