/**
 * The one gate every check passes before it decides, whoever runs it (Playwright or in-process):
 * each {@link Need} the check declares, in its order, is met, waited for while it converges, or ends
 * the check as skipped (or failed) naming what is missing.
 *
 * @module
 */
import { awaitConsoleEdge } from '../decisions/edge-checks.js';
import { requireCluster } from '../decisions/cluster-gate.js';
import type { CauseId } from '../report/causes.js';
import { fail } from '../report/check.js';
import { KUBE_CAUSES } from '../report/errors.js';
import type { CheckContext, Need } from './define.js';

/**
 * What waiting for a host behind the Sovereign's edge (console.<fqdn>, auth.<fqdn>) can name:
 * decisions/edge-checks.ts `hostTls` classifies a failed handshake by converging.ts `handshakeVerdict`
 * from the load balancer (Hetzner), the DNS answer and the gateway Certificate (kube).
 */
export const EDGE_CAUSES: readonly CauseId[] = [
  ...KUBE_CAUSES, 'cert-issuance-failed', 'cert-not-issued', 'console-unreachable', 'console-unresponsive', 'dns-not-lb',
  'dns-not-propagated', 'envoy-no-listener', 'hcloud-rate-limited', 'hcloud-token-missing', 'hcloud-token-rejected',
  'hcloud-unreachable', 'lb-health-unknown', 'lb-no-targets', 'lb-targets-unhealthy',
];

/** What the gate itself can name for each need: a check's `causes` include those of its needs (checks/define.ts). */
export const NEED_CAUSES: Readonly<Record<Need, readonly CauseId[]>> = {
  'signing-key': ['handover-key-unconfigured'],
  cluster: ['preflight-failed', ...KUBE_CAUSES],
  hetzner: ['provider-not-hetzner'],
  console: EDGE_CAUSES,
  browser: ['browser-unavailable'],
};

export async function gate(needs: readonly Need[], ctx: CheckContext): Promise<void> {
  for (const need of needs) {
    switch (need) {
      case 'signing-key':
        // Skips naming SMOKE_HANDOVER_KEY_FILE when no key is configured.
        ctx.handover.requireKey();
        break;
      case 'cluster':
        // Skips naming preflight.kube-access when the cluster cannot be read.
        await requireCluster(ctx.kube, ctx.config);
        break;
      case 'hetzner':
        // Skips naming the provider on a Sovereign that is not on Hetzner Cloud.
        await ctx.edge.requireHetzner();
        break;
      case 'console':
        // Waits while the console's DNS, load balancer and certificate converge; fails naming the layer.
        await awaitConsoleEdge(ctx);
        break;
      case 'browser':
        if (!ctx.browserLogin) fail('browser-unavailable', 'no browser session was handed to this check (Chromium could not be launched)');
        break;
    }
  }
}
