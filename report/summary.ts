/**
 * The run's summary (contract §4 `summary.json`) and the files written from it, whoever judged the
 * checks: the Playwright reporter (report/reporter.ts) builds each check's entry from a test's
 * result, the in-process engine (scripts/engine.ts) from a verdict (checks/outcome.ts); both end here,
 * so `summary.json`, `summary.md` and `junit.xml` say the same for the same run.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkRootCauses } from './attribution.js';
import { CAUSES, describeCause, isCauseId } from './causes.js';
import { ANNOTATION, type CauseAnnotation, type Note } from './check.js';
import { renderJunit } from './junit.js';
import { redact } from './redact.js';
import { renderMarkdown } from './summary-md.js';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckSummary {
  id: string;
  title: string;
  tags: string[];
  status: CheckStatus;
  durationMs: number;
  /** When the check started (an addition: lets a reader see what ran concurrently). */
  startedAt?: string;
  message?: string;
  cause?: string;
  /** Catalog id of the root cause (an addition to the contract's fields). */
  causeId?: string;
  /** How long the check waited for the Sovereign to converge (contract §4). */
  waitedMs?: number;
  /** How the check decided when its permissions allowed only part of the evidence (contract §4). */
  evidence?: string;
}

export interface RootCause {
  id: string;
  title: string;
  next: string;
  /** What the check that saw the root cause itself named (the load balancer, the Pod, the Certificate). */
  detail?: string;
  checks: string[];
}

/** Strict mode's view of the run: which skipped checks fail it. */
export interface StrictOutcome {
  on: boolean;
  /** Check ids whose skip is accepted (`--allow-skip`). */
  allowSkip: string[];
  /** Skipped checks that fail the run (strict on, not allowed). */
  failing: string[];
}

export interface Summary {
  sovereign: string;
  fqdn: string;
  startedAt: string;
  durationMs: number;
  verdict: 'passed' | 'failed';
  counts: { passed: number; failed: number; skipped: number };
  rootCauses: RootCause[];
  provenance: Record<string, string>;
  /** Every change the run made on the Sovereign, in words (contract §4). */
  sideEffects: string[];
  /** Strict mode and the skipped checks it fails the run for (an addition). */
  strict?: StrictOutcome;
  checks: CheckSummary[];
}

/** The partial-evidence notes a check recorded, each once, redacted, as `checks[].evidence`. */
export function evidenceOf(notes: readonly Note[]): string | undefined {
  const evidence = [...new Set(notes.filter((n) => n.type === ANNOTATION.evidence && n.description).map((n) => redact(n.description ?? '')))];
  return evidence.length ? evidence.join('; ') : undefined;
}

/**
 * Gives a failed or skipped entry its cause: the catalog's description of the one the check recorded,
 * or, without one, what is known (an unclassified failure; a skip by selection or a missing prerequisite).
 */
export function describeEntryCause(entry: CheckSummary, cause: CauseAnnotation | undefined): void {
  if (entry.status === 'passed') return;
  if (cause) {
    entry.causeId = cause.id;
    entry.cause = describeCause(cause.id, cause.detail);
  } else {
    entry.cause =
      entry.status === 'failed'
        ? 'unclassified failure: the message above is all the check knows; see the transcript attached in the HTML report'
        : 'skipped by selection or a missing prerequisite';
  }
}

/** The side effects and provenance a run's notes recorded, added to `facts` (each side effect once), redacted. */
export function addRecordedFacts(notes: readonly Note[], facts: { sideEffects: string[]; provenance: Record<string, string> }): void {
  for (const n of notes) {
    if (!n.description) continue;
    if (n.type === ANNOTATION.sideEffect) {
      const text = redact(n.description);
      if (!facts.sideEffects.includes(text)) facts.sideEffects.push(text);
    } else if (n.type === ANNOTATION.provenance) {
      try {
        const { key, value } = JSON.parse(n.description) as { key: string; value: string };
        facts.provenance[key] = redact(value);
      } catch {
        // not ours
      }
    }
  }
}

