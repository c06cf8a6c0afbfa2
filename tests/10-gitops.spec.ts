/**
 * Flux converged: Kustomizations bootstrap-kit and sovereign-tls, every bp-* HelmRelease and the
 * gateway Certificate are Ready. Most HelmReleases use disableWait, so Ready means "applied"; the
 * catalyst-api checks prove the workload.
 */
import { test } from '../fixtures/index.js';
import { checkGitopsReady } from '../decisions/cluster-checks.js';

test(
  'gitops.ready: Flux Kustomizations bootstrap-kit and sovereign-tls, every bp-* HelmRelease and the gateway Certificate are Ready',
  { tag: ['@cluster'] },
  async ({ kube, config }) => {
    // Waits up to SMOKE_AWAIT while objects progress; fails at once on a terminal condition.
    await checkGitopsReady({ kube, config });
  },
);
