/**
 * A run's verdicts as the reports show them: each verdict becomes its `summary.json` entry exactly as
 * the Playwright reporter builds one from a test (report/reporter.ts `summarize`: the message, the
 * cause described from the catalog with the objects the check named, `waitedMs`, `evidence`), and
 * the entries, the side effects and the provenance the checks recorded become the run's summary
 * (report/summary.ts `assembleSummary`, which links symptoms to their root cause).
 *
 * @module
 */
import { ANNOTATION, recordedCause } from '../report/check.js';
import { redact } from '../report/redact.js';
import { addRecordedFacts, assembleSummary, describeEntryCause, evidenceOf, type CheckSummary, type OwnCauses, type Summary, type SummaryMeta } from '../report/summary.js';
import type { Check, Verdict } from './define.js';

/** One verdict's `summary.json` entry, and the cause it named itself (for root-cause linking). */
export function verdictEntry(v: Verdict, check: Pick<Check, 'title' | 'tags'> | undefined): { entry: CheckSummary; own?: { id: string; detail?: string } } {
  const entry: CheckSummary = {
    id: v.id,
    title: check ? `${v.id}: ${check.title}` : v.id,
    tags: [...(check?.tags ?? [])],
    status: v.status,
    durationMs: v.durationMs,
    startedAt: new Date(v.startedAt).toISOString(),
    waitedMs: v.notes.filter((n) => n.type === ANNOTATION.waited).reduce((sum, n) => sum + (Number(n.description) || 0), 0),
  };
  const evidence = evidenceOf(v.notes);
  if (evidence) entry.evidence = evidence;
  const cause = recordedCause(v.notes);
  if (v.status !== 'passed') entry.message = redact(v.message ?? v.status);
  describeEntryCause(entry, cause);
  const own = v.status === 'failed' && cause ? { id: cause.id, ...(cause.detail ? { detail: cause.detail } : {}) } : undefined;
  return own ? { entry, own } : { entry };
}

/** The side effects and provenance the verdicts recorded, in order, each once, redacted. */
export function recordedFacts(verdicts: readonly Verdict[]): { sideEffects: string[]; provenance: Record<string, string> } {
  const facts = { sideEffects: [] as string[], provenance: {} as Record<string, string> };
  addRecordedFacts(verdicts.flatMap((v) => v.notes), facts);
  return facts;
}

/** The run's summary from its verdicts (`meta` gives what the run knew before: Sovereign, strict …). */
export function summarizeVerdicts(verdicts: readonly Verdict[], checks: readonly Check[], meta: Omit<SummaryMeta, 'sideEffects' | 'cutShort'> & { cutShort?: boolean }): Summary {
  const own: OwnCauses = new Map();
  const entries = verdicts.map((v) => {
    const r = verdictEntry(v, checks.find((c) => c.id === v.id));
    if (r.own) own.set(v.id, r.own);
    return r.entry;
  });
  const facts = recordedFacts(verdicts);
  return assembleSummary(entries, own, {
    ...meta,
    provenance: { ...meta.provenance, ...facts.provenance },
    sideEffects: facts.sideEffects,
    cutShort: meta.cutShort ?? entries.length === 0,
  });
}