/** What a summary says beyond its checks. */
export interface SummaryMeta {
  sovereign: string;
  fqdn: string;
  startedAt: Date;
  provenance: Record<string, string>;
  sideEffects: string[];
  strict: boolean;
  allowSkip: string[];
  /** The run was cut short (interrupted, out of time, or nothing ran): it did not decide, so it fails. */
  cutShort: boolean;
}

/** The own cause a failed check named (before symptoms are linked to their root cause). */
export type OwnCauses = Map<string, { id: string; detail?: string }>;

/**
 * The summary of a run from its checks' entries: symptoms linked to the root cause another check saw
 * ({@link attributeSymptoms}), the root causes with the objects the check that saw them named, the
 * counts, strict mode, and the verdict.
 */
export function assembleSummary(entries: CheckSummary[], ownCause: OwnCauses, meta: SummaryMeta): Summary {
  const checks = [...entries];
  attributeSymptoms(checks);
  checks.sort((a, b) => a.id.localeCompare(b.id));
  const counts = {
    passed: checks.filter((c) => c.status === 'passed').length,
    failed: checks.filter((c) => c.status === 'failed').length,
    skipped: checks.filter((c) => c.status === 'skipped').length,
  };
  const rootCauses = new Map<string, RootCause>();
  for (const c of checks) {
    if (c.status !== 'failed' || !c.causeId || !isCauseId(c.causeId)) continue;
    const entry: RootCause = rootCauses.get(c.causeId) ?? { id: c.causeId, title: CAUSES[c.causeId].title, next: CAUSES[c.causeId].next, checks: [] };
    entry.checks.push(c.id);
    // The detail of the check that saw the root cause itself (not a symptom of it) names the objects.
    const own = ownCause.get(c.id);
    if (own?.detail && own.id === c.causeId && !entry.detail) entry.detail = own.detail;
    rootCauses.set(c.causeId, entry);
  }
  // The checks that saw the root cause itself come first; those that saw a symptom of it after.
  for (const rc of rootCauses.values()) rc.checks.sort((a, b) => Number(ownCause.get(a)?.id !== rc.id) - Number(ownCause.get(b)?.id !== rc.id));
  const strict: StrictOutcome = {
    on: meta.strict,
    allowSkip: [...meta.allowSkip],
    failing: meta.strict ? checks.filter((c) => c.status === 'skipped' && !meta.allowSkip.includes(c.id)).map((c) => c.id) : [],
  };
  return {
    sovereign: meta.sovereign,
    fqdn: meta.fqdn,
    startedAt: meta.startedAt.toISOString(),
    durationMs: Date.now() - meta.startedAt.getTime(),
    // A run that was cut short did not decide: it never passes.
    verdict: counts.failed > 0 || strict.failing.length > 0 || meta.cutShort ? 'failed' : 'passed',
    counts,
    rootCauses: [...rootCauses.values()].sort((a, b) => b.checks.length - a.checks.length),
    provenance: { ...meta.provenance },
    sideEffects: [...meta.sideEffects],
    strict,
    checks,
  };
}

/**
 * Re-attributes symptom causes to a root cause reported by another check in the same run, so that,
 * for example, a TLS handshake failure and an empty target list name the same root cause.
 */
export function attributeSymptoms(checks: CheckSummary[]): void {
  const linked = linkRootCauses(checks);
  checks.forEach((c, i) => {
    const root = linked[i];
    if (!root || root === c.causeId || !c.causeId || !isCauseId(c.causeId) || !isCauseId(root)) return;
    c.cause = `${describeCause(root)} [seen by this check as: ${CAUSES[c.causeId].title}]`;
    c.causeId = root;
  });
}

/** Writes `summary.json`, `summary.md` and (unless `junit: false`) `junit.xml` into `dir`. */
export function writeSummaryFiles(dir: string, summary: Summary, opts: { junit?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, 'summary.md'), renderMarkdown(summary));
  if (opts.junit ?? true) writeFileSync(join(dir, 'junit.xml'), renderJunit(summary));
}
