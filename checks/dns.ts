/** dns.console-to-lb: console.<fqdn> points at this Sovereign's load balancer (on Huawei: its EIP). */
import { step } from '../report/check.js';
import { KUBE_CAUSES } from '../report/errors.js';
import { defineCheck } from './define.js';

export const consoleToLb = defineCheck({
  id: 'dns.console-to-lb',
  title: 'console.<fqdn> resolves to the public IPv4 of one of this Sovereign\'s load balancers',
  tags: ['@edge'],
  needs: [],
  causes: [
    ...KUBE_CAUSES, 'dns-not-lb', 'dns-not-propagated', 'hcloud-rate-limited', 'hcloud-token-missing',
    'hcloud-token-rejected', 'hcloud-unreachable', 'lb-missing', 'provider-not-hetzner',
  ],
  decide: ({ edge }) => step('find this Sovereign\'s load balancers and where console.<fqdn> points', () => edge.expectConsoleOnLoadBalancer()),
});
