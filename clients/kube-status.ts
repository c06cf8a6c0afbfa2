/**
 * The Kubernetes API's Status object (the body of every API error, and the exit status of an exec) and
 * the {@link SmokeErrorCode} an HTTP status maps to.
 *
 * @module
 */
import type { SmokeErrorCode } from '../report/errors.js';

/** A Kubernetes Status object (the body of every API error). */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { reason?: string; message?: string }[] };
}

export function parseStatus(body: string): KubeStatus | undefined {
  try {
    const s = JSON.parse(body) as KubeStatus;
    return typeof s === 'object' && s !== null ? s : undefined;
  } catch {
    return undefined;
  }
}

export function codeForStatus(status: number): SmokeErrorCode {
  if (status === 401) return 'KUBE_UNAUTHENTICATED';
  if (status === 403) return 'KUBE_FORBIDDEN';
  if (status === 404) return 'KUBE_NOT_FOUND';
  return 'HTTP_STATUS';
}
