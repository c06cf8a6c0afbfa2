/**
 * The gate of every cluster check (checks/gate.ts `cluster`): the API answers, the credentials
 * authenticate and the essential permissions are granted, decided once per worker.
 *
 * @module
 */
import type { SovereignConfig } from '../clients/config.js';
import type { Kube } from '../clients/kube.js';
import { skipCheck } from '../report/check.js';
import { describeError } from '../report/errors.js';
import { accessQuery, describePermission, neededPermissions } from './permissions.js';

/** Whether the cluster checks can run: the verdict of the gate, and why not. */
export type ClusterGate = { ok: true } | { ok: false; message: string };

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
      if (!r.ok) return { ok: false, message: `the cluster cannot be read (${r.message})` };
      const essential = neededPermissions(config).filter((p) => p.essential);
      const answers = await Promise.all(essential.map((p) => kube.can(p.verb, p.resource, accessQuery(p)).catch((err: unknown) => describeError(err))));
      const problems = essential.flatMap((p, i) => (answers[i] === true ? [] : [`${describePermission(p)}${typeof answers[i] === 'string' ? ` (${answers[i]})` : ' is denied'}`]));
      return problems.length ? { ok: false, message: `the kubeconfig identity lacks permissions every cluster check needs: ${problems.join('; ')}` } : { ok: true };
    })();
    gates.set(kube, gate);
  }
  return gate;
}

/** Skips a cluster check when the gate is closed (preflight.kube-access fails and says why). */
export async function requireCluster(kube: Kube, config: SovereignConfig): Promise<void> {
  const g = await clusterGate(kube, config);
  if (!g.ok) skipCheck('preflight-failed', `not run: ${g.message}; see preflight.kube-access`);
}
