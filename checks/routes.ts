/**
 * routes.reachable: the hosts come from the cluster's HTTPRoutes; every public host goes through the
 * console's load balancer and wildcard certificate, so the check waits while they converge.
 */
import { checkRoutesReachable } from '../decisions/routes-checks.js';
import { step } from '../report/check.js';
import { defineCheck } from './define.js';

export const routesReachable = defineCheck({
  id: 'routes.reachable',
  title: 'every public host the gateway routes answers through the load balancer with a trusted certificate for its name and a non-5xx status',
  tags: ['@edge'],
  needs: ['cluster', 'console'],
  causes: [
    'gitops-missing', 'route-backend-down', 'route-unreachable', 'tls-expiring', 'tls-name-mismatch',
    'tls-staging-issuer', 'tls-untrusted',
  ],
  decide: ({ kube, net, config }) => step('list the HTTPRoutes attached to the gateway and ask every host, concurrently', () => checkRoutesReachable({ kube, net, config })),
});
