/**
 * Keycloak (OWNER: auth). STUB: to be implemented.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunningServer, SimContext } from './context.js';

/** Handles a Keycloak request (plain HTTP inside the cluster, or auth.<fqdn> through the gateway). */
export function keycloakHandler(_ctx: SimContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('sim/keycloak.ts: not implemented yet');
  };
}

/** Starts Keycloak's in-cluster Service (`keycloak.keycloak.svc:80`) as plain HTTP on loopback. */
export async function startKeycloak(_ctx: SimContext): Promise<RunningServer> {
  throw new Error('sim/keycloak.ts: not implemented yet');
}
