/** cluster.nodes-ready: waits within SMOKE_AWAIT for a node still joining; fails at once on one NotReady for minutes. */
import { checkNodesReady } from '../decisions/nodes-checks.js';
import { defineCheck } from './define.js';

export const nodesReady = defineCheck({
  id: 'cluster.nodes-ready',
  title: 'every node is Ready, without pressure conditions and schedulable, and the control plane is present',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    'control-plane-missing', 'kube-forbidden', 'kube-not-configured', 'kube-unauthenticated', 'kube-unreachable',
    'node-not-ready', 'nodes-missing', 'preflight-failed',
  ],
  decide: ({ kube, config }) => checkNodesReady({ kube, config }),
});
