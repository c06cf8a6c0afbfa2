/**
 * Every public host the Sovereign serves (the HTTPRoutes attached to the gateway: console, api, auth,
 * gitea, harbor, bao, …) answers through the load balancer with a certificate for its name and no 5xx:
 * what openova's sovereign-dod-verify.sh L5 checks by hand, with the certificate verified.
 */
import { test } from '../fixtures/index.js';
import { requireCluster } from '../decisions/cluster-checks.js';
import { checkRoutesReachable } from '../decisions/routes-checks.js';
import { awaitConsoleEdge } from '../decisions/edge-checks.js';

test('routes.reachable: every public host the gateway routes answers through the load balancer with a trusted certificate for its name and a non-5xx status', { tag: ['@edge'] }, async ({ kube, net, config }) => {
  // The hosts come from the cluster's HTTPRoutes.
  await requireCluster(kube, config);
  // Every public host goes through the console's load balancer and wildcard certificate: wait while they converge.
  await awaitConsoleEdge({ config, kube, net });
  await test.step('list the HTTPRoutes attached to the gateway and ask every host, concurrently', async () => {
    await checkRoutesReachable({ kube, net, config });
  });
});
