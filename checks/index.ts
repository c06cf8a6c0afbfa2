/**
 * The registry: every check of contract §3, in the order the specs run them. `CheckId` is typed from
 * it; the contract and README tables, `--list`, the scenario expectations and the self-tests derive
 * from it (selftest/registry.test.ts keeps them from drifting).
 *
 * @module
 */
import * as api from './catalyst-api.js';
import * as dns from './dns.js';
import * as gitops from './gitops.js';
import * as handover from './handover.js';
import * as keycloak from './keycloak.js';
import * as lb from './lb.js';
import * as nodes from './nodes.js';
import * as preflight from './preflight.js';
import * as routes from './routes.js';
import * as tls from './tls.js';
import * as workloads from './workloads.js';

export const CHECKS = [
  preflight.kubeAccess,
  gitops.gitopsReady,
  nodes.nodesReady,
  api.sovereignFqdn,
  api.handoverKey,
  api.stateOnPvc,
  api.available,
  workloads.workloadsReady,
  dns.consoleToLb,
  routes.routesReachable,
  lb.lbTargets,
  lb.lbHealth,
  tls.handshake,
  tls.certificate,
  tls.matchesCluster,
  keycloak.saRoles,
  handover.login,
  handover.replayRejected,
  handover.forgedRejected,
  handover.sessionRequired,
] as const;

/** A check id of contract §3. */
export type CheckId = (typeof CHECKS)[number]['id'];

export const CHECK_IDS: readonly CheckId[] = CHECKS.map((c) => c.id);

/** The check with this id, or undefined. */
export function checkById(id: string): (typeof CHECKS)[number] | undefined {
  return CHECKS.find((c) => c.id === id);
}

/** Whether `id` is a check id of the registry. */
export function isCheckId(id: string): id is CheckId {
  return CHECK_IDS.includes(id as CheckId);
}

export { grepRegExp, selectChecks } from './select.js';
