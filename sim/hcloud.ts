/**
 * STUB: to be implemented.
 * @module
 */
import type { RunningServer, SimContext } from './context.js';

export async function startHcloud(_ctx: SimContext): Promise<RunningServer> {
  throw new Error('sim/hcloud.ts: not implemented yet');
}
