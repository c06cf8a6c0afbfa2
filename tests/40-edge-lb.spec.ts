/**
 * The Hetzner load balancer in front of the console: it has targets, the control plane among them,
 * and every target is healthy on every service port (incident 3: an LB without targets). Targets
 * not yet probed (`unknown`) are waited for within SMOKE_AWAIT; no targets, or an established target
 * unhealthy, fail at once (rules: decisions/converging.ts targetHealth, from Hetzner's API reference).
 */
import { test } from '../fixtures/index.js';

test('lb.targets: the console load balancer has targets, including a control-plane server', { tag: ['@edge'] }, async ({ edge }) => {
  await test.step('list the load balancer targets and their server roles', async () => {
    await edge.expectTargets();
  });
});

test('lb.health: every load balancer target is healthy on every service port', { tag: ['@edge'] }, async ({ edge }) => {
  await test.step('read each target\'s health status per listen port', async () => {
    await edge.expectHealthy();
  });
});
