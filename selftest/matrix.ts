/**
 * The end-to-end scenario matrix: the real CLI, its engines and Chromium, for the scenarios whose
 * verdict only that path can prove ({@link E2E_SCENARIOS}, each with its reason). Every scenario, these
 * included, is judged in-process by selftest/verdicts.ts (the same assertions on the same
 * expectations, without Playwright), and selftest/scenario-coverage.test.ts keeps both lists whole.
 * For each one here, the whole suite must exit with the right code, fail exactly the expected checks,
 * and name the scenario's root cause in every failing check. The expectations live beside the
 * scenarios (sim/scenarios/) and are rendered into the README by scripts/scenario-table.ts.
 *
 * SMOKE_MATRIX=name1,name2 limits the run to those scenarios (any scenario may be named, to run it
 * end to end by hand).
 *
 * The matrix is split into shards, one test file each (selftest/matrix-<n>.test.ts), so every test
 * file stays well within its 10-minute deadline (scripts/test).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { SCENARIOS } from '../sim/scenarios/index.js';
import { runSmoke } from './run.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, '.tmp', `matrix-${process.pid}`);
const only = process.env['SMOKE_MATRIX']?.split(',').filter(Boolean);

/**
 * The scenarios run end to end, what each proves that the in-process matrix cannot (the CLI's exit
 * code and closing line, the engine's or Playwright's workers and reporter, the report files, and
 * Chromium itself), and the engines it runs with: `direct` (scripts/engine.ts, the default) and
 * `playwright` (the specs under Playwright Test, `--engine playwright`). Both engines must give the
 * same verdict, so the baseline and the many-red run go through both.
 */
export const E2E_SCENARIOS: Readonly<Record<string, { why: string; engines: readonly ('direct' | 'playwright')[]; workers?: number }>> = {
  healthy: { why: 'the baseline: 20 passed, 0 skipped, exit 0, the closing line, summary.json written', engines: ['direct', 'playwright'] },
  'healthy-deep': { why: 'the deep RBAC set (Secret reads, pods/exec, the WebSocket client loaded on first exec) through the CLI: every check passes', engines: ['direct'] },
  // Two Playwright workers: Playwright starts a new worker after each of the twelve failed tests, and
  // with one they all start in a row.
  'lb-no-targets': { why: 'twelve red checks linked to one root cause in summary.json, exit 1, by either engine', engines: ['direct', 'playwright'], workers: 2 },
  'owner-not-findable': { why: 'skips as the engine counts them (the skipped set in summary.json) with exit 0', engines: ['direct'] },
  'kube-credentials-refused': { why: 'the cluster gate decided in each Playwright worker: preflight is the one red line, cluster checks skip in every worker', engines: ['playwright'], workers: 2 },
  'replay-accepted': { why: 'the login hands its token to the replay check through the spec\'s test order in one Playwright worker', engines: ['playwright'] },
  'cookie-insecure': { why: 'a fault only Chromium sees: the session cookie\'s attributes as the browser receives them', engines: ['direct'] },
  'login-redirects-to-login': { why: 'a fault only Chromium sees: the console UI\'s own whoami call after the handover', engines: ['direct'] },
  'cert-staging-other-root': { why: 'Chromium\'s own trust (NSS database with the shipped staging roots, SMOKE_ALLOW_STAGING_CERT) refuses a staging chain they do not verify', engines: ['direct'] },
  // Through Playwright's workers (the silence recorded once in clients/silent.ts files and honoured by
  // every worker process) it runs in selftest/silent.test.ts, which counts the waits; here the default.
  'console-hang': { why: 'a console that accepts TCP and never answers, through the CLI\'s default engine: every console check fails within SMOKE_TIMEOUT 2s naming console-unresponsive, and the run ends', engines: ['direct'] },
};

/** The number of matrix shards (selftest/matrix-1.test.ts … matrix-<MATRIX_SHARDS>.test.ts). */
export const MATRIX_SHARDS = 2;

/** The end-to-end runs (or, for the scenarios SMOKE_MATRIX names, one per engine), in SCENARIOS order. */
export function e2eRuns(): { scenario: (typeof SCENARIOS)[number]; engine: 'direct' | 'playwright' }[] {
  return SCENARIOS.filter((s) => (only ? only.includes(s.name) : Object.hasOwn(E2E_SCENARIOS, s.name))).flatMap((scenario) =>
    (E2E_SCENARIOS[scenario.name]?.engines ?? ['direct', 'playwright']).map((engine) => ({ scenario, engine })),
  );
}

/** Registers the scenarios of shard `shard` (1-based): every MATRIX_SHARDS-th end-to-end scenario. */
export function matrixShard(shard: number): void {
  const selected = e2eRuns().filter((_, i) => i % MATRIX_SHARDS === shard - 1);
  describe(`end-to-end scenario matrix (shard ${shard} of ${MATRIX_SHARDS}): the CLI, the engines and Chromium`, { concurrency: 2 }, () => {
  after(() => rmSync(OUT, { recursive: true, force: true }));
  for (const { scenario, engine } of selected) {
    it(`${scenario.name} (${engine}): ${scenario.expect.failing.length ? `fails ${scenario.expect.failing.join(', ')} naming ${scenario.expect.cause}` : 'every check passes'}`, async () => {
      const report = join(OUT, `${scenario.name}-${engine}`);
      // One Playwright worker unless the proof is about several (a worker costs about 1.5 s of CPU to
      // start, and Playwright starts another after every failed test).
      const workers = String(E2E_SCENARIOS[scenario.name]?.workers ?? 1);
      const r = await runSmoke(['--sim', scenario.name, '--report-dir', report, '--engine', engine], { SMOKE_WORKERS: workers, ...scenario.expect.env });
      const tail = `\n--- stdout (tail)\n${r.stdout.split('\n').slice(-40).join('\n')}\n--- stderr (tail)\n${r.stderr.split('\n').slice(-20).join('\n')}`;
      assert.ok(r.summary, `no summary.json${tail}`);
      const failing = r.summary.checks.filter((c) => c.status === 'failed').map((c) => c.id).sort();
      assert.deepEqual(failing, [...scenario.expect.failing].sort(), `failing checks differ${tail}`);
      assert.equal(r.status, scenario.expect.failing.length ? 1 : 0, `exit code${tail}`);
      for (const c of r.summary.checks.filter((x) => x.status === 'failed')) {
        assert.equal(c.causeId, scenario.expect.cause, `${c.id} names cause ${c.causeId ?? 'none'} (${c.message ?? ''})`);
        assert.ok(c.message && c.cause, `${c.id} lacks message or cause`);
      }
      const closing = r.stdout.trim().split('\n').at(-1) ?? '';
      assert.match(closing, /^\d+ passed, \d+ failed, \d+ skipped$/);
      if (!scenario.expect.failing.length || scenario.expect.skipped) {
        const skipped = r.summary.checks.filter((c) => c.status === 'skipped');
        assert.deepEqual(skipped.map((c) => c.id).sort(), [...(scenario.expect.skipped ?? [])].sort(), `skipped checks differ: ${skipped.map((c) => `${c.id}: ${c.message ?? ''}`).join('; ')}`);
      }
      for (const want of scenario.expect.sideEffects ?? []) {
        const effects = (r.summary as { sideEffects?: string[] }).sideEffects ?? [];
        assert.ok(effects.some((e) => e.includes(want)), `no side effect mentions "${want}": ${JSON.stringify(effects)}`);
      }
    });
  }
});
}
