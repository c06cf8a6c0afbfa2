/**
 * STUB: to be implemented.
 * @module
 */
import type { RunningServer, SimContext } from './context.js';

export async function startKubeApiserver(_ctx: SimContext): Promise<RunningServer> {
  throw new Error('sim/kube-apiserver.ts: not implemented yet');
}
