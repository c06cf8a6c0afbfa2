/**
 * What the fake servers share: the world, the PKI made at start, the request log and each other's
 * ports.
 *
 * @module
 */
import type { SimKeys } from './keys.js';
import type { Pki } from './pki.js';
import type { World } from './world.js';

export type SimServerName = 'kube' | 'hcloud' | 'keycloak' | 'gateway';

/** One request a fake answered: what tests read to prove the suite is read-only. */
export interface LoggedRequest {
  server: SimServerName;
  method: string;
  /** Path and query, with secret query values removed. */
  path: string;
  status: number;
  at: number;
}

export interface SimContext {
  world: World;
  pki: Pki;
  requests: LoggedRequest[];
  /** Loopback ports of the running fakes (filled in as they start). */
  ports: Partial<Record<SimServerName, number>>;
  /** Ports asked for at start (sim/index.ts `SimOptions.gatewayPort`); a fake takes another when one is taken. */
  wantPorts?: Partial<Record<SimServerName, number>>;
  /** The key pairs given at start (sim/index.ts `SimOptions.keys`); fresh ones when absent. */
  keys?: SimKeys;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Records a request (called by every fake for every request it answers). */
export function logRequest(ctx: SimContext, server: SimServerName, method: string, path: string, status: number): void {
  ctx.requests.push({ server, method, path: path.replace(/([?&](?:token|access_token|client_secret)=)[^&]*/g, '$1…'), status, at: Date.now() });
}
