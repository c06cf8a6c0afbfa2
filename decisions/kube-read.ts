/**
 * Reading the cluster inside a check: a {@link KubeError} becomes the check's failure with the cause
 * of the one mapping (report/errors.ts {@link kubeCause}), and a list keeps "not allowed to look"
 * apart from "not served".
 *
 * @module
 */
import type { SovereignConfig } from '../clients/config.js';
import { formatDuration } from '../clients/config.js';
import type { Kube, KubeObject } from '../clients/kube.js';
import { fail } from '../report/check.js';
import { KubeError, kubeCause } from '../report/errors.js';

/**
 * Turns a KubeError met while reading the cluster into a failure with the right cause
 * (report/errors.ts {@link kubeCause}); any other error is thrown on.
 */
export function failOnKubeError(err: unknown, what: string): never {
  const cause = kubeCause(err);
  if (cause === 'kube-unauthenticated') fail(cause, `${what}: the API server refused the credentials (${(err as Error).message})`);
  if (cause) fail(cause, `${what}: ${(err as Error).message}`);
  throw err;
}

/** What bounded a wait for convergence, for timeout messages. */
export function awaitBudget(config: SovereignConfig): string {
  return `SMOKE_AWAIT ${formatDuration(config.awaitMs)}, counted from the start of the run`;
}

/** What a list the suite may not read, or whose kind the API server does not serve, becomes. */
export type ListOutcome<T> = { items: T[] } | { forbidden: string } | { absent: string };

/**
 * Lists a kind, keeping "not allowed to look" (403: a permission the identity lacks) apart from
 * "absent" (404: the API server does not serve the kind, e.g. the CRD is not installed yet).
 */
export async function listOrWhy(kube: Kube, apiVersion: string, kind: string, namespace: string): Promise<ListOutcome<KubeObject>> {
  try {
    return { items: await kube.list(apiVersion, kind, namespace) };
  } catch (err) {
    if (err instanceof KubeError && err.status === 403) return { forbidden: err.message };
    if (err instanceof KubeError && (err.status === 404 || err.code === 'KUBE_NOT_FOUND')) return { absent: `the API server does not serve ${kind} in ${apiVersion} (is its CRD installed?)` };
    return failOnKubeError(err, `listing ${kind} in ${namespace}`);
  }
}
