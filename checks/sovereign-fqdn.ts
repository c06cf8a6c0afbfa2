/**
 * How catalyst-api.sovereign-fqdn (checks/catalyst-api.ts) decides: in every running catalyst-api Pod,
 * the process environment has SOVEREIGN_FQDN equal to the FQDN. The cause distinguishes a missing
 * ConfigMap, the ConfigMap created after the Pod (the race), a ConfigMap holding another value, and
 * one Pod of several. With exec it reads each Pod's environment; without it,
 * {@link decideFqdnWithoutExec}.
 *
 * @module
 */
import type { SovereignConfig } from '../clients/config.js';
import type { KubeObject } from '../clients/kube.js';
import type { Network } from '../clients/net.js';
import { catalystDeployment, catalystPods, CONTAINER, containerOf, containerRunning, DEPLOYMENT, readProcessEnv, selectorOf } from '../decisions/catalyst-pods.js';
import { failOnKubeError } from '../decisions/kube-read.js';
import type { Pod } from '../decisions/kube-shapes.js';
import { execAccess } from '../decisions/permissions.js';
import { askSovereignSelf, decideFqdnWithoutExec, explainWrongFqdn, fqdnConfigMapFacts, fqdnPodFacts } from '../decisions/sovereign-fqdn.js';
import { evidence, fail, skipCheck, step } from '../report/check.js';
import { KubeError, kubeCause } from '../report/errors.js';
import type { CheckContext } from './define.js';

async function decideWithoutExec(config: SovereignConfig, net: Network, pods: Pod[], cm: KubeObject | undefined, why: string): Promise<void> {
  const ns = config.catalystNamespace;
  // As with exec: a container that is not running has no process environment to judge.
  const running = pods.filter((p) => containerRunning(p, containerOf(p.spec)?.name ?? CONTAINER));
  const stopped = pods.filter((p) => !running.includes(p)).map((p) => `Pod ${p.metadata.name}: container ${containerOf(p.spec)?.name ?? CONTAINER} is not running (${p.status?.containerStatuses?.find((c) => c.name === (containerOf(p.spec)?.name ?? CONTAINER))?.state?.waiting?.reason ?? 'not started'})`);
  const self = await step('ask GET /api/v1/sovereign/self without a session', () => askSovereignSelf(net, config));
  const d = decideFqdnWithoutExec(config.fqdn, fqdnConfigMapFacts(cm, ns), running.map(fqdnPodFacts), self);
  evidence(`${why}: SOVEREIGN_FQDN was not read inside ${pods.length === 1 ? `Pod ${pods[0]?.metadata.name ?? ''}` : `the ${pods.length} Pods (${pods.map((p) => p.metadata.name).join(', ')})`}; decided from ConfigMap ${ns}/sovereign-fqdn, the containers' start times and GET /api/v1/sovereign/self`);
  for (const e of d.evidence) evidence(e);
  if (d.verdict === 'fail') {
    fail('sovereign-fqdn', `catalyst-api runs without SOVEREIGN_FQDN="${config.fqdn}", so handovers fail with 401 invalid audience (decided without exec: ${why}):\n${d.problems.map((p) => `  - ${p}`).join('\n')}\nnext: fix ConfigMap ${ns}/sovereign-fqdn if it is wrong, then \`kubectl -n ${ns} rollout restart deploy/${DEPLOYMENT}\``, d.detail);
  }
  if (stopped.length) fail('catalyst-api-unavailable', `the SOVEREIGN_FQDN of ${stopped.length} catalyst-api Pod(s) cannot be judged, their container is not running:\n${stopped.map((u) => `  - ${u}`).join('\n')}`);
  if (d.verdict === 'undecided') {
    skipCheck('permission-limited', `${why}, and the evidence that needs no exec cannot decide: ${d.problems.join('; ')}. Grant get (and create) on pods/exec in ${ns} (the deep set of sovereigns/rbac.yaml) to read the live environment`);
  }
}

