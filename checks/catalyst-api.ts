/**
 * catalyst-api as it really runs: available, with the right SOVEREIGN_FQDN in its process environment
 * (incident 1), the handover public key in place, and its state on a PVC (incident 3).
 */
import { awaitRemainingMs } from '../clients/config.js';
import { poll, timeoutMessage } from '../clients/poll.js';
import { catalystDeployment, catalystPods, containerOf, DEPLOYMENT, mountFor, podSpecs, selectorOf } from '../decisions/catalyst-pods.js';
import { consoleFailureVerdict } from '../decisions/edge-checks.js';
import { condition, type PodSpec } from '../decisions/kube-shapes.js';
import { awaitBudget, failOnKubeError } from '../decisions/kube-read.js';
import { podProblems } from '../decisions/readiness.js';
import type { KubeObject } from '../clients/kube.js';
import type { CauseId } from '../report/causes.js';
import { fail, provenance, step } from '../report/check.js';
import { decideHandoverKey } from './handover-key.js';
import { decideSovereignFqdn } from './sovereign-fqdn.js';
import { KUBE_CAUSES } from '../report/errors.js';
import { EDGE_CAUSES } from './gate.js';
import { defineCheck } from './define.js';

/**
 * Read inside the Pod (exec) when permitted: the Pod spec only shows a valueFrom reference. Without
 * exec: GET /api/v1/sovereign/self and the ConfigMap and container start times (checks[].evidence).
 */
export const sovereignFqdn = defineCheck({
  id: 'catalyst-api.sovereign-fqdn',
  title: 'every running catalyst-api Pod has SOVEREIGN_FQDN=<fqdn> in its process environment',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    ...KUBE_CAUSES, 'catalyst-api-unavailable', 'exec-forbidden', 'permission-limited', 'pod-env-unreadable',
    'sovereign-fqdn',
  ],
  decide: decideSovereignFqdn,
});

/** Reads the Secret when permitted; otherwise the Pod spec's mount and /auth/handover's answer to a control token. */
export const handoverKey = defineCheck({
  id: 'catalyst-api.handover-key',
  title: 'Secret catalyst-handover-jwt-public holds an RSA public JWK, is mounted into catalyst-api and matches the signing key',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    ...KUBE_CAUSES, 'catalyst-api-unavailable', 'console-unexpected-response', 'console-unreachable',
    'console-unresponsive', 'handover-key-mismatch', 'handover-key-missing', 'owner-unknown', 'sovereign-fqdn',
  ],
  decide: decideHandoverKey,
});

export const stateOnPvc = defineCheck({
  id: 'catalyst-api.state-on-pvc',
  title: '/var/lib/catalyst and every CATALYST_*_DIR/_WORKDIR path are on a Bound PersistentVolumeClaim',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [...KUBE_CAUSES, 'catalyst-api-unavailable', 'state-on-emptydir'],
  /**
   * catalyst-api.state-on-pvc: /var/lib/catalyst and every CATALYST_*_DIR / _WORKDIR path of the
   * container live on volumes backed by Bound PersistentVolumeClaims.
   */
  decide: async ({ kube, config }) => {
    const ns = config.catalystNamespace;
    const specs = await step(`read Deployment ${DEPLOYMENT} and its Pods`, async () => {
      const deploy = await catalystDeployment(kube, config);
      return podSpecs(await catalystPods(kube, config, deploy), deploy, ' (no Pods)');
    });
    if (specs.length === 0) fail('catalyst-api-unavailable', `neither Deployment ${ns}/${DEPLOYMENT} nor catalyst-api Pods exist, so the state volumes cannot be checked`);
    const pvcs = new Map<string, KubeObject | undefined>();
    const pvc = async (name: string): Promise<KubeObject | undefined> => {
      if (!pvcs.has(name)) {
        try {
          pvcs.set(name, await kube.get('v1', 'PersistentVolumeClaim', ns, name));
        } catch (err) {
          failOnKubeError(err, `reading PersistentVolumeClaim ${ns}/${name}`);
        }
      }
      return pvcs.get(name);
    };
    const problems: string[] = [];
    const checked: string[] = [];
    await step('check the volume under each state path', async () => {
      for (const { what, spec } of specs) {
        const c = containerOf(spec);
        if (!c) continue;
        const paths = new Map<string, string>([['/var/lib/catalyst', 'state root']]);
        for (const e of c.env ?? []) {
          if (/^CATALYST_\w*(_DIR|_WORKDIR)$/.test(e.name) && e.value) paths.set(e.value, e.name);
          else if (/^CATALYST_\w*(_DIR|_WORKDIR)$/.test(e.name) && e.valueFrom) problems.push(`${what}: ${e.name} comes from a reference (${JSON.stringify(e.valueFrom)}); its path cannot be checked from the spec`);
        }
        for (const [path, from] of paths) {
          const m = mountFor(spec, c, path);
          const label = `${what}: ${path} (${from})`;
          if (!m) {
            problems.push(`${label} is on the container's own filesystem (no volume mounted there): lost on every restart`);
            continue;
          }
          const v = m.volume;
          const claim = v?.persistentVolumeClaim?.claimName;
          if (!claim) {
            const kind = v ? Object.keys(v).filter((k) => k !== 'name')[0] ?? 'unknown' : 'missing volume';
            problems.push(`${label} is on volume ${m.volumeName} mounted at ${m.mountPath}, a${kind === 'emptyDir' ? 'n' : ''} ${kind}, not a PersistentVolumeClaim`);
            continue;
          }
          const p = await pvc(claim);
          const phase = (p?.['status'] as { phase?: string } | undefined)?.phase;
          if (!p) problems.push(`${label} is on PersistentVolumeClaim ${claim}, which does not exist`);
          else if (phase !== 'Bound') problems.push(`${label} is on PersistentVolumeClaim ${claim}, which is ${phase ?? 'in no phase'}, not Bound`);
          else checked.push(`${path} → pvc/${claim}`);
        }
      }
    });
    if (problems.length) {
      fail('state-on-emptydir', `catalyst-api keeps state where it does not survive a restart (the replay store /var/lib/catalyst/jti.log, tofu state):\n${problems.map((p) => `  - ${p}`).join('\n')}\nexpected every path on a Bound PVC (catalyst-api-deployments at /var/lib/catalyst)`);
    }
    if (checked.length === 0) fail('state-on-emptydir', `no state path of catalyst-api could be checked`);
  },
});

