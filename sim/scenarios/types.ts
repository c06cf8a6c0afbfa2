/**
 * A scenario: a real failure mode, made from the healthy world in a few lines, with what the suite
 * must say about it. The expectations double as documentation of what each check catches.
 *
 * @module
 */
import type { CheckId } from '../../checks/index.js';
import type { CauseId } from '../../report/causes.js';
import type { World } from '../world.js';

export interface Scenario {
  name: string;
  /** The real failure mode this reproduces, in one or two sentences. */
  description: string;
  apply(world: World): void;
  expect: {
    /**
     * Exactly the check ids that fail (sorted); empty for healthy scenarios. Typed by the registry
     * (checks/index.ts, a type-only import: the simulator loads no check), so a typo does not compile.
     */
    failing: CheckId[];
    /** The root cause every failing check must name (after symptom attribution). */
    cause?: CauseId;
    /**
     * Exactly the check ids a scenario skips by design (e.g. the Hetzner load-balancer checks on a
     * Huawei Sovereign, a login without an owner to sign in as); absent means none may be skipped.
     */
    skipped?: CheckId[];
    /** Suite configuration this scenario is run with in the matrix (e.g. a short SMOKE_TIMEOUT). */
    env?: Record<string, string>;
    /** Text each of which some entry of summary.json `sideEffects` must contain. */
    sideEffects?: string[];
  };
}
