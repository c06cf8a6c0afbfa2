/**
 * Every scenario the simulator can run, by name. `healthy` is the default.
 *
 * @module
 */
import type { Scenario } from './types.js';
import { AUTH_SCENARIOS } from './auth.js';
import { CLUSTER_SCENARIOS, leastPrivilege } from './cluster.js';
import { EDGE_SCENARIOS } from './edge.js';

export type { Scenario } from './types.js';

const healthy: Scenario = {
  name: 'healthy',
  description: 'A Sovereign that works: every check passes, read by an identity with exactly the least-privilege set of sovereigns/rbac.yaml (no Secret read, no pods/exec).',
  apply: leastPrivilege,
  expect: { failing: [] },
};

export const SCENARIOS: Scenario[] = [healthy, ...AUTH_SCENARIOS, ...EDGE_SCENARIOS, ...CLUSTER_SCENARIOS];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