/** Reaches the console (/readyz), which may be what is broken: its spec runs it last in its file. */
export const available = defineCheck({
  id: 'catalyst-api.available',
  title: 'Deployment catalyst-api is available, its Pods are Ready and GET /readyz on the console answers 200',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [...EDGE_CAUSES, 'catalyst-api-unavailable', 'readyz-not-routed'],
  /**
   * catalyst-api.available: Deployment available, Pods Ready (restarts and waiting reasons reported),
   * and GET /readyz on the console answering 200. Waits up to SMOKE_AWAIT while a rollout progresses.
   */
  decide: async ({ kube, net, config }) => {
    const readyz = new URL('/readyz', config.consoleUrl);
    interface Seen {
      problems: string[];
      cause: CauseId;
    }
    const result = await step(`wait for Deployment ${DEPLOYMENT} to be available, its Pods Ready and GET ${readyz.pathname} to answer 200`, () =>
      poll<Seen>({
        timeoutMs: awaitRemainingMs(config),
        observe: async () => {
          const problems: string[] = [];
          let terminal = false;
          let cause: Seen['cause'] = 'catalyst-api-unavailable';
          const deploy = await catalystDeployment(kube, config);
          if (!deploy) return { done: false, terminal: false, seen: `Deployment ${config.catalystNamespace}/${DEPLOYMENT} does not exist`, value: { problems: [`Deployment ${config.catalystNamespace}/${DEPLOYMENT} does not exist`], cause } };
          const image = containerOf((deploy['spec'] as { template: { spec: PodSpec } }).template.spec)?.image;
          provenance('catalyst-api image', image);
          const st = (deploy['status'] as { replicas?: number; availableReplicas?: number; readyReplicas?: number } | undefined) ?? {};
          const want = (deploy['spec'] as { replicas?: number }).replicas ?? 1;
          const available = condition(deploy, 'Available');
          const progressing = condition(deploy, 'Progressing');
          if (available?.status !== 'True' || (st.availableReplicas ?? 0) < 1) {
            problems.push(`Deployment ${config.catalystNamespace}/${DEPLOYMENT}: Available=${available?.status ?? 'unknown'}${available?.reason ? ` (${available.reason})` : ''}, ${st.availableReplicas ?? 0}/${want} available`);
          }
          if (progressing?.reason === 'ProgressDeadlineExceeded') {
            terminal = true;
            problems.push(`Deployment ${DEPLOYMENT}: Progressing=False ProgressDeadlineExceeded${progressing.message ? ` (${progressing.message})` : ''}`);
          }
          const pods = await catalystPods(kube, config, deploy);
          if (pods.length === 0) problems.push(`no catalyst-api Pod matches ${selectorOf(deploy)}`);
          for (const p of pods) {
            const pr = podProblems(p);
            if (pr) problems.push(pr.text);
            if (pr?.terminal) terminal = true;
          }
          if (problems.length === 0) {
            try {
              const res = await net.request(readyz, { headers: { Accept: 'text/plain' } });
              const html = /text\/html/i.test(String(res.headers['content-type'] ?? '')) || /^\s*<(!doctype|html)/i.test(res.body);
              if (res.status !== 200) problems.push(`GET ${readyz.href}: ${res.status} ${res.body.slice(0, 120).trim()}`);
              // Before the HTTPRoute had its /readyz rule, the SPA answered every path with 200 and its HTML shell.
              else if (html) {
                cause = 'readyz-not-routed';
                terminal = true;
                problems.push(`GET ${readyz.href}: 200 with an HTML page, not catalyst-api's readiness answer: the console's HTTPRoute sends /readyz to the UI (it needs an Exact /readyz rule to catalyst-api)`);
              }
            } catch (err) {
              // issue 13: classified from the Sovereign's edge (converging.ts handshakeVerdict): a reset
              // while the certificate is being issued or the targets are not yet probed is waited for.
              const v = await consoleFailureVerdict({ kube, net, config }, err);
              cause = v.cause;
              problems.push(`GET ${readyz.href}: ${err instanceof Error ? err.message : String(err)}${v.kind === 'converging' ? `; still converging: ${v.text}` : `; ${v.text}`}`);
              terminal = v.kind === 'terminal';
            }
          }
          return { done: problems.length === 0, terminal, seen: problems.join('; '), value: { problems, cause } };
        },
      }),
    );
    if (result.outcome === 'done') return;
    const { problems, cause } = result.last.value;
    const head = result.outcome === 'timeout' ? `${timeoutMessage(`catalyst-api to be available`, result, awaitBudget(config))}\n` : '';
    fail(cause, `${head}catalyst-api is not available:\n${problems.map((p) => `  - ${p}`).join('\n')}\nnext: \`kubectl -n ${config.catalystNamespace} describe deploy/${DEPLOYMENT}\` and \`kubectl -n ${config.catalystNamespace} logs deploy/${DEPLOYMENT} --previous\``);
  },
});
