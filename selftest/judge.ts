/**
 * Judges the suite's checks against a simulated Sovereign in this process (checks/runner.ts), and
 * returns what a self-test reads from a run: a `summary.json`-shaped record of every selected check
 * (status, linked root cause, message, evidence, waitedMs) and the side effects. For the self-tests
 * whose assertions are about verdicts; what only the CLI, Playwright or the browser's attachments can
 * show stays with `runPlaywright`/`runSmoke` (selftest/run.ts).
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, type ContextOptions, type RunContext } from '../checks/context.js';
import type { Check } from '../checks/define.js';
import { CHECKS, selectChecks } from '../checks/index.js';
import { recordedFacts, verdictEntry } from '../checks/outcome.js';
import { judgeChecks, type JudgedVerdict } from '../checks/runner.js';
import { loadConfig } from '../clients/config.js';
import type { CheckSummary, Summary } from '../report/reporter.js';
import type { SimHandle } from '../sim/index.js';

export interface Judged {
  /** The exit code the CLI would give (1 when a check failed). */
  code: number;
  /** Every verdict's message and evidence, as a run would print them (for "no secret printed"). */
  out: string;
  summary: Pick<Summary, 'checks' | 'sideEffects' | 'counts'>;
}

/**
 * Judges `checks` against `sim` in-process, with `env` over the simulator's environment, in a report
 * directory of their own (the silent-peer records of clients/silent.ts are per run). `opts` goes to
 * the run's context (checks/context.ts: `launchBrowser`, e.g. selftest/shared-browser.ts); `prepare`
 * runs on the context before any check (a test that alters a client, or asks something first).
 */
export async function judgeAgainst(
  sim: SimHandle,
  env: Record<string, string>,
  checks: readonly Check[],
  concurrency = 3,
  { prepare, ...opts }: ContextOptions & { prepare?: (ctx: RunContext) => Promise<void> | void } = {},
): Promise<JudgedVerdict[]> {
  const report = mkdtempSync(join(tmpdir(), 'judge-'));
  try {
    const loaded = loadConfig({ ...sim.env, ...env, SMOKE_REPORT_DIR: report });
    if (!loaded.ok) throw new Error(`invalid configuration: ${JSON.stringify(loaded.problems)}`);
    const ctx = createContext(loaded.config, opts);
    try {
      await prepare?.(ctx);
      return await judgeChecks(ctx, checks, { concurrency });
    } finally {
      await ctx.close();
    }
  } finally {
    rmSync(report, { recursive: true, force: true });
  }
}

/**
 * Judges the checks matching `grep` (tested against `<id>: <title> <tags>`, as `playwright --grep`
 * matches a test's title and tags; all when omitted) against `sim`, with `env` over the simulator's.
 */
export async function judgeSim(sim: SimHandle, env: Record<string, string> = {}, grep?: string): Promise<Judged> {
  const selected: Check[] = selectChecks(CHECKS, { grep });
  const verdicts = await judgeAgainst(sim, env, selected);
  // The entries the engine writes (checks/outcome.ts), each failed one carrying its linked root cause.
  const checks: CheckSummary[] = verdicts.map((v) => {
    const { entry } = verdictEntry(v, selected.find((c) => c.id === v.id));
    return v.status === 'failed' && v.rootCause ? { ...entry, causeId: v.rootCause } : entry;
  });
  const { sideEffects } = recordedFacts(verdicts);
  const count = (s: CheckSummary['status']): number => checks.filter((c) => c.status === s).length;
  const out = checks.map((c) => `${c.id} ${c.status}: ${c.message ?? ''} ${c.evidence ?? ''}`).join('\n');
  return { code: count('failed') ? 1 : 0, out, summary: { checks, sideEffects, counts: { passed: count('passed'), failed: count('failed'), skipped: count('skipped') } } };
}
