/** cluster.nodes-ready: waits within SMOKE_AWAIT for a node still joining; fails at once on one NotReady for minutes. */
import { converge, timeoutMessage } from '../clients/poll.js';
import { awaitBudget, failOnKubeError } from '../decisions/kube-read.js';
import { countByRole, listProblems, observeNodeList, type NodeObject, type NodesObservation } from '../decisions/nodes.js';
import { fail, provenance, skipCheck, step } from '../report/check.js';
import { KUBE_CAUSES, KubeError } from '../report/errors.js';
import { defineCheck } from './define.js';

export const nodesReady = defineCheck({
  id: 'cluster.nodes-ready',
  title: 'every node is Ready, without pressure conditions and schedulable, and the control plane is present',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [...KUBE_CAUSES, 'control-plane-missing', 'node-not-ready', 'nodes-missing'],
  /**
   * cluster.nodes-ready: every node Ready, without MemoryPressure/DiskPressure/PIDPressure and not
   * cordoned, a control-plane node present and, with SMOKE_EXPECT_NODES, at least that many nodes.
   * Needs `list nodes` cluster-wide; without it the check cannot decide and says so (a skip naming the
   * permission, never a pass).
   */
  decide: async ({ kube, config }) => {
    const what = `every node to be Ready${config.expectNodes !== undefined ? ` and ${config.expectNodes} node(s) to have joined` : ''}`;
    const result = await step(`wait for ${what}`, () => converge<NodesObservation>(config, what, async () => {
      let nodes: NodeObject[];
      try {
        nodes = await kube.list<NodeObject>('v1', 'Node', undefined);
      } catch (err) {
        if (err instanceof KubeError && err.status === 403) {
          skipCheck('kube-forbidden', `cluster.nodes-ready cannot decide: the kubeconfig identity may not list nodes cluster-wide (${err.message}); grant get/list on nodes in a ClusterRole`);
        }
        return failOnKubeError(err, 'listing nodes');
      }
      const o = observeNodeList(nodes, config, Date.now());
      const bad = o.verdicts.filter((v) => v.state !== 'ready');
      return {
        done: bad.length === 0 && o.missing.length === 0,
        terminal: o.terminal || bad.some((v) => v.state === 'failed'),
        seen: `${o.verdicts.length - bad.length}/${o.verdicts.length} Ready${o.missing.length ? `; ${o.missing.join('; ')}` : ''}${bad.length ? `; ${bad.map((v) => `${v.name}: ${v.problems[0] ?? ''}`).join('; ')}` : ''}`,
        value: o,
      };
    }));
    const o = result.last.value;
    provenance('nodes', `${o.verdicts.length}: ${countByRole(o.verdicts)}`);
    if (o.kubelets.length) provenance('kubelet versions', o.kubelets.join(', '));
    if (result.outcome === 'done') return;
    const names = o.verdicts.filter((v) => v.state !== 'ready').map((v) => v.name);
    const noControlPlane = o.missing.some((m) => m.startsWith('no control-plane') || m.startsWith('no node'));
    const cause = noControlPlane ? 'control-plane-missing' : o.verdicts.every((v) => v.state === 'ready') ? 'nodes-missing' : 'node-not-ready';
    const next = names.length
      ? `\`kubectl describe node ${names.join(' ')}\`, then on the server \`journalctl -u k3s${o.verdicts.find((v) => v.name === names[0])?.roles.includes('worker') ? '-agent' : ''}\``
      : '`kubectl get nodes -o wide` and the servers in the Hetzner project';
    const head = result.outcome === 'timeout' ? `${timeoutMessage(what, result, awaitBudget(config))}\n` : '';
    fail(cause, `${head}${names.length ? `${names.length} of ${o.verdicts.length} node(s) not Ready and schedulable` : 'the node set is incomplete'} (${countByRole(o.verdicts)}):\n${listProblems(o)}\nnext: ${next}`, names.length ? `node ${names.join(', ')}` : undefined);
  },
});
