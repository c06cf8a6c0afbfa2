/**
 * The Hetzner load balancer in front of the console: it has targets, the control plane among them, and
 * every target is healthy on every service port (incident 3: an LB without targets). Targets not yet
 * probed (`unknown`) are waited for within SMOKE_AWAIT; no targets, or an established target unhealthy,
 * fail at once (rules: decisions/converging.ts targetHealth, from Hetzner's API reference).
 */
import { step } from '../report/check.js';
import { KUBE_CAUSES } from '../report/errors.js';
import { defineCheck } from './define.js';

export const lbTargets = defineCheck({
  id: 'lb.targets',
  title: 'the console load balancer has targets, including a control-plane server',
  tags: ['@edge'],
  needs: ['hetzner'],
  causes: [
    ...KUBE_CAUSES, 'dns-not-lb', 'hcloud-rate-limited', 'hcloud-token-missing', 'hcloud-token-rejected',
    'hcloud-unreachable', 'lb-missing', 'lb-no-control-plane', 'lb-no-targets',
  ],
  decide: ({ edge }) => step('list the load balancer targets and their server roles', () => edge.expectTargets()),
});

export const lbHealth = defineCheck({
  id: 'lb.health',
  title: 'every load balancer target is healthy on every service port',
  tags: ['@edge'],
  needs: ['hetzner'],
  causes: [
    ...KUBE_CAUSES, 'dns-not-lb', 'hcloud-rate-limited', 'hcloud-token-missing', 'hcloud-token-rejected',
    'hcloud-unreachable', 'lb-dns-unhealthy', 'lb-health-unknown', 'lb-missing', 'lb-no-targets',
    'lb-service-unhealthy', 'lb-targets-unhealthy',
  ],
  decide: ({ edge }) => step('read each target\'s health status per listen port', () => edge.expectHealthy()),
});
