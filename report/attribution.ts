/**
 * Root-cause attribution, the one rule every output uses: a failed check whose own cause is a symptom
 * (its catalog entry lists `explainedBy`) is linked to the first of those root causes that another
 * failed check of the same run names. One level only: a symptom is linked to a cause that was seen,
 * never through a chain. The reporter (report/reporter.ts) and the in-process runner
 * (checks/runner.ts) both call {@link linkRootCauses}; nothing else decides it.
 *
 * @module
 */
import { CAUSES, isCauseId } from './causes.js';

/** What attribution looks at: how a check ended and the cause it named itself. */
export interface OwnCause {
  status: 'passed' | 'failed' | 'skipped';
  causeId?: string | undefined;
}

/**
 * The linked root cause of each check, in the order given: for a failed check with a cause, the root
 * cause that explains it when another failed check of the run names one, else its own cause;
 * undefined for a check that did not fail or named no cause. Pure: the input is not changed.
 *
 * @example
 * linkRootCauses([{ status: 'failed', causeId: 'console-unreachable' }, { status: 'failed', causeId: 'lb-no-targets' }]);
 * // → ['lb-no-targets', 'lb-no-targets']
 */
export function linkRootCauses(checks: readonly OwnCause[]): (string | undefined)[] {
  const seen = new Set(checks.filter((c) => c.status === 'failed' && c.causeId).map((c) => c.causeId as string));
  return checks.map((c) => {
    if (c.status !== 'failed' || !c.causeId) return undefined;
    if (!isCauseId(c.causeId)) return c.causeId;
    return CAUSES[c.causeId].explainedBy?.find((r) => seen.has(r)) ?? c.causeId;
  });
}
