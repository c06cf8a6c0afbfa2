/**
 * The nodes: every node Ready, without memory, disk or PID pressure and schedulable, the control plane
 * present, and (with SMOKE_EXPECT_NODES) every provisioned server joined. The count per role goes to
 * the report's provenance.
 */
import { test } from '../fixtures/index.js';
import { checkNodesReady } from '../decisions/nodes-checks.js';

test(
  'cluster.nodes-ready: every node is Ready, without pressure conditions and schedulable, and the control plane is present',
  { tag: ['@cluster'] },
  async ({ kube, config }) => {
    // Waits within SMOKE_AWAIT for a node still joining; fails at once on one NotReady for minutes.
    await checkNodesReady({ kube, config });
  },
);
