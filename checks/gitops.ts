/**
 * gitops.ready: Flux converged. Kustomizations bootstrap-kit and sovereign-tls, every bp-* HelmRelease
 * and the gateway Certificate are Ready. Most HelmReleases use disableWait, so Ready means "applied";
 * the catalyst-api checks prove the workload. Waits within SMOKE_AWAIT while objects progress; fails at
 * once on a terminal condition.
 */
import { formatDuration } from '../clients/config.js';
import { converge, timeoutMessage, type Observation } from '../clients/poll.js';
import { listNotReady, observeGitops, reportUncounted, shortRef, type GitopsObservation } from '../decisions/gitops.js';
import { awaitBudget } from '../decisions/kube-read.js';
import { fail, step } from '../report/check.js';
import { KUBE_CAUSES } from '../report/errors.js';
import { defineCheck } from './define.js';

export const gitopsReady = defineCheck({
  id: 'gitops.ready',
  title: 'Flux Kustomizations bootstrap-kit and sovereign-tls, every bp-* HelmRelease and the gateway Certificate are Ready',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    ...KUBE_CAUSES, 'cert-issuance-failed', 'gitops-failed', 'gitops-missing', 'gitops-not-ready',
  ],
  /**
   * Waits while Flux is still progressing, until SMOKE_AWAIT after the start of the run; fails at once
   * on a terminal condition, passes as soon as everything it counts is Ready.
   *
   * Converging (waited for): Ready=Unknown/Progressing, DependencyNotReady, a new generation not yet
   * observed, no Ready condition yet, a failed install/upgrade with remediation retries left, a missing
   * object or CRD (bootstrap still creating it), a Certificate being issued. Terminal (fail at once):
   * Stalled, InstallFailed/UpgradeFailed/… with no retries left, a Certificate whose issuance failed
   * (cert-manager backs off for hours), a required Kustomization suspended by hand. Not counted:
   * HelmReleases suspended on purpose and Certificates of other zones (both listed in the report).
   */
  decide: async ({ kube, config }) => {
    const what = 'Flux Kustomizations bootstrap-kit and sovereign-tls, every bp-* HelmRelease and the console Certificate to be Ready';
    const result = await step(`wait for ${what}`, () =>
      converge<GitopsObservation>(config, what, async (): Promise<Observation<GitopsObservation>> => {
        const o = await observeGitops(kube, config);
        const bad = o.counted.filter((r) => r.state !== 'ready');
        return { done: bad.length === 0, terminal: bad.some((r) => r.state === 'failed'), seen: `${o.counted.length - bad.length}/${o.counted.length} Ready; ${bad.map((r) => `${r.ref} ${r.state} ${r.reason}`).join(', ')}`, value: o };
      }),
    );
    const o = result.last.value;
    reportUncounted(o, config.consoleUrl.hostname);
    const rs = o.counted;
    if (result.outcome === 'done') return;
    if (result.outcome === 'terminal') {
      const failed = rs.filter((r) => r.state === 'failed');
      const cause = failed.every((r) => r.ref.startsWith('Certificate ')) ? 'cert-issuance-failed' : 'gitops-failed';
      const next = cause === 'cert-issuance-failed' ? `\`kubectl -n ${config.gateway.namespace} describe certificate ${failed.map(shortRef).map((s) => s.split('/')[1]).join(' ')}\` and its CertificateRequest` : '`kubectl -n flux-system describe helmrelease <name>` (or `flux resume` for a suspended Kustomization)';
      fail(cause, `${cause === 'cert-issuance-failed' ? 'cert-manager' : 'Flux'}: ${failed.length} object(s) failed and will not become Ready without a fix (after ${formatDuration(result.elapsedMs)}):\n${listNotReady(rs)}\nnext: ${next}`);
    }
    const missingOnly = rs.every((r) => r.state === 'ready' || r.state === 'missing');
    fail(missingOnly ? 'gitops-missing' : 'gitops-not-ready', `${timeoutMessage(what, result, awaitBudget(config))}\nnot Ready:\n${listNotReady(rs)}`);
  },
});
