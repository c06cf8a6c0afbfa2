/**
 * The gate of every cluster check (checks/gate.ts `cluster`): the API answers, the credentials
 * authenticate and the essential permissions are granted, decided once per worker.
 *
 * @module
 */
import type { SovereignConfig } from '../clients/config.js';
import type { Kube } from '../clients/kube.js';
import { fail, skipCheck } from '../report/check.js';
import { describeError, kubeCause, type KubeCause } from '../report/errors.js';
import { accessQuery, describePermission, neededPermissions } from './permissions.js';

/**
 * Whether the cluster checks can run: the verdict of the gate, and why not. `cause` is set when the
 * API server left it undecided: it did not answer (timed out or refused the connection, report/errors.ts
 * `kubeCause`), for the reachability probe or an access review, as opposed to credentials it refused
 * or a permission it denied.
 */
export type ClusterGate = { ok: true } | { ok: false; message: string; cause?: KubeCause };

const gates = new WeakMap<Kube, Promise<ClusterGate>>();

/**
 * The gate preflight.kube-access reports on: the API answers, the credentials authenticate, and every
 * essential permission is granted. Each worker decides it once (a few access reviews), so the cluster
 * checks need not wait for the preflight check itself and share its verdict without sharing a process.
 */
export function clusterGate(kube: Kube, config: SovereignConfig): Promise<ClusterGate> {
  let gate = gates.get(kube);
  if (!gate) {
    gate = (async (): Promise<ClusterGate> => {
      const r = await kube.reachable();
      // No answer from the API server is a gate that could not decide (a cause); refused or missing
      // credentials are decided (none).
      if (!r.ok) return { ok: false, message: `the cluster cannot be read (${r.message})`, ...(r.causeId === 'kube-unreachable' ? { cause: r.causeId } : {}) };
      const essential = neededPermissions(config).filter((p) => p.essential);
      const answers = await Promise.all(essential.map((p) => kube.can(p.verb, p.resource, accessQuery(p)).catch((err: unknown) => err)));
      // An access review without an answer is not a denial: the gate could not decide, and says so.
      const unanswered = essential.flatMap((p, i) => (typeof answers[i] === 'boolean' ? [] : [{ p, err: answers[i] }]));
      if (unanswered.length) {
        return {
          ok: false,
          message: `the API server did not answer the access reviews every cluster check needs: ${unanswered.map(({ p, err }) => `${describePermission(p)} (${describeError(err)})`).join('; ')}`,
          cause: kubeCause(unanswered[0]?.err) ?? 'kube-unreachable',
        };
      }
      const denied = essential.filter((_, i) => answers[i] !== true);
      return denied.length ? { ok: false, message: `the kubeconfig identity lacks permissions every cluster check needs: ${denied.map((p) => `${describePermission(p)} is denied`).join('; ')}` } : { ok: true };
    })();
    gates.set(kube, gate);
  }
  return gate;
}

/**
 * Skips a cluster check when the gate is closed (preflight.kube-access fails and says why), and fails
 * it when the gate could not decide (the API server did not answer its probe or its access reviews):
 * that is not a permission the identity lacks but a check that cannot decide, so it fails naming the
 * cause (scenario kube-api-unanswered). It must, in every worker: under
 * Playwright each worker has its own gate, and preflight's, in another worker, may have been answered.
 */
export async function requireCluster(kube: Kube, config: SovereignConfig): Promise<void> {
  const g = await clusterGate(kube, config);
  if (g.ok) return;
  if (g.cause) fail(g.cause, `not decided: ${g.message}; see preflight.kube-access`);
  skipCheck('preflight-failed', `not run: ${g.message}; see preflight.kube-access`);
}
