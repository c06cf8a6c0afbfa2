/**
 * gitops.ready: Flux converged. Kustomizations bootstrap-kit and sovereign-tls, every bp-* HelmRelease
 * and the gateway Certificate are Ready. Most HelmReleases use disableWait, so Ready means "applied";
 * the catalyst-api checks prove the workload. Waits within SMOKE_AWAIT while objects progress; fails at
 * once on a terminal condition.
 */
import { checkGitopsReady } from '../decisions/cluster-checks.js';
import { defineCheck } from './define.js';

export const gitopsReady = defineCheck({
  id: 'gitops.ready',
  title: 'Flux Kustomizations bootstrap-kit and sovereign-tls, every bp-* HelmRelease and the gateway Certificate are Ready',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    'cert-issuance-failed', 'gitops-failed', 'gitops-missing', 'gitops-not-ready', 'kube-forbidden',
    'kube-not-configured', 'kube-unauthenticated', 'kube-unreachable', 'preflight-failed',
  ],
  decide: ({ kube, config }) => checkGitopsReady({ kube, config }),
});
