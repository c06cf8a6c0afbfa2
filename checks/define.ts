/**
 * A check is a value: its id, the sentence it proves, its tags, what it needs, the root causes it can
 * name, and `decide(ctx)`, which observes the Sovereign and either returns (pass) or ends through
 * `fail`/`skipCheck` (report/check.ts). No test runner here: `run(ctx)` judges a check in-process and
 * returns its {@link Verdict}; the Playwright adapter (fixtures/run-check.ts) runs the same `decide`
 * inside a test. Both first pass the check's {@link Need}s through one gate (checks/gate.ts).
 *
 * @module
 */
import type { SovereignConfig } from '../clients/config.js';
import type { Hcloud } from '../clients/hcloud.js';
import type { Kube } from '../clients/kube.js';
import type { Network } from '../clients/net.js';
import type { BrowserLoginChecks } from '../decisions/browser-login.js';
import type { EdgeChecks } from '../decisions/edge-checks.js';
import type { HandoverChecks } from '../decisions/handover.js';
import type { KeycloakProbe } from '../decisions/keycloak.js';
import type { CauseId } from '../report/causes.js';
import { CheckSkipped, memoryRecorder, recordedCause, withRecorder, type Note } from '../report/check.js';
import { SmokeError } from '../report/errors.js';
import { redact } from '../report/redact.js';
import { Transcript, withTranscript } from '../report/transcript.js';
import { gate, NEED_CAUSES } from './gate.js';

/**
 * What a check needs before it can decide. The gate (checks/gate.ts) turns a missing one into a skip
 * that names it, or waits for it while it converges:
 * - `cluster`: the kube API answers and grants the essential permissions (preflight.kube-access);
 * - `hetzner`: the Sovereign runs on Hetzner Cloud (the `lb.*` checks; skipped on Huawei);
 * - `signing-key`: the mothership's handover signing key (SMOKE_HANDOVER_KEY_FILE);
 * - `console`: console.<fqdn> reachable through its load balancer with its certificate (waited for);
 * - `browser`: Chromium, launched by the runner and handed over as `ctx.browserLogin`.
 */
export type Need = 'cluster' | 'hetzner' | 'signing-key' | 'console' | 'browser';

/** Tags, for `--grep @edge` and the tables. */
export type Tag = '@preflight' | '@cluster' | '@edge' | '@auth' | '@browser';

/** What a check's `decide` is given: the configuration and the clients, built once per run. */
export interface CheckContext {
  config: SovereignConfig;
  kube: Kube;
  net: Network;
  hcloud: Hcloud;
  edge: EdgeChecks;
  keycloak: KeycloakProbe;
  handover: HandoverChecks;
  /** A browser session for this check (present when the check needs `browser`). */
  browserLogin?: BrowserLoginChecks;
}

/** A check as written: what {@link defineCheck} takes. */
export interface CheckSpec<Id extends string> {
  /** Contract §3 id: `lb.targets`. */
  id: Id;
  /** What a pass proves, as a sentence: `the console load balancer has targets, …`. */
  title: string;
  tags: readonly Tag[];
  needs: readonly Need[];
  /**
   * Every root cause `decide` can name beyond what the gate names for its `needs` (checks/gate.ts
   * `NEED_CAUSES`); the defined check's `causes` is the union. The in-process matrix
   * (selftest/verdicts.ts) fails a verdict whose cause is not in it.
   */
  causes: readonly CauseId[];
  /** Observes and decides: returns to pass, or ends through `fail`/`skipCheck`. */
  decide(ctx: CheckContext): Promise<void>;
}

/** How one check ended, judged in-process. */
export interface Verdict {
  id: string;
  status: 'passed' | 'failed' | 'skipped';
  /** The root cause the check named (failed or skipped through the catalog). */
  cause?: CauseId;
  /** The failure message or the skip reason. */
  message?: string;
  /** Every annotation recorded (evidence, provenance, side effects, waitedMs …). */
  notes: Note[];
  /** The named observations, in order. */
  steps: string[];
  /** When the check started (ms since the epoch), and how long it took. */
  startedAt: number;
  durationMs: number;
  /** For a failed check: the calls its clients made (report/transcript.ts), redacted. */
  transcript?: string;
}

/** How a check is carried out inside its recorder: the gate for its needs, then `decide`. */
export type Conduct = (check: CheckSpec<string>, ctx: CheckContext) => Promise<void>;

/** The plain way: the gate for every need, then decide (checks/runner.ts also opens a browser session). */
export const gateThenDecide: Conduct = async (check, ctx) => {
  await gate(check.needs, ctx);
  await check.decide(ctx);
};

/** A check, ready to run. */
export interface Check<Id extends string = string> extends CheckSpec<Id> {
  /** The Playwright test title: `<id>: <title>`. */
  readonly testTitle: string;
  /**
   * Judges the check in-process (by default {@link gateThenDecide}) and never throws. With
   * `budgetMs`, a check still running then fails, saying so, with what it recorded so far.
   */
  run(ctx: CheckContext, conduct?: Conduct, budgetMs?: number): Promise<Verdict>;
}

/** Makes a check a value. */
export function defineCheck<const Id extends string>(spec: CheckSpec<Id>): Check<Id> {
  return {
    ...spec,
    causes: [...new Set([...spec.causes, ...spec.needs.flatMap((n) => NEED_CAUSES[n])])],
    testTitle: `${spec.id}: ${spec.title}`,
    run: (ctx, conduct = gateThenDecide, budgetMs) => judge(spec, ctx, conduct, budgetMs),
  };
}


async function judge(spec: CheckSpec<string>, ctx: CheckContext, conduct: Conduct, budgetMs: number | undefined): Promise<Verdict> {
  const rec = memoryRecorder(spec.id);
  const transcript = new Transcript();
  const started = Date.now();
  const done = (status: Verdict['status'], message?: string): Verdict => {
    const cause = recordedCause(rec.notes)?.id;
    return {
      id: spec.id,
      status,
      ...(cause ? { cause } : {}),
      ...(message ? { message } : {}),
      notes: [...rec.notes],
      steps: [...rec.steps],
      startedAt: started,
      durationMs: Date.now() - started,
      ...(status === 'failed' && transcript.size > 0 ? { transcript: transcript.toString() } : {}),
    };
  };
  const judged = withTranscript(transcript, () => withRecorder(rec, () => conduct(spec, ctx))).then(
    () => done('passed'),
    (err: unknown) => {
      if (err instanceof CheckSkipped) return done('skipped', err.reason);
      const message = err instanceof SmokeError ? err.message : `the suite itself failed: ${redact(err instanceof Error ? (err.stack ?? err.message) : String(err))}`;
      return done('failed', message);
    },
  );
  if (!budgetMs) return judged;
  let timer: NodeJS.Timeout | undefined;
  // As Playwright's test timeout does for a spec (playwright.config.ts `timeout`): the check's own
  // deadlines should end it first; this is the last resort, and it names the last step it was in.
  const overrun = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => {
      const last = rec.steps.at(-1);
      resolve(done('failed', `the check did not finish within its ${(budgetMs / 1000).toFixed(budgetMs < 10_000 ? 1 : 0)}s budget${last ? ` (last step: ${last})` : ''}`));
    }, budgetMs);
  });
  try {
    return await Promise.race([judged, overrun]);
  } finally {
    clearTimeout(timer);
  }
}
