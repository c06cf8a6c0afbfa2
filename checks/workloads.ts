/** catalyst.workloads-ready: waits within SMOKE_AWAIT while rollouts progress; a crash-looping Pod fails it at once, named. */
import { converge, timeoutMessage } from '../clients/poll.js';
import { awaitBudget, failOnKubeError } from '../decisions/kube-read.js';
import type { Pod } from '../decisions/kube-shapes.js';
import { describeProblem, observeWorkloads, recordCatalystApiBuild, type Workload } from '../decisions/workloads.js';
import { fail, provenance, skipCheck, step } from '../report/check.js';
import { KUBE_CAUSES, KubeError } from '../report/errors.js';
import { defineCheck } from './define.js';

export const workloadsReady = defineCheck({
  id: 'catalyst.workloads-ready',
  title: 'every Deployment, StatefulSet and DaemonSet of the Catalyst control plane has its desired replicas ready',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [...KUBE_CAUSES, 'catalyst-workload-failing', 'catalyst-workloads-not-ready'],
  /**
   * catalyst.workloads-ready: every Deployment, StatefulSet and DaemonSet in the Catalyst namespace has
   * its desired replicas ready, waiting within SMOKE_AWAIT for rollouts in progress; a crash-looping
   * one fails at once naming its Pod and the reason. Needs `list` on deployments, statefulsets,
   * daemonsets and pods in that namespace; without one it cannot decide and says so (a skip).
   */
  decide: async ({ kube, config, net }) => {
    const ns = config.catalystNamespace;
    const what = `every Deployment, StatefulSet and DaemonSet in ${ns} to have its desired replicas ready`;
    const list = async <T>(apiVersion: string, kind: string, plural: string): Promise<T[]> => {
      try {
        return await kube.list<T>(apiVersion, kind, ns);
      } catch (err) {
        if (err instanceof KubeError && err.status === 403) skipCheck('kube-forbidden', `catalyst.workloads-ready cannot decide: the kubeconfig identity may not list ${plural} in ${ns} (${err.message})`);
        return failOnKubeError(err, `listing ${plural} in ${ns}`);
      }
    };
    const result = await step(`wait for ${what}`, () => converge(config, what, async () => {
      const [deploys, sets, daemons, pods] = await Promise.all([
        list<Workload>('apps/v1', 'Deployment', 'deployments'),
        list<Workload>('apps/v1', 'StatefulSet', 'statefulsets'),
        list<Workload>('apps/v1', 'DaemonSet', 'daemonsets'),
        list<Pod>('v1', 'Pod', 'pods'),
      ]);
      const workloads = [...deploys, ...sets, ...daemons];
      const o = observeWorkloads(workloads, pods);
      const counts = `${deploys.length} Deployment(s), ${sets.length} StatefulSet(s), ${daemons.length} DaemonSet(s)`;
      return {
        done: workloads.length > 0 && o.problems.length === 0,
        terminal: o.problems.some((p) => p.terminal),
        seen: workloads.length === 0 ? `no workload in ${ns}` : `${o.total - o.problems.length}/${o.total} ready (${counts})${o.problems.length ? `; ${o.problems.map((p) => `${p.verdict.ref} ${p.verdict.shown}${p.pods[0] ? ` (${p.pods[0]})` : ''}`).join(', ')}` : ''}`,
        value: { ...o, counts },
      };
    }));
    const o = result.last.value;
    if (o.total > 0) provenance('catalyst workloads', `${o.total - o.problems.length}/${o.total} ready in ${ns}: ${o.counts}`);
    if (net && result.outcome === 'done') await recordCatalystApiBuild(net, config);
    if (result.outcome === 'done') return;
    if (o.total === 0) {
      fail('catalyst-workloads-not-ready', `${result.outcome === 'timeout' ? `${timeoutMessage(what, result, awaitBudget(config))}\n` : ''}namespace ${ns} runs no Deployment, StatefulSet or DaemonSet: bp-catalyst-platform has not installed the Catalyst control plane (\`flux get helmrelease -n flux-system bp-catalyst-platform\`; SMOKE_CATALYST_NAMESPACE if it lives elsewhere)`);
    }
    const failing = o.problems.filter((p) => p.terminal);
    const shown = (result.outcome === 'terminal' ? failing : o.problems).map(describeProblem).join('\n');
    const firstPod = (result.outcome === 'terminal' ? failing : o.problems).flatMap((p) => p.pods)[0];
    if (result.outcome === 'terminal') {
      fail(
        'catalyst-workload-failing',
        `${failing.length} Catalyst control-plane workload(s) in ${ns} will not become ready without a fix (${o.total - o.problems.length}/${o.total} ready):\n${shown}\nnext: \`kubectl -n ${ns} describe pod ${firstPod?.match(/^Pod (\S+):/)?.[1] ?? '<pod>'}\` and its logs with --previous`,
        failing.map((p) => p.verdict.ref).join(', '),
      );
    }
    fail('catalyst-workloads-not-ready', `${timeoutMessage(what, result, awaitBudget(config))}\nnot ready (${o.total - o.problems.length}/${o.total} ready):\n${shown}\nnext: \`kubectl -n ${ns} get deploy,sts,ds\` and \`kubectl -n ${ns} describe\` the ones listed`);
  },
});
