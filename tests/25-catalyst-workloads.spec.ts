/**
 * The Catalyst control plane as deployed: every Deployment, StatefulSet and DaemonSet in the Catalyst
 * namespace (found there, not listed by hand) has its desired replicas ready. catalyst-api's build
 * (GET /api/v1/version on the console) goes to the report's provenance.
 */
import { test } from '../fixtures/index.js';
import { checkWorkloadsReady } from '../decisions/workloads-checks.js';

test(
  'catalyst.workloads-ready: every Deployment, StatefulSet and DaemonSet of the Catalyst control plane has its desired replicas ready',
  { tag: ['@cluster'] },
  async ({ kube, net, config }) => {
    // Waits within SMOKE_AWAIT while rollouts progress; a crash-looping Pod fails it at once, named.
    await checkWorkloadsReady({ kube, net, config });
  },
);
