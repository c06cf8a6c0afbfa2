/**
 * catalyst-api and catalyst-ui as the gateway routes console.<fqdn> (OWNER: auth). STUB.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from './context.js';

/** Handles a request the gateway routed to console.<fqdn> (or api.<fqdn>). */
export function catalystHandler(_ctx: SimContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('sim/catalyst-api.ts: not implemented yet');
  };
}
