/** catalyst.workloads-ready: waits within SMOKE_AWAIT while rollouts progress; a crash-looping Pod fails it at once, named. */
import { checkWorkloadsReady } from '../decisions/workloads-checks.js';
import { defineCheck } from './define.js';

export const workloadsReady = defineCheck({
  id: 'catalyst.workloads-ready',
  title: 'every Deployment, StatefulSet and DaemonSet of the Catalyst control plane has its desired replicas ready',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    'catalyst-workload-failing', 'catalyst-workloads-not-ready', 'kube-forbidden', 'kube-not-configured',
    'kube-unauthenticated', 'kube-unreachable', 'preflight-failed',
  ],
  decide: ({ kube, net, config }) => checkWorkloadsReady({ kube, net, config }),
});
