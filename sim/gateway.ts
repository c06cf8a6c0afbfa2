/**
 * STUB: to be implemented.
 * @module
 */
import type { RunningServer, SimContext } from './context.js';

export async function startGateway(_ctx: SimContext): Promise<RunningServer> {
  throw new Error('sim/gateway.ts: not implemented yet');
}
