/**
 * DNS: console.<fqdn> must point at this Sovereign's load balancer, not at an IP that was handed to
 * someone else (the stale record pointing at the orphan 49.12.16.160). No answer yet (right after
 * provisioning, before the records are written) is waited for within SMOKE_AWAIT; a foreign address
 * fails at once (rules: decisions/converging.ts dnsVerdict).
 */
import { test } from '../fixtures/index.js';

test('dns.console-to-lb: console.<fqdn> resolves to the public IPv4 of one of this Sovereign\'s load balancers', { tag: ['@edge'] }, async ({ edge }) => {
  await test.step('find this Sovereign\'s load balancers and where console.<fqdn> points', async () => {
    await edge.expectConsoleOnLoadBalancer();
  });
});
