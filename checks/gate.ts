/**
 * The one gate every check passes before it decides, whoever runs it (Playwright or in-process):
 * each {@link Need} the check declares, in its order, is met, waited for while it converges, or ends
 * the check as skipped (or failed) naming what is missing.
 *
 * @module
 */
import { awaitConsoleEdge } from '../decisions/edge-checks.js';
import { requireCluster } from '../decisions/cluster-gate.js';
import { fail } from '../report/check.js';
import type { CheckContext, Need } from './define.js';

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