/** catalyst-api.sovereign-fqdn's `decide`. */
export async function decideSovereignFqdn({ kube, config, net }: CheckContext): Promise<void> {
  const ns = config.catalystNamespace;
  const { pods, cm } = await step(`read the running catalyst-api Pods and ConfigMap ${ns}/sovereign-fqdn`, async () => {
    const deploy = await catalystDeployment(kube, config);
    const running = (await catalystPods(kube, config, deploy)).filter((p) => p.status?.phase === 'Running');
    if (running.length === 0) fail('catalyst-api-unavailable', `no running catalyst-api Pod in ${ns} (selector ${selectorOf(deploy)}), so SOVEREIGN_FQDN cannot be read; see catalyst-api.available`);
    try {
      return { pods: running, cm: await kube.get('v1', 'ConfigMap', ns, 'sovereign-fqdn') };
    } catch (err) {
      return failOnKubeError(err, `reading ConfigMap ${ns}/sovereign-fqdn`);
    }
  });
  const exec = await execAccess(kube, config);
  if (!exec.allowed) return decideWithoutExec(config, net, pods, cm, `no pods/exec in ${ns} (${exec.missing.map((v) => `${v} pods/exec denied`).join(', ')})`);

  const bad: { pod: Pod; value: string | undefined; why: string; detail: string }[] = [];
  const unreadable: string[] = [];
  for (const pod of pods) {
    const container = containerOf(pod.spec)?.name ?? CONTAINER;
    if (!containerRunning(pod, container)) {
      unreadable.push(`Pod ${pod.metadata.name}: container ${container} is not running (${pod.status?.containerStatuses?.find((c) => c.name === container)?.state?.waiting?.reason ?? 'not started'})`);
      continue;
    }
    let read: Awaited<ReturnType<typeof readProcessEnv>>;
    try {
      read = await step(`read the process environment of Pod ${pod.metadata.name} (exec)`, () => readProcessEnv(kube, ns, pod.metadata.name, container));
    } catch (err) {
      // The access review allowed exec, the API server refused it: decide without exec, and say so.
      if (err instanceof KubeError && err.status === 403) return decideWithoutExec(config, net, pods, cm, `exec refused although the access review allowed it (${err.message})`);
      if (kubeCause(err) === 'kube-unauthenticated') fail('kube-unauthenticated', `Pod ${ns}/${pod.metadata.name}: exec refused the credentials: ${(err as Error).message}`);
      if (err instanceof KubeError) {
        unreadable.push(`Pod ${pod.metadata.name}: exec failed: ${err.message}`);
        continue;
      }
      throw err;
    }
    if ('error' in read) {
      unreadable.push(`Pod ${pod.metadata.name}: ${read.error}`);
      continue;
    }
    const value = read.env['SOVEREIGN_FQDN'];
    if (value === config.fqdn) continue;
    const started = pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '';
    const shown = value === undefined ? 'unset' : value === '' ? 'empty' : `"${value}"`;
    const { why, detail } = explainWrongFqdn(ns, config.fqdn, cm, started);
    bad.push({ pod, value: shown, why, detail });
  }

  if (bad.length) {
    const some = bad.length < pods.length;
    const lines = bad.map((b) => `  - Pod ${b.pod.metadata.name}: SOVEREIGN_FQDN is ${b.value}, expected "${config.fqdn}": ${b.why}`);
    const head = some
      ? `${bad.length} of ${pods.length} catalyst-api Pods run with the wrong SOVEREIGN_FQDN (the others are right; requests reaching ${bad.map((b) => b.pod.metadata.name).join(', ')} fail with 401 invalid audience)`
      : `catalyst-api runs with the wrong SOVEREIGN_FQDN in ${pods.length === 1 ? 'its Pod' : `all ${pods.length} Pods`}, so every handover fails with 401 invalid audience`;
    const details = [...new Set(bad.map((b) => b.detail))].join('; ');
    fail('sovereign-fqdn', `${head}:\n${lines.join('\n')}\nnext: \`kubectl -n ${ns} rollout restart deploy/${DEPLOYMENT}\`${unreadable.length ? `\nalso unreadable: ${unreadable.join('; ')}` : ''}`, some ? `one Pod of several: ${bad.map((b) => b.pod.metadata.name).join(', ')}; ${details}` : details);
  }
  if (unreadable.length) {
    const notRunning = unreadable.every((u) => u.includes('is not running'));
    fail(notRunning ? 'catalyst-api-unavailable' : 'pod-env-unreadable', `the live SOVEREIGN_FQDN of ${unreadable.length} catalyst-api Pod(s) could not be read, so the check cannot decide:\n${unreadable.map((u) => `  - ${u}`).join('\n')}`);
  }
}
