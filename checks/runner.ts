/**
 * Judges checks in-process, without a test runner: each through `check.run(ctx, decideWithNeeds)`,
 * concurrently (bounded), then links every failed check to its root cause with the reporter's own rule
 * (report/attribution.ts). The CLI's engine (scripts/engine.ts) and the self-tests' in-process matrix
 * (selftest/verdicts.ts) use it; the Playwright adapter (fixtures/run-check.ts) uses `decideWithNeeds`.
 *
 * One ordering constraint, the one the specs keep (tests/70-handover-login.spec.ts runs the two in
 * order in one worker): `handover.replay-rejected` starts after `handover.login` has finished, because
 * it sends the login's own token a second time (clients/handover.ts `rememberLoginToken`).
 *
 * @module
 */
import type { CauseId } from '../report/causes.js';
import { linkRootCauses } from '../report/attribution.js';
import { fail } from '../report/check.js';
import type { Attach, BrowserSession, RunContext } from './context.js';
import { gateThenDecide, type Check, type CheckSpec, type Verdict } from './define.js';
import { gate } from './gate.js';

/** A verdict with the root cause the run links it to. */
export interface JudgedVerdict extends Verdict {
  /** For a failed check: the root cause after attribution (its own cause unless another check's explains it). */
  rootCause?: CauseId;
}

export interface JudgeOptions {
  /** How many checks run at once (default 6: checks mostly wait on the network). */
  concurrency?: number;
  /**
   * Launch Chromium at once, while the other checks run (default false: on first use, so a run whose
   * login never gets past its gate launches no browser).
   */
  warmBrowser?: boolean;
  /** Called as each check finishes, in finishing order. */
  onVerdict?: (v: Verdict) => void;
  /** A check still running after this long fails, saying so (default: none; the checks' own deadlines). */
  budgetMs?: number;
  /** Where a check's browser evidence goes (scripts/engine.ts: files beside the HTML report). */
  attach?: (checkId: string) => Attach | undefined;
}

/** Checks that must finish before the keyed check starts. */
const AFTER: Readonly<Record<string, readonly string[]>> = {
  // The replay check re-sends the login's token (one valid token and one session per run).
  'handover.replay-rejected': ['handover.login'],
};

/**
 * Runs each check of `checks` against `ctx` and returns their verdicts in the order given, each
 * failed one with its linked root cause. Never throws for a check's failure.
 */
export async function judgeChecks(ctx: RunContext, checks: readonly Check[], opts: JudgeOptions = {}): Promise<JudgedVerdict[]> {
  const limit = Math.max(1, opts.concurrency ?? 6);
  if (opts.warmBrowser && checks.some((c) => c.needs.includes('browser'))) ctx.warmBrowser();
  let free = limit;
  const waiting: (() => void)[] = [];
  const acquire = async (): Promise<void> => {
    if (free > 0) {
      free--;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };

  const done = new Map<string, Promise<Verdict>>();
  const judgeOne = async (check: Check): Promise<Verdict> => {
    // Dependencies first, outside the slot, so a waiting check never holds one.
    for (const id of AFTER[check.id] ?? []) await done.get(id)?.catch(() => undefined);
    await acquire();
    try {
      const v = await runOne(ctx, check, opts);
      opts.onVerdict?.(v);
      return v;
    } finally {
      release();
    }
  };
  // Registered in order, so a dependency listed before its dependant is found in `done`; the login
  // first among the rest: it is the longest check (Chromium), so it takes a slot before the quick ones.
  const rank = (c: Check): number => ((AFTER[c.id] ?? []).length > 0 ? 2 : c.needs.includes('browser') ? 0 : 1);
  const ordered = [...checks].sort((a, b) => rank(a) - rank(b));
  for (const c of ordered) done.set(c.id, judgeOne(c));
  const verdicts = await Promise.all(checks.map((c) => done.get(c.id) as Promise<Verdict>));
  const linked = linkRootCauses(verdicts.map((v) => ({ status: v.status, causeId: v.cause })));
  return verdicts.map((v, i) => {
    const root = linked[i];
    return root ? { ...v, rootCause: root as CauseId } : v;
  });
}

/**
 * Carries one check out inside its recorder, under Playwright (fixtures/run-check.ts) and in-process
 * alike: the gate for its needs, then `decide`. A check that needs the browser has Chromium warmed
 * while its other needs are met (about a second of the login's critical path on 2 cores), and gets
 * its session only once the gate has passed (a login that skips or fails at its gate opens none);
 * the session is ended afterwards, pass or fail, and `attach` receives its evidence (the screenshot,
 * the redacted request sequence, the scrubbed trace) for a failed check, or with `SMOKE_TRACE=on`.
 */
export async function decideWithNeeds(check: CheckSpec<string>, ctx: RunContext, attach?: Attach): Promise<void> {
  if (!check.needs.includes('browser')) return gateThenDecide(check, ctx);
  ctx.warmBrowser();
  await gate(check.needs.filter((n) => n !== 'browser'), ctx);
  const session: BrowserSession = await ctx.openBrowserLogin({ trace: ctx.config.trace !== 'off' });
  if (!session.login) fail('browser-unavailable', session.problem ?? 'Chromium could not be launched');
  let failed = true;
  try {
    await check.decide({ ...ctx, browserLogin: session.login });
    failed = false;
  } finally {
    await session.close(failed, attach);
  }
}

/** One check, in-process, within its budget. */
function runOne(ctx: RunContext, check: Check, opts: JudgeOptions): Promise<Verdict> {
  return check.run(ctx, (c) => decideWithNeeds(c, ctx, opts.attach?.(check.id)), opts.budgetMs);
}
