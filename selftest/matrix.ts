/**
 * The end-to-end scenario matrix: the real CLI, Playwright and Chromium, for the scenarios whose
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
 * The scenarios run end to end, and what each proves that the in-process matrix cannot: the CLI's
 * exit code and closing line, Playwright's workers and reporter, the report files, and Chromium itself.
 */
export const E2E_SCENARIOS: Readonly<Record<string, string>> = {
  healthy: 'the baseline: 20 passed, 0 skipped, exit 0, the closing line, summary.json written by the reporter',
  'healthy-deep': 'the deep RBAC set (Secret reads, pods/exec) through Playwright workers: every check passes',
  'lb-no-targets': 'the reporter links twelve red checks to one root cause in summary.json, exit 1',
  'owner-not-findable': 'skips as the reporter counts them (the skipped set in summary.json) with exit 0',
  'kube-credentials-refused': 'the cluster gate decided in each Playwright worker: preflight is the one red line, cluster checks skip in every worker',
  'replay-accepted': 'the login hands its token to the replay check through the spec\'s test order in one Playwright worker',
  'cookie-insecure': 'a fault only Chromium sees: the session cookie\'s attributes as the browser receives them',
  'login-redirects-to-login': 'a fault only Chromium sees: the console UI\'s own whoami call after the handover',
  'cert-staging-other-root': 'Chromium\'s own trust (NSS database with the shipped staging roots, SMOKE_ALLOW_STAGING_CERT) refuses a staging chain they do not verify',
  'console-hang': 'a silent console recorded once and honoured by every Playwright worker process (clients/silent.ts files), SMOKE_TIMEOUT 2s',
};

/** The number of matrix shards (selftest/matrix-1.test.ts … matrix-<MATRIX_SHARDS>.test.ts). */
export const MATRIX_SHARDS = 2;

/** The end-to-end scenarios (or those SMOKE_MATRIX names), in SCENARIOS order. */
export function e2eScenarios(): typeof SCENARIOS {
  return SCENARIOS.filter((s) => (only ? only.includes(s.name) : Object.hasOwn(E2E_SCENARIOS, s.name)));
}

/** Registers the scenarios of shard `shard` (1-based): every MATRIX_SHARDS-th end-to-end scenario. */
export function matrixShard(shard: number): void {
  const selected = e2eScenarios().filter((_, i) => i % MATRIX_SHARDS === shard - 1);
  describe(`end-to-end scenario matrix (shard ${shard} of ${MATRIX_SHARDS}): the CLI, Playwright and Chromium`, { concurrency: 2 }, () => {
  after(() => rmSync(OUT, { recursive: true, force: true }));
  for (const scenario of selected) {
    it(`${scenario.name}: ${scenario.expect.failing.length ? `fails ${scenario.expect.failing.join(', ')} naming ${scenario.expect.cause}` : 'every check passes'}`, async () => {
      const report = join(OUT, scenario.name);
      // Two runs at once on 2 cores: two workers each keeps every run within its timeouts.
      const r = await runSmoke(['--sim', scenario.name, '--report-dir', report], { SMOKE_WORKERS: '2', ...scenario.expect.env });
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
